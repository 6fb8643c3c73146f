package partner

import (
	"net/http"
	"strings"
	"testing"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// A Rampable user logs in and is mailed a code (the mock in place of https://sandbox.rampable.co).
func TestRampableUserLogsIn(t *testing.T) {
	m := mocktest.New(t)
	ada := m.Principal(t, "rampable.verified_user")
	body := `{"email":"` + ada.Email + `","password":"` + ada.Password + `"}`
	resp, err := m.Client().Post(m.APIURL("rampable")+"/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if mails, err := m.Outbox(ada.Email); resp.StatusCode != http.StatusOK || err != nil || len(mails) != 1 {
		t.Fatalf("login: %s, %d mails (%v)", resp.Status, len(mails), err)
	}
}
