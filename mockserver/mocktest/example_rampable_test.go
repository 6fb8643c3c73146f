package mocktest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// The code under test: a Rampable client that logs in by email, is asked for the code mailed to the
// user, and verifies it for an access token.

type rampableClient struct {
	base string // https://sandbox.rampable.co, or the mock's APIURL("rampable")
	http *http.Client
}

// post sends a JSON body and decodes Rampable's envelope: its data on success, its message otherwise.
func (c *rampableClient) post(path string, in, data any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	resp, err := c.http.Post(c.base+path, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	envelope := struct {
		Message string `json:"message"`
		Data    any    `json:"data"`
	}{Data: data}
	if err := json.NewDecoder(resp.Body).Decode(&envelope); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %d %s", path, resp.StatusCode, envelope.Message)
	}
	return nil
}

// signIn logs in and verifies with the code askCode returns (the user reads it in their mail).
func (c *rampableClient) signIn(email, password string, askCode func() string) (string, error) {
	var login struct {
		VerificationToken string `json:"verificationToken"`
	}
	if err := c.post("/v1/auth/login", map[string]string{"email": email, "password": password}, &login); err != nil {
		return "", err
	}
	var verified struct {
		AccessToken string `json:"accessToken"`
	}
	err := c.post("/v1/auth/verify-login", map[string]string{"verificationToken": login.VerificationToken, "otp": askCode()}, &verified)
	return verified.AccessToken, err
}

// The test: the code is fixed so the test knows it; a user who takes ten minutes to type it is
// refused, as Rampable refuses a verification token past its life.
func Example_rampable() {
	m, err := mocktest.Start() // in a test: m := mocktest.New(t)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	c := &rampableClient{base: m.APIURL("rampable"), http: m.Client()}
	const email, password = "ada@sandbox-partner.example", "ada-password" // rampable.verified_user

	if err := m.SetRampableNextCode(email, "424242"); err != nil {
		log.Fatal(err)
	}
	token, err := c.signIn(email, password, func() string { return "424242" })
	fmt.Println(len(token) > 0, err)

	if err := m.SetRampableNextCode(email, "424242"); err != nil {
		log.Fatal(err)
	}
	_, err = c.signIn(email, password, func() string {
		if err := m.Advance(10*time.Minute + time.Second); err != nil {
			log.Fatal(err)
		}
		return "424242"
	})
	fmt.Println(err)
	// Output:
	// true <nil>
	// /v1/auth/verify-login: 401 Invalid or expired verification token
}
