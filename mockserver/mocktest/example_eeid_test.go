package mocktest_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// The code under test: an eeID service's webhook handler, which checks the X-HMAC-Signature (a
// lower-case hex HMAC-SHA256 of the body, keyed with the service's client secret) and notes which
// identification request was completed.

type completions struct {
	secret string
	done   chan string // the ids of completed requests
}

func (c *completions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "unreadable", http.StatusBadRequest)
		return
	}
	mac := hmac.New(sha256.New, []byte(c.secret))
	mac.Write(body)
	if !hmac.Equal([]byte(r.Header.Get("X-HMAC-Signature")), []byte(hex.EncodeToString(mac.Sum(nil)))) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var event struct {
		ID string `json:"identification_request_id"`
	}
	if err := json.Unmarshal(body, &event); err != nil {
		http.Error(w, "not an event", http.StatusBadRequest)
		return
	}
	c.done <- event.ID
	w.WriteHeader(http.StatusNoContent)
}

// The test: the service creates an identification request, the person completes it (the control
// operation completeEeidRequest, as the person would on the link's page), and the signed webhook
// reaches the handler.
func Example_eeid() {
	m, err := mocktest.Start() // in a test: m := mocktest.New(t)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	const clientID, secret = "oidc-8d3a6f2e-4b1c-4d5e-9f70-2a1b3c4d5e6f-1", "service-a-secret" // eeid.service_a
	handler := &completions{secret: secret, done: make(chan string, 1)}
	receiver := httptest.NewServer(handler)
	defer receiver.Close()
	if err := m.SetEeidWebhook(clientID, receiver.URL+"/eeid/webhooks/identification_requests"); err != nil {
		log.Fatal(err)
	}

	id := createEeidRequest(m.APIURL("eeid"), m.Client(), clientID, secret)
	if err := m.CompleteEeidRequest(id, mocktest.EeidCompletion{}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("the webhook names the request:", <-handler.done == id)
	m.Settle() // the delivery's attempt has been logged
	deliveries, err := m.Deliveries()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(deliveries), deliveries[0].State, deliveries[0].Attempts[0].Status)
	// Output:
	// the webhook names the request: true
	// 1 delivered 204
}

// createEeidRequest is the service's own code: a token, then a request for one person.
func createEeidRequest(base string, c *http.Client, clientID, secret string) string {
	req, _ := http.NewRequest(http.MethodPost, base+"/api/auth/v1/token", nil)
	req.SetBasicAuth(clientID, secret)
	var token struct {
		AccessToken string `json:"access_token"`
	}
	do(c, req, &token)
	req, _ = http.NewRequest(http.MethodPost, base+"/api/ident/v1/identification_requests",
		bytes.NewReader([]byte(`{"claims_required": [{"type": "sub", "value": "EE30303039914"}], "reference": "C1234"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token.AccessToken)
	var created struct {
		ID string `json:"id"`
	}
	do(c, req, &created)
	return created.ID
}

func do(c *http.Client, req *http.Request, out any) {
	resp, err := c.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		log.Fatal(err)
	}
}
