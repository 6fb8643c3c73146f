package partner

import (
	"net/http"
	"testing"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// An eeID service gets an access token with its client credentials (the mock in place of https://eeid.ee).
func TestEeidServiceGetsAToken(t *testing.T) {
	m := mocktest.New(t)
	service := m.Principal(t, "eeid.service_a")
	req, err := http.NewRequest(http.MethodPost, m.APIURL("eeid")+"/api/auth/v1/token", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(service.ClientID, service.ClientSecret)
	resp, err := m.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("token: %s", resp.Status)
	}
}
