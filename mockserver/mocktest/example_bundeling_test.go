package mocktest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// The code under test: the partner site's landing page for a Bundeling app link. It trades the
// token in the link for the member's uuid, reads the member, and logs in whoever its own external
// reference names.

type bundelingLanding struct {
	base, apiKey string // base: https://api.bundeling.com/V2's host, or the mock's APIURL("bundeling")
	http         *http.Client
}

func (l *bundelingLanding) do(method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequest(method, l.base+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Api-Key", l.apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := l.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, e.Error.Message)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// land answers the account a link logs in: the member's external reference.
func (l *bundelingLanding) land(link string) (string, error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", err
	}
	var identity struct {
		UserUUID string `json:"user_uuid"`
	}
	if err := l.do(http.MethodPost, "/V2/user_identity", map[string]string{"token": u.Query().Get("bundeling_token")}, &identity); err != nil {
		return "", err
	}
	var member struct {
		ExternalReference string `json:"external_reference"`
	}
	err = l.do(http.MethodGet, "/V2/users/"+identity.UserUUID, nil, &member)
	return member.ExternalReference, err
}

// The test: the app renders a link for a member; the landing page logs in the member's account, and
// the same link followed again (a reload, a shared URL) is refused.
func Example_bundeling() {
	m, err := mocktest.Start() // in a test: m := mocktest.New(t)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	var key, member string
	for _, p := range m.Principals() {
		switch p.Role {
		case "bundeling.integration_key":
			key = p.Attributes["api_key"]
		case "bundeling.member":
			member = p.ID
		}
	}
	l := &bundelingLanding{base: m.APIURL("bundeling"), apiKey: key, http: m.Client()}

	link, err := m.RenderBundelingLink("https://partner.example/login?bundeling_token={{useridentity}}", member)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l.land(link.Link))
	fmt.Println(l.land(link.Link))
	// Output:
	// TP-000123 <nil>
	//  POST /V2/user_identity: 400 The token is invalid or has expired
}
