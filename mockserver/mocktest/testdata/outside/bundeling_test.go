package partner

import (
	"net/http"
	"strings"
	"testing"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// A partner site redeems a Bundeling app link's token (the mock in place of https://api.bundeling.com).
func TestBundelingTokenIsRedeemed(t *testing.T) {
	m := mocktest.New(t)
	key, member := m.Principal(t, "bundeling.integration_key"), m.Principal(t, "bundeling.member")
	token, err := m.MintBundelingToken(member.ID)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, m.APIURL("bundeling")+"/V2/user_identity", strings.NewReader(`{"token":"`+token.Token+`"}`))
	req.Header.Set("Api-Key", key.Attributes["api_key"])
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("user_identity: %s", resp.Status)
	}
}
