package eeid_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/eeid"
	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// vendorClient runs testdata/vendor_client.rb, the port of eeID's own Ruby client and webhook
// receiver (internetee/registry), with the body on stdin and the environment given; it returns what
// it printed, decoded, and its exit code.
type vendorClient struct {
	t                *testing.T
	ruby             string
	base, id, secret string
}

func newVendorClient(t *testing.T, m *mocktest.Server, s *service) *vendorClient {
	ruby, err := exec.LookPath("ruby")
	if err != nil {
		mocktest.Unavailable(t, "ruby is not installed, so eeID's own client cannot run")
	}
	return &vendorClient{t: t, ruby: ruby, base: m.APIURL("eeid"), id: s.ClientID, secret: s.ClientSecret}
}

func (v *vendorClient) run(stdin []byte, env []string, args ...string) (map[string]any, int, error) {
	cmd := exec.Command(v.ruby, append([]string{"testdata/vendor_client.rb", args[0], v.base, v.id, v.secret}, args[1:]...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code, err = exit.ExitCode(), nil
	}
	if err != nil {
		return nil, 0, err
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, code, &json.SyntaxError{Offset: 0}
	}
	if stderr.Len() > 0 {
		v.t.Logf("ruby: %s", stderr.String())
	}
	return doc, code, nil
}

func (v *vendorClient) must(args ...string) map[string]any {
	v.t.Helper()
	doc, code, err := v.run(nil, nil, args...)
	require.NoError(v.t, err)
	require.Equal(v.t, 0, code, "%v", doc)
	return doc
}

// eeID's own client works against the mock with only its base URL changed: it gets a token with no
// body, creates a request, reads it and its proof with GETs carrying Content-Type: application/json,
// and reads the mock's errors as it reads eeID's. Its webhook receiver accepts the mock's delivery
// (the whitespace-stripped HMAC check) and, while the delivery is open, calls the mock back with a new
// token for the request and its proof, as it does in production; the delivery is acknowledged.
func TestEeidsOwnClientAndReceiverWorkAgainstTheMock(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	v := newVendorClient(t, m, s)

	type outcome struct {
		doc  map[string]any
		code int
	}
	received := make(chan outcome, 2)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		doc, code, err := v.run(body, []string{"HMAC_SIGNATURE=" + r.Header.Get(eeid.SignatureHeader)}, "receive")
		if err != nil {
			t.Errorf("the receiver did not run: %v", err)
		}
		received <- outcome{doc, code}
		switch code {
		case 0:
			w.WriteHeader(http.StatusOK)
		case 3:
			w.WriteHeader(http.StatusUnauthorized)
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(hook.Close)
	setWebhook(t, m, s.ClientID, hook.URL+"/eeid/webhooks/identification_requests")

	created := v.must("create", "CONTACT-1")
	id := created["id"].(string)
	assert.Equal(t, "pending", created["status"])
	assert.Equal(t, "CONTACT-1", created["reference"])
	assert.NotEmpty(t, created["link"])

	doc, code, err := v.run(nil, nil, "proof", id)
	require.NoError(t, err)
	assert.Equal(t, 2, code, "a pending request has no proof")
	assert.Equal(t, "Proof of identity not found", doc["error"], "the client reads the mock's error as eeID's")
	doc, code, err = v.run(nil, nil, "get", "6f1b0c2e-3d4a-4b5c-9d8e-7f6a5b4c3d2e")
	require.NoError(t, err)
	assert.Equal(t, 2, code)
	assert.Equal(t, "Identification request not found", doc["error"])

	require.Equal(t, http.StatusNoContent, control(t, m, http.MethodPost, "/eeid/identification_requests/"+id+"/complete", nil).Status)
	var got outcome
	select {
	case got = <-received:
	case <-time.After(20 * time.Second):
		t.Fatal("the receiver got no delivery")
	}
	require.Equal(t, 0, got.code, "%v", got.doc)
	assert.Equal(t, map[string]any{"reference": "CONTACT-1", "client_id": s.ClientID, "status": "completed",
		"sub": "EE30303039914", "poi_bytes": got.doc["poi_bytes"]}, got.doc)
	assert.Greater(t, got.doc["poi_bytes"], float64(1000))
	m.Settle()
	log := control(t, m, http.MethodGet, "/eeid/services/"+s.ClientID+"/deliveries", nil)
	require.Len(t, log.JSON["items"], 1)
	assert.Equal(t, "delivered", log.JSON["items"].([]any)[0].(map[string]any)["state"])

	read := v.must("get", id)
	assert.Equal(t, "EE30303039914", read["result"].(map[string]any)["sub"])
	proof := v.must("proof", id)
	assert.Equal(t, "%PDF-", proof["head"])
	assert.Equal(t, `attachment; filename="proof_of_identity_`+id+`.pdf"`, proof["message"])

	// The port's check can fail: a signature of another secret is refused as the vendor refuses it.
	body := []byte(`{"identification_request_id":"` + id + `","client_id":"` + s.ClientID + `","reference":"CONTACT-1"}`)
	doc, code, err = v.run(body, []string{"HMAC_SIGNATURE=" + eeid.Sign(body, "another-secret")}, "receive")
	require.NoError(t, err)
	assert.Equal(t, 3, code)
	assert.Equal(t, "Invalid HMAC signature", doc["error"])
	// and whitespace the sender added outside the strings does not matter to it.
	spaced := []byte("{\n  \"identification_request_id\": \"" + id + "\",\n  \"client_id\": \"" + s.ClientID + "\",\n  \"reference\": \"CONTACT-1\"\n}")
	_, code, err = v.run(spaced, []string{"HMAC_SIGNATURE=" + eeid.Sign(body, s.ClientSecret)}, "receive")
	require.NoError(t, err)
	assert.Equal(t, 0, code)
}
