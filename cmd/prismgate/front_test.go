package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/apihttp"
)

func TestParseViolations(t *testing.T) {
	vs, err := parseViolations("")
	require.NoError(t, err)
	assert.Empty(t, vs)

	vs, err = parseViolations(`[{"location":["response","body","items",3,"reason_translations"],"severity":"Error","code":"type","message":"Response body property items.3.reason_translations must be object"},` +
		`{"location":["request","query","page"],"severity":"Error","code":"minimum","message":"Request query parameter page must be >= 1"}]`)
	require.NoError(t, err)
	require.Len(t, vs, 2)
	assert.Equal(t, violation{Location: "response.body.items.3.reason_translations", Severity: "Error", Message: "Response body property items.3.reason_translations must be object"}, vs[0])
	assert.True(t, vs[0].response())
	assert.Equal(t, "request.query.page", vs[1].Location)
	assert.False(t, vs[1].response())

	// Past 8 KiB Prism cuts the list: some violations are unseen, so it counts as a response's.
	vs, err = parseViolations(`Too many violations! [{"location":["response","body"`)
	require.NoError(t, err)
	require.Len(t, vs, 1)
	assert.True(t, vs[0].response())

	_, err = parseViolations(`[{"location":`)
	assert.ErrorContains(t, err, "does not parse")
}

// fakePrism answers each path with the sl-violations header Prism would add, and the status the
// mock would have answered.
func fakePrism(t *testing.T) *url.URL {
	answers := map[string]struct {
		status      int
		header      string
		contentType string
	}{
		"/ok":               {200, "", ""},
		"/refused":          {422, `[{"location":["request","body"],"severity":"Error","message":"Request body must have required property 'claims_required'"}]`, ""},
		"/page":             {200, `[{"message":"Selected route not found","severity":"Warning","location":["request"]}]`, ""},
		"/bad-response":     {201, `[{"location":["response","body","reason_translations"],"severity":"Error","message":"Response body property reason_translations must be object"}]`, ""},
		"/accepted-refused": {200, `[{"location":["request","query","page"],"severity":"Error","message":"Request query parameter page must be >= 1"}]`, ""},
		"/garbled":          {200, `[{`, ""},
		// What Prism 5.16.0 says of every XML body: it reads it as a string (stoplightio/prism#2050).
		"/xml-user":         {200, `[{"location":["response","body"],"severity":"Error","message":"Response body must be object"}]`, "application/xml; charset=utf-8"},
		"/xml-identity":     {200, `[{"location":["request","body"],"severity":"Error","message":"Request body must be object"}]`, "application/json"},
		"/xml-bad-header":   {200, `[{"location":["response","headers","x-rate"],"severity":"Error","message":"must be integer"}]`, "application/xml"},
		"/json-as-xml-type": {200, `[{"location":["response","body"],"severity":"Error","message":"Response body must be object"}]`, "application/json"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.URL.Path]
		require.True(t, ok, r.URL.Path)
		if a.header != "" {
			w.Header().Set("sl-violations", a.header)
		}
		if a.contentType != "" {
			w.Header().Set("Content-Type", a.contentType)
		}
		w.WriteHeader(a.status)
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	return u
}

func throughFront(t *testing.T, f *front, paths ...string) {
	srv := httptest.NewServer(f)
	defer srv.Close()
	for _, p := range paths {
		resp, err := http.Get(srv.URL + p + "?id_verification_token=secret")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Empty(t, resp.Header.Get("sl-violations"), "the suite sees the mock's answer as the mock sent it")
	}
}

func TestTheFrontFailsOnResponseViolationsAndDisagreements(t *testing.T) {
	prism := fakePrism(t)
	f := newFront(prism, prism)
	throughFront(t, f, "/ok", "/refused", "/page")
	res := f.result("eeid")
	assert.True(t, res.passed(), "a request refused by both, or outside the spec, is no finding: %s", res.summary())
	assert.Equal(t, 3, res.exchanges)
	assert.Equal(t, 2, res.requests)

	f = newFront(prism, prism)
	throughFront(t, f, "/ok", "/bad-response")
	res = f.result("eeid")
	assert.False(t, res.passed())
	require.Len(t, res.violations, 1)
	assert.Equal(t, violation{Method: "GET", Path: "/bad-response", Status: 201, Location: "response.body.reason_translations", Severity: "Error",
		Message: "Response body property reason_translations must be object"}, res.violations[0], "the path without its query, which may carry a token")

	f = newFront(prism, prism)
	throughFront(t, f, "/accepted-refused")
	res = f.result("eeid")
	assert.False(t, res.passed(), "Prism refused a request the mock accepted")
	require.Len(t, res.disagreements, 1)
	assert.Equal(t, "request.query.page", res.disagreements[0].Location)

	f = newFront(prism, prism)
	throughFront(t, f, "/garbled")
	res = f.result("eeid")
	assert.False(t, res.passed(), "a header that does not parse hides what Prism found")
	require.Len(t, res.errs, 1)

	f = newFront(prism, prism)
	res = f.result("eeid")
	assert.False(t, res.passed(), "nothing went through Prism")
}

// Prism's findings on an XML body, request or response, are set aside and counted: Prism 5.16.0
// reads XML as a string. Its other findings on the same exchanges, and its body findings on JSON,
// still fail the gate.
func TestTheFrontSetsAsidePrismsFindingsOnXMLBodies(t *testing.T) {
	prism := fakePrism(t)
	f := newFront(prism, prism)
	srv := httptest.NewServer(f)
	defer srv.Close()
	send := func(path, contentType string) {
		body := `<user_identity><token>t</token></user_identity>`
		if contentType == "application/json" {
			body = `{"token": "t"}`
		}
		resp, err := http.Post(srv.URL+path, contentType, strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
	}
	send("/ok", "application/xml")
	send("/xml-user", "application/json")
	send("/xml-identity", "application/xml")
	res := f.result("bundeling")
	assert.True(t, res.passed(), res.summary())
	assert.Equal(t, 2, res.xmlBodies)
	assert.Contains(t, res.summary(), "2 findings on XML bodies set aside")

	send("/xml-bad-header", "application/xml")
	send("/json-as-xml-type", "application/xml")
	send("/xml-identity", "application/json")
	res = f.result("bundeling")
	assert.False(t, res.passed())
	assert.Equal(t, 2, res.xmlBodies, "nothing more set aside")
	require.Len(t, res.violations, 2)
	assert.Equal(t, "response.headers.x-rate", res.violations[0].Location, "a header of an XML answer")
	assert.Equal(t, "response.body", res.violations[1].Location, "a JSON answer's body")
	require.Len(t, res.disagreements, 1)
	assert.Equal(t, "request.body", res.disagreements[0].Location, "a JSON request's body")
}

// recorder is a server that keeps the bodies it was sent.
type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
	url    *url.URL
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		require.NoError(t, err)
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	var err error
	r.url, err = url.Parse(srv.URL)
	require.NoError(t, err)
	return r
}

func (r *recorder) take() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.bodies
	r.bodies = nil
	return b
}

func TestBodiesPrismCannotCarryGoStraightToTheMock(t *testing.T) {
	prism, mock := newRecorder(t), newRecorder(t)
	f := newFront(prism.url, mock.url)
	srv := httptest.NewServer(f)
	defer srv.Close()
	send := func(contentType string, body []byte) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/api/ident/v1/identification_requests", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", contentType)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}

	for _, c := range []struct{ contentType, body string }{
		{"application/json", `{"claims_required": []}`},
		{"application/json; charset=utf-8", `[1, 2]`},
		{"application/json", ``},
		{"text/plain", `{"claims_required": [`},
		{"application/x-www-form-urlencoded", `a=%zz`},
		{"not a media type", `{`},
		{"application/json", `{"a": 1}` + strings.Repeat(" ", apihttp.DefaultMaxBodyBytes-8)},
	} {
		send(c.contentType, []byte(c.body))
		assert.Equal(t, [][]byte{[]byte(c.body)}, prism.take(), "through Prism: %s %q", c.contentType, c.body)
		assert.Empty(t, mock.take())
	}
	big := bytes.Repeat([]byte("a"), prismBodyLimit+1)
	for _, c := range []struct {
		contentType string
		body        []byte
	}{
		{"application/json", []byte(`{"claims_required": [`)},
		{"application/problem+json", []byte(`{"title": `)},
		{"application/json", []byte(`{"a": 1} {"b": 2}`)},
		{"application/octet-stream", big},
		{"application/json", []byte("{\"name\": \"Zo\xe9\"}")},
		{"application/json", append([]byte(`{"a": 1}`), bytes.Repeat([]byte(" "), apihttp.DefaultMaxBodyBytes)...)},
	} {
		send(c.contentType, c.body)
		assert.Equal(t, [][]byte{c.body}, mock.take(), "straight to the mock, the body whole: %s %.40q", c.contentType, c.body)
		assert.Empty(t, prism.take())
	}
	res := f.result("eeid")
	assert.Equal(t, 7, res.exchanges)
	assert.Equal(t, 6, res.direct)
}

func TestGroupCollapsesArrayIndices(t *testing.T) {
	v := func(i string) violation {
		return violation{Method: "GET", Path: "/api/ident/v1/identification_requests", Status: 200, Severity: "Error",
			Location: "response.body.items." + i + ".reason_translations", Message: "Response body property items." + i + ".reason_translations must be object"}
	}
	lines := group([]violation{v("0"), v("1"), v("12"), {Method: "POST", Path: "/x", Status: 201, Severity: "Error", Location: "response.body.id", Message: "must match pattern"}})
	assert.Equal(t, []string{
		"3x Error response.body.items.*.reason_translations: Response body property items.*.reason_translations must be object (first: GET /api/ident/v1/identification_requests -> 200)",
		"1x Error response.body.id: must match pattern (first: POST /x -> 201)",
	}, lines)
}

func TestRunRefusesAnUnpinnedPrismAndUnknownAPIs(t *testing.T) {
	var out strings.Builder
	for _, args := range [][]string{
		{"--idvkit", "idvkit", "--prism", "@stoplight/prism-cli@latest"},
		{"--idvkit", "idvkit", "--prism", "@stoplight/prism-cli"},
		{"--prism", "@stoplight/prism-cli@5.16.0"},
	} {
		assert.ErrorContains(t, run(context.Background(), args, &out, &out), "want --idvkit PATH and --prism @stoplight/prism-cli@X.Y.Z", args)
	}
	err := run(context.Background(), []string{"--idvkit", "idvkit", "--prism", "@stoplight/prism-cli@5.16.0", "--api", "eeid,control"}, &out, &out)
	assert.ErrorContains(t, err, `no API "control"`)
}
