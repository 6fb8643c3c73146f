package mocktest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/journal"
	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// endable is a testing.TB whose end a test brings about: it keeps what New registers to run at the
// end, and the errors reported then.
type endable struct {
	testing.TB
	cleanups []func()
	errors   []string
}

func (e *endable) Helper()                   {}
func (e *endable) Cleanup(f func())          { e.cleanups = append(e.cleanups, f) }
func (e *endable) Error(args ...any)         { e.errors = append(e.errors, fmt.Sprint(args...)) }
func (e *endable) Errorf(f string, a ...any) { e.errors = append(e.errors, fmt.Sprintf(f, a...)) }

// end runs the cleanups, last registered first, as testing does, and returns what they reported.
func (e *endable) end() []string {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
	return e.errors
}

// login sends RamBase's login with a form, as a client under test would.
func login(t *testing.T, m *mocktest.Server, form url.Values) int {
	t.Helper()
	resp, err := m.Client().PostForm(m.APIURL("rambase")+"/oauth2/access_token", form)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

var (
	goodLogin = url.Values{"grant_type": {"client_credentials"}, "client_id": {"forecast-api"}, "client_secret": {"forecast-secret"}}
	badLogin  = url.Values{"grant_type": {"implicit"}, "client_id": {"forecast-api"}, "client_secret": {"forecast-secret"}}
)

// A test whose client sent only good requests passes; one whose client sent a request that breaks
// the contract fails when it ends, with a message that names the request, the operation, the field,
// the rule and the reason, though the client swallowed the 400.
func TestATestFailsWhenItsClientBrokeTheContract(t *testing.T) {
	good := &endable{TB: t}
	m := mocktest.New(good)
	require.Equal(t, http.StatusOK, login(t, m, goodLogin))
	assert.Empty(t, good.end())

	bad := &endable{TB: t}
	m = mocktest.New(bad)
	require.Equal(t, http.StatusOK, login(t, m, goodLogin))
	require.Equal(t, http.StatusBadRequest, login(t, m, badLogin))
	assert.Equal(t, []string{`mocktest: the code under test sent 1 request that broke the API contract:

  POST /rambase/oauth2/access_token -> 400
    POST /oauth2/access_token: body.grant_type must be one of: password, client_credentials
    operation getAccessToken, field /body/grant_type, rule enum (rambase.yaml#/paths/~1oauth2~1access_token/post)

A test that sends it on purpose allows it: mocktest.New(t, mocktest.AllowViolations("getAccessToken", "enum"))`}, bad.end())
}

// Each violation is listed, and the allowance the hint offers names every rule each operation broke.
func TestEveryViolationIsListed(t *testing.T) {
	e := &endable{TB: t}
	m := mocktest.New(e)
	login(t, m, badLogin)
	login(t, m, url.Values{"grant_type": {"password"}})
	resp, err := m.Client().Get(m.URL + "/rambase/no-such-thing?token=abc")
	require.NoError(t, err)
	resp.Body.Close()
	errs := e.end()
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0], "sent 3 requests that broke the API contract")
	assert.Contains(t, errs[0], "POST /oauth2/access_token: body.client_id is required")
	assert.Contains(t, errs[0], "  GET /rambase/no-such-thing?token=<3 chars> -> 404\n    GET /rambase/no-such-thing: the rambase spec has no such path\n    operation none, field /path, rule path (rambase.yaml#/paths)")
	assert.True(t, strings.HasSuffix(errs[0], `allows them: mocktest.New(t, mocktest.AllowViolations("getAccessToken", "enum", "required"), mocktest.AllowViolations("", "path"))`), errs[0])
	assert.NotContains(t, errs[0], "forecast-secret")
}

// AllowViolations allows what a test sends on purpose, by operation and rule or field, and only that.
func TestAllowViolationsAllowsOnlyWhatItNames(t *testing.T) {
	for _, c := range []struct {
		name  string
		allow mocktest.Option
		fails bool
	}{
		{"the operation and rule", mocktest.AllowViolations("getAccessToken", "enum"), false},
		{"the operation and field", mocktest.AllowViolations("getAccessToken", "/body/grant_type"), false},
		{"the operation, any rule", mocktest.AllowViolations("getAccessToken"), false},
		{"any operation", mocktest.AllowViolations("*", "enum"), false},
		{"another rule", mocktest.AllowViolations("getAccessToken", "required"), true},
		{"another field", mocktest.AllowViolations("getAccessToken", "/body/client_id"), true},
		{"another operation", mocktest.AllowViolations("getCurrentSession", "enum"), true},
		{"no operation (an unknown path)", mocktest.AllowViolations("", "enum"), true},
	} {
		e := &endable{TB: t}
		m := mocktest.New(e, c.allow)
		login(t, m, badLogin)
		errs := e.end()
		assert.Equal(t, c.fails, len(errs) == 1, "%s: %v", c.name, errs)
		assert.Len(t, m.Violations(), 1, "%s: an allowed violation is still listed", c.name)
	}
	e := &endable{TB: t}
	m := mocktest.New(e, mocktest.AllowViolations("", "path"))
	resp, err := m.Client().Get(m.URL + "/nowhere")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Empty(t, e.end(), "a path no API serves, allowed")
}

// The journal is readable from Go: what the code under test sent, in order, each value by its shape.
func TestRequestsAreReadableFromGo(t *testing.T) {
	m := mocktest.New(t, mocktest.AllowViolations("getAccessToken", "enum"))
	login(t, m, goodLogin)
	login(t, m, badLogin)
	login(t, m, goodLogin)
	all := m.Requests(journal.Filter{})
	require.Len(t, all, 3)
	assert.Equal(t, []int{200, 400, 200}, []int{all[0].Status, all[1].Status, all[2].Status}, "oldest first")
	assert.Equal(t, "getAccessToken", all[0].Operation)
	assert.Equal(t, map[string]any{"grant_type": "<18 chars>", "client_id": "<12 chars>", "client_secret": "<15 chars>"}, all[0].Body)
	assert.Len(t, m.Requests(journal.Filter{Operation: "getAccessToken", Status: "2xx"}), 2, "logged in twice")
	violations := m.Violations()
	require.Len(t, violations, 1)
	assert.Equal(t, "/body/grant_type", violations[0].Violation.Pointer)

	_, err := m.Client().Get(m.ControlURL() + "/capabilities")
	require.NoError(t, err)
	assert.Len(t, m.Requests(journal.Filter{}), 3, "the control API's calls are not the client's")
}

// A violation fails the test though the journal no longer lists it: pushed out by the allowed bad
// requests after it (the journal keeps its last N), or cleared through the control API.
func TestAViolationTheJournalLetGoOfStillFailsTheTest(t *testing.T) {
	keepTwo := mocktest.WithConfig(func(c *mockserver.Config) { c.JournalSize = 2 })
	noSecret := url.Values{"grant_type": {"client_credentials"}, "client_id": {"forecast-api"}}

	flooded := &endable{TB: t}
	m := mocktest.New(flooded, keepTwo, mocktest.AllowViolations("getAccessToken", "enum"))
	require.Equal(t, http.StatusBadRequest, login(t, m, noSecret))
	require.Len(t, m.Violations(), 1, "listed at first")
	for range 3 {
		require.Equal(t, http.StatusBadRequest, login(t, m, badLogin))
	}
	for _, v := range m.Violations() {
		assert.Equal(t, "enum", v.Violation.Rule, "the missing secret is no longer listed")
	}
	errs := flooded.end()
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0], "sent 1 request that broke the API contract")
	assert.Contains(t, errs[0], "field /body/client_secret, rule required")

	cleared := &endable{TB: t}
	m = mocktest.New(cleared)
	require.Equal(t, http.StatusBadRequest, login(t, m, noSecret))
	r := m.Call(t, http.MethodDelete, "/_mock/violations", nil, nil)
	require.Equal(t, http.StatusNoContent, r.Status, string(r.Raw))
	assert.Empty(t, m.Violations())
	errs = cleared.end()
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0], "field /body/client_secret, rule required")
}
