package mocktest_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// The code under test: a verifying party that asks RamBase whose ID verification token it holds.

// verifier logs in to RamBase with its client credentials and verifies ID verification tokens.
type verifier struct {
	base  string // https://api.rambase.net, or the mock's APIURL("rambase")
	http  *http.Client
	token string
}

func (v *verifier) login(clientID, secret string) error {
	resp, err := v.http.PostForm(v.base+"/oauth2/access_token",
		url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("login: %s", resp.Status)
	}
	v.token = body.AccessToken
	return nil
}

// whoIs returns the user an ID verification token belongs to.
func (v *verifier) whoIs(idvToken string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, v.base+"/id-verification?id_verification_token="+url.QueryEscape(idvToken), nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+v.token)
	resp, err := v.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("verify: %s", resp.Status)
	}
	var body struct {
		IDVerification struct {
			User struct {
				UserID int `json:"userId"`
			} `json:"user"`
		} `json:"idVerification"`
	}
	return body.IDVerification.User.UserID, json.NewDecoder(resp.Body).Decode(&body)
}

// The test: Anna's token verifies to her while she is signed in, and stops verifying once she has
// signed out (RamBase's control operation endRamBaseSession, as a logout would).
func Example_rambase() {
	m, err := mocktest.Start() // in a test: m := mocktest.New(t)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	// The default fixtures' verifying client and internal user, as idvkit serve prints them.
	const client, secret, user, password = "forecast-api", "forecast-secret", "anna", "anna-password"

	// Anna signs in to her RamBase app, which hands her ID verification token to the code under test.
	annaToken, idv := rambaseSession(m, user, password, client, secret)

	v := &verifier{base: m.APIURL("rambase"), http: m.Client()}
	if err := v.login(client, secret); err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.whoIs(idv))
	if err := m.EndRamBaseSession(annaToken); err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.whoIs(idv))
	fmt.Println(m.CheckContract()) // what a test from New would fail with: nothing
	// Output:
	// 666 <nil>
	// 0 verify: 404 Not Found
	// <nil>
}

// rambaseSession signs a user in as their own RamBase app would, and returns the access token and
// the session's ID verification token.
func rambaseSession(m *mocktest.Server, user, password, client, secret string) (string, string) {
	resp, err := m.Client().PostForm(m.APIURL("rambase")+"/oauth2/access_token", url.Values{"grant_type": {"password"},
		"client_id": {client}, "client_secret": {secret}, "username": {user}, "password": {password}})
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&login); err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, m.APIURL("rambase")+"/system/sessions/current", nil)
	req.Header.Set("Authorization", "Bearer "+login.AccessToken)
	resp, err = m.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var session struct {
		Session struct {
			IDVerificationToken string `json:"idVerificationToken"`
		} `json:"session"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&session); err != nil {
		log.Fatal(err)
	}
	return login.AccessToken, session.Session.IDVerificationToken
}
