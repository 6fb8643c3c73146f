package mockserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// send sends a request over real HTTP with its path exactly as written (Go's client keeps a valid
// escaped path as given) and returns the status and the JSON body.
func send(t *testing.T, c *http.Client, method, rawURL string, header http.Header) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	require.NoError(t, err)
	req.Header = header
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var body map[string]any
	_ = json.Unmarshal(raw, &body) // a PDF leaves it nil
	return resp.StatusCode, body
}

// An encoded slash separates no segments: /randaverify%2Fme is no API's prefix, and the proof's
// path with its last slash encoded is a request id nobody has, each answered in the shape of
// whoever answers; any other escape still decodes (the prefix /%72andaverify).
func TestAnEncodedSlashSeparatesNothing(t *testing.T) {
	m := mocktest.New(t, mocktest.AllowViolations("", "path"))
	client := m.Client()

	rv := m.Principal(t, "randaverify.org_admin")
	login := url.Values{"username": {rv.Username}, "password": {rv.Password}}.Encode()
	r := m.Call(t, http.MethodPost, "/randaverify/login", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte(login))
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	bearer := http.Header{"Authorization": {"Bearer " + r.JSON["access_token"].(string)}}
	for _, path := range []string{"/randaverify/me", "/%72andaverify/me", "/randaverify/%6De"} {
		code, body := send(t, client, http.MethodGet, m.URL+path, bearer)
		assert.Equal(t, http.StatusOK, code, "%s: %v", path, body)
	}
	for _, c := range []struct{ path, field, value string }{
		{"/randaverify%2fme", "error", "not-found"}, // no prefix matched: the control API's shape
		{"/randaverify%2Fme", "error", "not-found"},
		{"/randaverify/v1%2Fme", "detail", "Not Found"}, // under RandaVerify's prefix: its shape
	} {
		code, body := send(t, client, http.MethodGet, m.URL+c.path, bearer)
		assert.Equal(t, http.StatusNotFound, code, c.path)
		assert.Equal(t, c.value, body[c.field], "%s: %v", c.path, body)
	}

	svc := m.Principal(t, "eeid.service_a")
	const requests = "/eeid/api/ident/v1/identification_requests"
	r = m.Call(t, http.MethodPost, "/eeid/api/auth/v1/token", http.Header{"Authorization": {basicAuth(svc.ClientID, svc.ClientSecret)}}, nil)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Raw))
	bearer = http.Header{"Authorization": {"Bearer " + r.JSON["access_token"].(string)}, "Content-Type": {"application/json"}}
	r = m.Call(t, http.MethodPost, requests, bearer, []byte(`{"claims_required":[{"type":"sub","value":"EE30303039914"}]}`))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Raw))
	id := r.JSON["id"].(string)
	r = m.Call(t, http.MethodPost, "/_mock/eeid/identification_requests/"+id+"/complete", nil, nil)
	require.Equal(t, http.StatusNoContent, r.Status, string(r.Raw))
	code, _ := send(t, client, http.MethodGet, m.URL+requests+"/"+id+"/proof_of_identity", bearer)
	require.Equal(t, http.StatusOK, code, "the proof, as the path is meant")
	for _, path := range []string{requests + "/" + id + "%2fproof_of_identity", requests + "/" + id + "%2Fproof_of_identity"} {
		code, body := send(t, client, http.MethodGet, m.URL+path, bearer)
		assert.Equal(t, http.StatusNotFound, code, path)
		assert.Equal(t, "Identification request not found", body["error"], "eeID's shape: %v", body)
	}

	// Dot segments, encoded or not, are segments like any other: not cleaned, so they reach nothing
	// past the prefix, and the reset they point at does not happen.
	for _, path := range []string{"/eeid/%2e%2e/_mock/reset", "/eeid/%2E%2E/_mock/reset", "/eeid/api/%2e%2e/%2e%2e/_mock/reset"} {
		code, body := send(t, client, http.MethodPost, m.URL+path, nil)
		assert.Equal(t, http.StatusNotFound, code, path)
		assert.Equal(t, "No such resource", body["error"], "%s: eeID's shape: %v", path, body)
	}
	code, _ = send(t, client, http.MethodGet, m.URL+requests+"/"+id, bearer)
	assert.Equal(t, http.StatusOK, code, "no reset happened")
}

// A path parameter is what its segment decodes to, an encoded slash or percent sign included: the
// widget named "a b" is at a%20b, the one named "a/b" at a%2Fb, never at a/b.
func TestPathParametersDecodeIntoTheHandlersValue(t *testing.T) {
	s := newServer(t, mockserver.Config{APIs: []mockapi.Factory{newWidgets},
		Fixtures: mockserver.Fixtures{"widgets": json.RawMessage(`["a", "a b", "a/b", "a%b", "ä"]`)}})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	good := http.Header{"Authorization": {"Bearer good"}}
	for path, name := range map[string]string{"a": "a", "a%20b": "a b", "a%2Fb": "a/b", "a%2fb": "a/b", "a%25b": "a%b",
		"%61": "a", "%C3%A4": "ä"} {
		code, body := send(t, srv.Client(), http.MethodGet, srv.URL+"/widgets/widgets/"+path, good)
		assert.Equal(t, http.StatusOK, code, path)
		assert.Equal(t, name, body["name"], path)
	}
	code, body := send(t, srv.Client(), http.MethodGet, srv.URL+"/widgets/widgets/a/b", good)
	assert.Equal(t, http.StatusNotFound, code, "a/b is two segments: no such route")
	assert.EqualValues(t, 404, body["widgetError"], "the API's shape: %v", body)
}

func basicAuth(id, secret string) string {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(id, secret)
	return req.Header.Get("Authorization")
}
