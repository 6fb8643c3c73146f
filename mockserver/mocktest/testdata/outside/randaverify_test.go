package partner

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// A RandaVerify user logs in (the mock in place of https://api.randaverify.com).
func TestRandaVerifyUserLogsIn(t *testing.T) {
	m := mocktest.New(t)
	admin := m.Principal(t, "randaverify.org_admin")
	resp, err := m.Client().PostForm(m.APIURL("randaverify")+"/login",
		url.Values{"username": {admin.Username}, "password": {admin.Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %s", resp.Status)
	}
}
