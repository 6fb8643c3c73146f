package mockserver_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

type badCase struct {
	name, method, path, contentType, auth string
	body                                  io.Reader
	want                                  int
	allow                                 string
}

func send(t *testing.T, m *mocktest.Server, c badCase) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(c.method, m.URL+c.path, c.body)
	require.NoError(t, err)
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := m.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body), "error bodies are JSON: %s", raw)
	return resp, body
}

// Every bad request gets a 4xx in RamBase's error shape with httpStatusCode equal to the status
// (RB-13), never a 500.
func TestBadInputGetsRamBaseErrors(t *testing.T) {
	m := mocktest.New(t)
	form := "application/x-www-form-urlencoded"
	huge := strings.Repeat("a", 1<<20+1)
	cases := []badCase{
		{name: "json to a form endpoint", method: "POST", path: "/rambase/oauth2/access_token", contentType: "application/json", body: strings.NewReader(`{"grant_type":"client_credentials"}`), want: 415},
		{name: "malformed form", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, body: strings.NewReader("grant_type=%zz"), want: 400},
		{name: "missing grant_type", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, body: strings.NewReader("client_id=a&client_secret=b"), want: 400},
		{name: "unknown grant_type", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, body: strings.NewReader("grant_type=implicit&client_id=a&client_secret=b"), want: 400},
		{name: "empty body", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, want: 400},
		{name: "password grant without username", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, body: strings.NewReader("grant_type=password&client_id=forecast-api&client_secret=forecast-secret"), want: 400},
		{name: "body over 1 MiB", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, body: strings.NewReader("grant_type=" + huge), want: 413},
		{name: "chunked body over 1 MiB", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, body: io.MultiReader(strings.NewReader("grant_type="), strings.NewReader(huge)), want: 413},
		{name: "missing parameter", method: "GET", path: "/rambase/id-verification", auth: "Bearer x", want: 400},
		{name: "auth before parameters", method: "GET", path: "/rambase/id-verification", want: 401},
		{name: "wrong auth scheme", method: "GET", path: "/rambase/system/sessions/current", auth: "Basic eDp5", want: 401},
		{name: "empty bearer", method: "GET", path: "/rambase/system/sessions/current", auth: "Bearer ", want: 401},
		{name: "non-numeric id", method: "GET", path: "/rambase/system/users/abc", auth: "Bearer x", want: 400},
		{name: "unsupported $format", method: "GET", path: "/rambase/system/sessions/current?$format=xml", auth: "Bearer x", want: 400},
		{name: "too large before media type", method: "POST", path: "/rambase/oauth2/access_token", contentType: "application/json", body: strings.NewReader(huge), want: 413},
		{name: "media type before body schema", method: "POST", path: "/rambase/oauth2/access_token", contentType: "text/plain", body: strings.NewReader("grant_type=nope"), want: 415},
		{name: "auth before too large", method: "GET", path: "/rambase/system/sessions/current", body: strings.NewReader(huge), want: 401},
		{name: "unknown path", method: "GET", path: "/rambase/nope", want: 404},
		{name: "wrong method", method: "DELETE", path: "/rambase/id-verification", want: 405, allow: "GET"},
		{name: "wrong method on token endpoint", method: "GET", path: "/rambase/oauth2/access_token", want: 405, allow: "POST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := send(t, m, c)
			assert.Equal(t, c.want, resp.StatusCode, body)
			assert.EqualValues(t, c.want, body["httpStatusCode"], "RB-13")
			assert.NotEmpty(t, body["message"])
			if c.allow != "" {
				assert.Equal(t, c.allow, resp.Header.Get("Allow"))
			}
		})
	}
}

func TestBadInputGetsControlErrors(t *testing.T) {
	m := mocktest.New(t)
	j := "application/json"
	cases := []badCase{
		{name: "principal without role", method: "POST", path: "/_mock/principals", contentType: j, body: strings.NewReader(`{}`), want: 400},
		{name: "principal with junk json", method: "POST", path: "/_mock/principals", contentType: j, body: strings.NewReader(`{"role":`), want: 400},
		{name: "unknown role", method: "POST", path: "/_mock/principals", contentType: j, body: strings.NewReader(`{"role":"rambase.nobody"}`), want: 404},
		{name: "clock backwards", method: "PUT", path: "/_mock/clock", contentType: j, body: strings.NewReader(`{"now":"2000-01-01T00:00:00Z"}`), want: 409},
		{name: "negative advance", method: "POST", path: "/_mock/clock/advance", contentType: j, body: strings.NewReader(`{"seconds":-1}`), want: 400},
		{name: "fixtures with unknown field", method: "PUT", path: "/_mock/fixtures", contentType: j, body: strings.NewReader(`{"rambase":{"system":"A","database":"B","typo":1}}`), want: 400},
		{name: "unknown control path", method: "GET", path: "/_mock/nope", want: 404},
		{name: "outside every prefix", method: "GET", path: "/nope", want: 404},
		{name: "end session of nobody", method: "POST", path: "/rambase/_mock/rambase/sessions/end", contentType: j, body: strings.NewReader(`{"access_token":"x"}`), want: 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := send(t, m, c)
			assert.Equal(t, c.want, resp.StatusCode, body)
			assert.NotEmpty(t, body["error"])
			assert.NotEmpty(t, body["message"])
		})
	}
}

// A fixture set that passes the schema but cannot be seeded is refused, and the mock keeps the old
// set: a rejected request never corrupts state.
func TestRejectedFixturesLeaveTheOldSet(t *testing.T) {
	m := mocktest.New(t)
	dup := `{"rambase":{"system":"A","database":"B","users":[
		{"role":"rambase.internal_user","user_id":1,"username":"u","password":"p","name":"U"},
		{"role":"rambase.internal_user","user_id":1,"username":"v","password":"p","name":"V"}]}}`
	resp, _ := send(t, m, badCase{method: "PUT", path: "/_mock/fixtures", contentType: "application/json", body: strings.NewReader(dup)})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "HATTELAND", m.Fixtures().RamBase.System)

	login := bytes.NewBufferString("grant_type=password&client_id=forecast-api&client_secret=forecast-secret&username=anna&password=anna-password")
	req, _ := http.NewRequest("POST", m.APIURL("rambase")+"/oauth2/access_token", login)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r, err := m.Client().Do(req)
	require.NoError(t, err)
	r.Body.Close()
	assert.Equal(t, http.StatusOK, r.StatusCode, "the default users still log in")
}

// Fixtures without a RamBase part leave no RamBase roles behind: principals come from the set in
// use, never from an earlier one.
func TestReplacedFixturesRetireOldRoles(t *testing.T) {
	m := mocktest.New(t)
	resp, _ := send(t, m, badCase{method: "PUT", path: "/_mock/fixtures", contentType: "application/json", body: strings.NewReader(`{}`)})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, body := send(t, m, badCase{method: "POST", path: "/_mock/principals", contentType: "application/json",
		body: strings.NewReader(`{"role":"rambase.internal_user"}`)})
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, body)
}
