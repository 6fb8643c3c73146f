package mockserver_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/openapi"
)

// noSessionOnPurpose allows what the host checks send to see a host answered: a RamBase session
// asked for without a token, which its API answers 401.
var noSessionOnPurpose = mocktest.AllowViolations("getCurrentSession", "required")

// integratorLogin is the status of the RandaVerify fixture admin's password login.
func integratorLogin(t *testing.T, m *mocktest.Server) int {
	t.Helper()
	form := url.Values{"username": {"integrator"}, "password": {"integrator-password"}}
	return m.Call(t, "POST", "/randaverify/login", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte(form.Encode())).Status
}

// assertForbidden checks a 403 in the control API's shape that names field.
func assertForbidden(t *testing.T, r controlReply, field, what string) {
	t.Helper()
	assert.Equal(t, http.StatusForbidden, r.status, "%s: %s", what, r.raw)
	assert.Contains(t, string(r.raw), `"error":"forbidden"`, what)
	assert.Contains(t, string(r.raw), `"field":"`+field+`"`, what)
}

// A page on another site cannot drive the control API of a mock without a token: the form POST of
// the attack (a cross-site Origin, a form body) is refused and the account stays active, while a
// program's call, with neither header, suspends it.
func TestControlRefusesACrossSiteFormAndChangesNothing(t *testing.T) {
	m := mocktest.New(t)
	require.Equal(t, http.StatusOK, integratorLogin(t, m))
	form := http.Header{"Origin": {"https://evil.example"}, "Content-Type": {"application/x-www-form-urlencoded"}}
	for _, path := range []string{"/randaverify/users/12/suspend", "/reset"} {
		assertForbidden(t, callControl(t, m, "POST", path, form, "x=1"), "Origin", path)
	}
	assert.Equal(t, http.StatusOK, integratorLogin(t, m), "the account is still active")

	r := callControl(t, m, "POST", "/randaverify/users/12/suspend", nil, "")
	require.Equal(t, http.StatusNoContent, r.status, string(r.raw))
	assert.Equal(t, http.StatusForbidden, integratorLogin(t, m), "a program's call suspends it")
}

// The headers a browser sends on a state-changing call, one at a time. Same-site is refused too: every
// other port of localhost is the same site. Reads are not judged: a page cannot read another
// origin's answer, and DNS rebinding is the Host check's.
func TestControlJudgesEachCrossSiteHeader(t *testing.T) {
	m := mocktest.New(t)
	for _, c := range []struct {
		name, header, value string
		refused             bool
	}{
		{"no header (a program)", "", "", false},
		{"Origin of the mock itself", "Origin", m.URL, false},
		{"Origin of another site", "Origin", "https://evil.example", true},
		{"Origin of another port", "Origin", "http://127.0.0.1:1", true},
		{"Origin null (a page that hides its origin)", "Origin", "null", true},
		{"Sec-Fetch-Site same-origin", "Sec-Fetch-Site", "same-origin", false},
		{"Sec-Fetch-Site none (typed by the user)", "Sec-Fetch-Site", "none", false},
		{"Sec-Fetch-Site same-site", "Sec-Fetch-Site", "same-site", true},
		{"Sec-Fetch-Site cross-site", "Sec-Fetch-Site", "cross-site", true},
	} {
		h := http.Header{"Content-Type": {"application/json"}}
		if c.header != "" {
			h.Set(c.header, c.value)
		}
		before := clockOf(t, m)
		r := callControl(t, m, "POST", "/clock/advance", h, `{"seconds":1}`)
		if c.refused {
			assertForbidden(t, r, c.header, c.name)
			assert.Equal(t, before, clockOf(t, m), "%s: the clock stays", c.name)
		} else {
			assert.Equal(t, http.StatusOK, r.status, "%s: %s", c.name, r.raw)
		}
		assert.Equal(t, http.StatusOK, callControl(t, m, "GET", "/clock", h, "").status, "%s: a read", c.name)
	}

	public := mocktest.New(t, mocktest.WithConfig(func(c *mockserver.Config) { c.PublicURL = "https://idv.example/mock" }))
	r := callControl(t, public, "POST", "/reset", http.Header{"Origin": {"https://idv.example"}}, "")
	assert.Equal(t, http.StatusNoContent, r.status, "the public URL's origin, behind a proxy that rewrites Host: %s", r.raw)
}

// The control API takes only the media type control.yaml declares, application/json, so none of the
// types a browser sends to another site without asking first (a form, multipart, text/plain) reaches
// a handler. A body-less call may carry no Content-Type at all: curl -X POST and the suite send none.
func TestControlTakesOnlyTheContentTypeItDeclares(t *testing.T) {
	m := mocktest.New(t)
	for _, c := range []struct {
		contentType, body string
		want              int
	}{
		{"", "", http.StatusNoContent},
		{"application/json", "", http.StatusNoContent},
		{"application/json; charset=utf-8", `{"clock":"keep"}`, http.StatusNoContent},
		{"application/x-www-form-urlencoded", "", http.StatusUnsupportedMediaType},
		{"application/x-www-form-urlencoded", "clock=restart", http.StatusUnsupportedMediaType},
		{"multipart/form-data; boundary=x", "--x--", http.StatusUnsupportedMediaType},
		{"text/plain", `{"clock":"keep"}`, http.StatusUnsupportedMediaType},
	} {
		var h http.Header
		if c.contentType != "" {
			h = http.Header{"Content-Type": {c.contentType}}
		}
		r := callControl(t, m, "POST", "/reset", h, c.body)
		assert.Equal(t, c.want, r.status, "%q %q: %s", c.contentType, c.body, r.raw)
		if c.want == http.StatusUnsupportedMediaType {
			assert.Contains(t, string(r.raw), `"field":"Content-Type"`)
		}
	}
	r := callControl(t, m, "GET", "/clock", http.Header{"Content-Type": {"text/plain"}}, "")
	assert.Equal(t, http.StatusUnsupportedMediaType, r.status, "a read too: %s", r.raw)
}

// hostStatus sends GET path to a served mock naming it host, and returns the status and body.
func hostStatus(t *testing.T, m *mocktest.Server, host, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", m.URL+path, nil)
	require.NoError(t, err)
	req.Host = host
	resp, err := m.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = io.Copy(&b, resp.Body)
	return resp.StatusCode, b.String()
}

// hostRoutes are a route of each kind the Host check guards (control API, an API, an end-user page)
// with the status each answers a name the mock serves.
var hostRoutes = []struct {
	path string
	want int
}{
	{"/_mock/outbox", http.StatusOK},
	{"/rambase/system/sessions/current", http.StatusUnauthorized},
	{"/_mock/ui/randaverify/reset?token=x", http.StatusBadRequest},
}

// assertHostsAnswered checks each host gets every route's own answer, and assertHostsRefused that
// each gets the Host refusal on every route.
func assertHostsAnswered(t *testing.T, m *mocktest.Server, hosts ...string) {
	t.Helper()
	for _, host := range hosts {
		for _, r := range hostRoutes {
			code, body := hostStatus(t, m, host, r.path)
			assert.Equal(t, r.want, code, "%s %s: %s", host, r.path, body)
		}
	}
}

func assertHostsRefused(t *testing.T, m *mocktest.Server, hosts ...string) {
	t.Helper()
	for _, host := range hosts {
		for _, r := range hostRoutes {
			code, body := hostStatus(t, m, host, r.path)
			assert.Equal(t, http.StatusForbidden, code, "%s %s: %s", host, r.path, body)
			assert.Contains(t, body, `"field":"Host"`, "%s %s", host, r.path)
		}
	}
}

// The mock answers, on every route, only a Host no attacker's DNS can point at it, whatever address
// it listens on, as Vite and webpack-dev-server do: an IP literal (any: a container is reached at
// its own), localhost and names under .localhost (browsers resolve them to loopback themselves),
// each in any case and with the trailing dot of a fully qualified name. A page whose own name its
// DNS points at the mock (DNS rebinding) reads neither the outbox nor an API nor a page, and the
// refusal says which flag admits a name.
func TestMockAnswersOnlyHostsNoDNSCanRebind(t *testing.T) {
	m := mocktest.New(t, noSessionOnPurpose)
	port := m.URL[strings.LastIndex(m.URL, ":"):]
	assertHostsAnswered(t, m, "127.0.0.1"+port, "127.1.2.3", "10.0.0.5", "10.0.0.5"+port, "[::1]"+port, "[::1]",
		"[::ffff:127.0.0.1]"+port, "[2001:db8::5]",
		"localhost"+port, "localhost", "localhost.", "localhost."+port, "LOCALHOST"+port, "LocalHost.",
		"app.localhost"+port, "app.localhost", "App.LocalHost.", "a.b.localhost"+port)
	assertHostsRefused(t, m, "localhost.evil.com", "localhost.evil.com"+port, "127.0.0.1.nip.io"+port, "evil.com", "evil.com.",
		"rebind.evil.com:18415", "localhost..", "xlocalhost", "applocalhost"+port, "localhost.com", "10.0.0.5.evil.com", "mock.test")

	code, body := hostStatus(t, m, "Rebind.Evil.com:18415", "/_mock/outbox")
	require.Equal(t, http.StatusForbidden, code, body)
	assert.Contains(t, body, `start it with --allowed-hosts rebind.evil.com`, "the refusal names the flag that admits the name")
	assert.Contains(t, body, `IDVKIT_ALLOWED_HOSTS`)
}

// Names someone means (a docker-compose service, host.docker.internal) are answered once listed in
// AllowedHosts, in any case and with a trailing dot, and no others; * answers any name; the public
// URL's host is answered without a listing.
func TestAllowedHostsAndThePublicURLAdmitTheirNamesOnly(t *testing.T) {
	listed := mocktest.New(t, noSessionOnPurpose, mocktest.WithConfig(func(c *mockserver.Config) {
		c.AllowedHosts = []string{"idvkit", "Host.Docker.Internal."}
	}))
	assertHostsAnswered(t, listed, "idvkit:8080", "idvkit", "IDVKIT.", "host.docker.internal:8080", "host.docker.internal.", "localhost", "10.0.0.5")
	assertHostsRefused(t, listed, "idvkit.evil.com", "evil.com", "docker.internal", "internal", "idvkit2:8080")

	assertHostsRefused(t, mocktest.New(t, noSessionOnPurpose), "idvkit:8080", "evil.com")
	assertHostsAnswered(t, mocktest.New(t, noSessionOnPurpose, mocktest.WithConfig(func(c *mockserver.Config) { c.AllowedHosts = []string{"*"} })),
		"idvkit:8080", "evil.com", "rebind.evil.com:18415", "localhost")

	public := mocktest.New(t, noSessionOnPurpose, mocktest.WithConfig(func(c *mockserver.Config) { c.PublicURL = "http://Mock.Test:8080" }))
	assertHostsAnswered(t, public, "mock.test:8080", "mock.test", "MOCK.TEST.", "localhost")
	assertHostsRefused(t, public, "evil.com", "test", "mock.test.evil.com")
}

// A listed name that could never equal a Host's name (a URL, a port, brackets, a pattern) is refused
// when the mock is built, rather than silently never matching.
func TestAllowedHostsTakesOnlyHostNames(t *testing.T) {
	for _, name := range []string{"idvkit", "idvkit.", "host.docker.internal", "*", "10.0.0.5"} {
		s, err := mockserver.New(mockserver.Config{AllowedHosts: []string{name}})
		require.NoError(t, err, name)
		s.Close()
	}
	for _, name := range []string{"", ".", "http://idvkit", "idvkit:8080", "[::1]", "::1", "*.example.com", "user@idvkit", "id vkit"} {
		_, err := mockserver.New(mockserver.Config{AllowedHosts: []string{name}})
		assert.ErrorContains(t, err, fmt.Sprintf("allowed host %q: want a host name", name), name)
	}
}

// The control token still guards every call but the health check, alongside the browser checks.
func TestControlTokenWorksBesideTheBrowserChecks(t *testing.T) {
	m := mocktest.New(t, mocktest.WithControlToken("s3cret"))
	for _, auth := range []string{"Bearer s3cret", "bearer s3cret"} {
		r := callControl(t, m, "POST", "/reset", http.Header{"Authorization": {auth}}, "")
		assert.Equal(t, http.StatusNoContent, r.status, "%s: %s", auth, r.raw)
	}
	for _, auth := range []string{"", "Bearer s3cre", "Bearer s3cret2", "Basic czNjcmV0"} {
		r := callControl(t, m, "POST", "/reset", http.Header{"Authorization": {auth}}, "")
		assert.Equal(t, http.StatusUnauthorized, r.status, "%q: %s", auth, r.raw)
	}
	r := callControl(t, m, "POST", "/reset", http.Header{"Authorization": {"Bearer s3cret"}, "Origin": {"https://evil.example"}}, "")
	assertForbidden(t, r, "Origin", "a cross-site call with the token")
}

// Every control operation documents every status it can answer: a rebound Host, a cross-site call,
// a media type it does not take, a body or headers over the limits, a missing token. callControl
// checks each answer against control.yaml.
func TestEveryControlOperationDocumentsItsRefusals(t *testing.T) {
	m := mocktest.New(t, mocktest.WithControlToken("s3cret"))
	token := http.Header{"Authorization": {"Bearer s3cret"}}
	with := func(h http.Header, k, v string) http.Header {
		h = h.Clone()
		h.Set(k, v)
		return h
	}
	for _, op := range openapi.MustLoad(openapi.Control).Operations() {
		path := strings.NewReplacer("{id}", "1", "{client_id}", "svc").Replace(op.Path)
		what := op.Method + " " + path
		assertForbidden(t, callControl(t, m, op.Method, path, with(token, "Host", "evil.example"), ""), "Host", what)
		if op.Method != http.MethodGet {
			assertForbidden(t, callControl(t, m, op.Method, path, with(token, "Origin", "https://evil.example"), ""), "Origin", what)
		}
		r := callControl(t, m, op.Method, path, with(token, "Content-Type", "text/plain"), "x")
		assert.Equal(t, http.StatusUnsupportedMediaType, r.status, "%s: %s", what, r.raw)
		if op.HasBody() { // an operation that takes none ignores a body
			r = callControl(t, m, op.Method, path, with(token, "Content-Type", "application/json"), strings.Repeat(" ", 1<<20+1))
			assert.Equal(t, http.StatusRequestEntityTooLarge, r.status, "%s: %s", what, r.raw)
		}
		r = callControl(t, m, op.Method, path, with(token, "X-Big", strings.Repeat("a", 64<<10)), "")
		assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, r.status, "%s: %s", what, r.raw)
		if op.ID != "getHealth" {
			r = callControl(t, m, op.Method, path, nil, "")
			assert.Equal(t, http.StatusUnauthorized, r.status, "%s: %s", what, r.raw)
		}
	}
}
