package rambase_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/password"
)

type badCase struct {
	name, method, path, contentType, auth string
	body                                  io.Reader
	want                                  int
	allow                                 string
}

// sendRaw sends a request with its path exactly as given (no cleaning) and decodes the JSON answer.
func sendRaw(t *testing.T, m *mocktest.Server, c badCase) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(c.method, m.URL, c.body)
	require.NoError(t, err)
	req.URL.Opaque = c.path // sent as written: // and .. and %72 reach the server
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
// (RB-13), never a 500; credentials are judged first, then size, then media type, then the rest.
func TestBadInputGetsRamBaseErrors(t *testing.T) {
	c := newClient(t, mocktest.AllowViolations("*")) // every request here is bad input
	m := c.m
	valid := "Bearer " + c.clientToken(c.principal("rambase.api_client"), nil)
	form := "application/x-www-form-urlencoded"
	const limit = 1 << 20
	atLimit := "grant_type=" + strings.Repeat("a", limit-len("grant_type="))
	cases := []badCase{
		{name: "json to a form endpoint", method: "POST", path: "/rambase/oauth2/access_token", contentType: "application/json", body: strings.NewReader(`{"grant_type":"client_credentials"}`), want: 415},
		{name: "malformed form", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, body: strings.NewReader("grant_type=%zz"), want: 400},
		{name: "missing grant_type", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, body: strings.NewReader("client_id=a&client_secret=b"), want: 400},
		{name: "unknown grant_type", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, body: strings.NewReader("grant_type=implicit&client_id=a&client_secret=b"), want: 400},
		{name: "empty body", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, want: 400},
		{name: "password grant without username", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, body: strings.NewReader("grant_type=password&client_id=forecast-api&client_secret=forecast-secret"), want: 400},
		{name: "body of exactly 1 MiB is read", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, body: strings.NewReader(atLimit), want: 400},
		{name: "body of 1 MiB and a byte", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, body: strings.NewReader(atLimit + "a"), want: 413},
		{name: "chunked body of 1 MiB and a byte", method: "POST", path: "/rambase/oauth2/access_token", contentType: form, body: io.MultiReader(strings.NewReader(atLimit), strings.NewReader("a")), want: 413},
		{name: "missing parameter", method: "GET", path: "/rambase/id-verification", auth: valid, want: 400},
		{name: "no credentials before a missing parameter", method: "GET", path: "/rambase/id-verification", want: 401},
		{name: "invalid token before a missing parameter", method: "GET", path: "/rambase/id-verification", auth: "Bearer not-a-token", want: 401},
		{name: "invalid token before a bad id", method: "GET", path: "/rambase/system/users/abc", auth: "Bearer not-a-token", want: 401},
		{name: "wrong auth scheme", method: "GET", path: "/rambase/system/sessions/current", auth: "Basic eDp5", want: 401},
		{name: "empty bearer", method: "GET", path: "/rambase/system/sessions/current", auth: "Bearer ", want: 401},
		{name: "non-numeric id", method: "GET", path: "/rambase/system/users/abc", auth: valid, want: 400},
		{name: "unsupported $format", method: "GET", path: "/rambase/system/sessions/current?$format=xml", auth: valid, want: 400},
		{name: "too large before media type", method: "POST", path: "/rambase/oauth2/access_token", contentType: "application/json", body: strings.NewReader(atLimit + "a"), want: 413},
		{name: "media type before body schema", method: "POST", path: "/rambase/oauth2/access_token", contentType: "text/plain", body: strings.NewReader("grant_type=nope"), want: 415},
		{name: "auth before too large", method: "GET", path: "/rambase/system/sessions/current", body: strings.NewReader(atLimit + "a"), want: 401},
		{name: "unknown path", method: "GET", path: "/rambase/nope", want: 404},
		{name: "double slash", method: "GET", path: "/rambase//system/sessions/current", auth: valid, want: 404},
		{name: "dot segments stay inside the API", method: "POST", path: "/rambase/../_mock/reset", want: 404},
		{name: "percent-encoded prefix", method: "GET", path: "/%72ambase/system/sessions/current", want: 401},
		{name: "wrong method", method: "DELETE", path: "/rambase/id-verification", want: 405, allow: "GET, HEAD"},
		{name: "wrong method on token endpoint", method: "GET", path: "/rambase/oauth2/access_token", want: 405, allow: "POST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := sendRaw(t, m, c)
			assert.Equal(t, c.want, resp.StatusCode, body)
			assert.EqualValues(t, c.want, body["httpStatusCode"], "RB-13")
			assert.NotEmpty(t, body["message"])
			if c.allow != "" {
				assert.Equal(t, c.allow, resp.Header.Get("Allow"))
			}
		})
	}
}

// The session of a client-credentials login is its service user's, and userLink answers for it.
func TestUserLinkOfAClientSessionAnswers(t *testing.T) {
	c := newClient(t)
	verifier := c.clientToken(c.principal("rambase.api_client"), nil)
	client := c.principal("rambase.api_client")
	v := c.verify(c.idvToken(c.clientToken(client, nil)), verifier)
	require.Equal(t, http.StatusOK, v.Status, string(v.Raw))
	link := field(v.JSON, "idVerification", "user", "userLink").(string)
	u := c.get(strings.TrimPrefix(link, c.m.APIURL("rambase")), verifier)
	assert.Equal(t, http.StatusOK, u.Status, string(u.Raw))
	assert.Equal(t, client.ID, text(field(u.JSON, "user", "userId")))
}

// A login of a user who does not exist costs what a wrong password costs, at the mock's bcrypt cost:
// timing must not reveal which usernames exist. (With the dummy made at the minimum cost, an unknown
// user answered 40 times faster on a served mock.) The tries alternate and the fastest of each is
// compared, so that a busy machine can only slow both. (password's
// TestEveryCheckCostsTheSameWhateverItsOutcome counts the comparisons themselves.)
func TestUnknownUserCostsWhatAWrongPasswordCosts(t *testing.T) {
	const cost = 8
	c := newClient(t, mocktest.WithConfig(func(cfg *mockserver.Config) { cfg.PasswordCost = cost }))
	p := c.principal("rambase.internal_user")
	try := func(username string) time.Duration {
		form := userForm(p)
		form.Set("username", username)
		form.Set("password", "wrong-password")
		began := time.Now()
		r := c.token(form)
		took := time.Since(began)
		require.EqualValues(t, 2, r.JSON["error_code"])
		return took
	}
	wrong, unknown := time.Hour, time.Hour
	for range 7 {
		wrong = min(wrong, try(p.Username))
		unknown = min(unknown, try("nobody-"+p.Username))
	}
	assert.Greater(t, unknown, wrong/2, "unknown user %s, wrong password %s", unknown, wrong)
	assert.Greater(t, wrong, unknown/2, "unknown user %s, wrong password %s", unknown, wrong)
}

// A thousand fixture users are seeded in a moment at the served mock's password cost (bcrypt for
// each took 65 s, longer than a client waits), and every one of them can log in.
func TestAThousandFixtureUsersSeedAtOnce(t *testing.T) {
	c := newClient(t, mocktest.WithConfig(func(cfg *mockserver.Config) { cfg.PasswordCost = password.DefaultCost }))
	var users []string
	for i := range 1000 {
		users = append(users, fmt.Sprintf(`{"role":"rambase.internal_user","user_id":%d,"username":"u%d","password":"p%d","name":"U %d"}`, 1000+i, i, i, i))
	}
	set := `{"rambase":{"system":"S","database":"D","clients":[{"role":"rambase.api_client","client_id":"c","client_secret":"s","user_id":1}],"users":[` + strings.Join(users, ",") + `]}}`
	began := time.Now()
	r := c.control(http.MethodPut, "/fixtures", json.RawMessage(set))
	took := time.Since(began)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	assert.Less(t, took, 20*time.Second, "seeding took %s (bcrypt per user took over a minute)", took)
	login := c.token(url.Values{"grant_type": {"password"}, "client_id": {"c"}, "client_secret": {"s"}, "username": {"u999"}, "password": {"p999"}})
	assert.Equal(t, http.StatusOK, login.Status, string(login.Raw))
}

// A fixture set that passes the schema but cannot be seeded is refused, and the mock keeps the old
// set: a rejected request never corrupts state.
func TestRejectedFixturesLeaveTheOldSet(t *testing.T) {
	c := newClient(t)
	dup := `{"rambase":{"system":"A","database":"B","users":[
		{"role":"rambase.internal_user","user_id":1,"username":"u","password":"p","name":"U"},
		{"role":"rambase.internal_user","user_id":1,"username":"v","password":"p","name":"V"}]}}`
	r := c.control(http.MethodPut, "/fixtures", json.RawMessage(dup))
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, string(c.m.Fixtures()["rambase"]), "HATTELAND")
	login := c.token(url.Values{"grant_type": {"password"}, "client_id": {"forecast-api"}, "client_secret": {"forecast-secret"}, "username": {"anna"}, "password": {"anna-password"}})
	assert.Equal(t, http.StatusOK, login.Status, "the default users still log in")
}

// Fixtures without a RamBase part leave no RamBase roles behind: principals come from the set in
// use, never from an earlier one.
func TestReplacedFixturesRetireOldRoles(t *testing.T) {
	c := newClient(t)
	require.Equal(t, http.StatusOK, c.control(http.MethodPut, "/fixtures", json.RawMessage(`{}`)).Status)
	r := c.control(http.MethodPost, "/principals", map[string]string{"role": "rambase.internal_user"})
	assert.Equal(t, http.StatusNotFound, r.Status, string(r.Raw))
}

// A reset forgets every session: one that was stored (it read its ID verification token) and one
// that lived in its access token alone (the verifier's, which never changed).
func TestResetForgetsSessions(t *testing.T) {
	c := newClient(t)
	verifier := c.clientToken(c.principal("rambase.api_client"), nil)
	tok := c.userToken(c.principal("rambase.internal_user"))
	require.Equal(t, http.StatusOK, c.verify(c.idvToken(tok), verifier).Status)
	require.Equal(t, http.StatusNoContent, c.control(http.MethodPost, "/reset", nil).Status)
	assert.Equal(t, http.StatusUnauthorized, c.get("/system/sessions/current", tok).Status)
	assert.Equal(t, http.StatusUnauthorized, c.get("/id-verification-token", verifier).Status)
}

func TestPublicURLIsWrittenIntoLinks(t *testing.T) {
	c := newClient(t, mocktest.WithConfig(func(cfg *mockserver.Config) { cfg.PublicURL = "https://idv.example/" }))
	verifier := c.clientToken(c.principal("rambase.api_client"), nil)
	user := c.principal("rambase.internal_user")
	v := c.verify(c.idvToken(c.userToken(user)), verifier)
	assert.Equal(t, "https://idv.example/rambase/system/users/"+user.ID+"?$format=json", field(v.JSON, "idVerification", "user", "userLink"))
}
