package partner

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// A RamBase API client gets an access token (the mock in place of https://api.rambase.net).
func TestRamBaseClientGetsAToken(t *testing.T) {
	m := mocktest.New(t)
	client := m.Principal(t, "rambase.api_client")
	resp, err := m.Client().PostForm(m.APIURL("rambase")+"/oauth2/access_token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {client.ClientID}, "client_secret": {client.ClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %s", resp.Status)
	}
}
