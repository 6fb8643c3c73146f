package mocktest_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// The code under test: a RandaVerify client that logs in once and logs in again when its token has
// expired (RandaVerify's tokens live 60 minutes).

type randaClient struct {
	base, username, password string // base: https://api.randaverify.com, or the mock's APIURL("randaverify")
	http                     *http.Client
	token                    string
	logins                   int
}

func (c *randaClient) login() error {
	resp, err := c.http.PostForm(c.base+"/login", url.Values{"username": {c.username}, "password": {c.password}})
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
	c.token, c.logins = body.AccessToken, c.logins+1
	return nil
}

// organisation is the name of the user's organisation (GET /me), logging in again on a 401.
func (c *randaClient) organisation() (string, error) {
	for range 2 {
		if c.token == "" {
			if err := c.login(); err != nil {
				return "", err
			}
		}
		req, err := http.NewRequest(http.MethodGet, c.base+"/me", nil)
		if err != nil {
			return "", err
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := c.http.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized {
			c.token = "" // expired: log in again
			continue
		}
		var me struct {
			Organisation struct {
				Name string `json:"name"`
			} `json:"organisation"`
		}
		return me.Organisation.Name, json.NewDecoder(resp.Body).Decode(&me)
	}
	return "", fmt.Errorf("GET /me: still 401 after a new login")
}

// The test: an hour later on the mock's clock the token has expired, and the client logs in again.
func Example_randaverify() {
	m, err := mocktest.Start() // in a test: m := mocktest.New(t)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	c := &randaClient{base: m.APIURL("randaverify"), http: m.Client(), username: "integrator", password: "integrator-password"}

	fmt.Println(c.organisation())
	if err := m.Advance(59 * time.Minute); err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.organisation())
	if err := m.Advance(time.Minute); err != nil { // every TTL of the mock follows its clock
		log.Fatal(err)
	}
	fmt.Println(c.organisation())
	fmt.Println("logins:", c.logins)
	// Output:
	// Your Org <nil>
	// Your Org <nil>
	// Your Org <nil>
	// logins: 2
}
