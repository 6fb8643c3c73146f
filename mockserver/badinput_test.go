package mockserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

const formType = "application/x-www-form-urlencoded"

var (
	formHeader = http.Header{"Content-Type": {formType}}
	jsonHeader = http.Header{"Content-Type": {"application/json"}}
)

// rvToken logs a RandaVerify principal in and returns its bearer header.
func rvToken(t *testing.T, m *mocktest.Server, role string) http.Header {
	t.Helper()
	p := m.Principal(t, role)
	r := m.Call(t, http.MethodPost, "/randaverify/login", formHeader, []byte(url.Values{"username": {p.Username}, "password": {p.Password}}.Encode()))
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	return http.Header{"Authorization": {"Bearer " + r.JSON["access_token"].(string)}, "Content-Type": {"application/json"}}
}

// eeidToken gets a bearer header for an eeID service of the fixtures.
func eeidToken(t *testing.T, m *mocktest.Server) http.Header {
	t.Helper()
	svc := m.Principal(t, "eeid.service_a")
	r := m.Call(t, http.MethodPost, "/eeid/api/auth/v1/token", http.Header{"Authorization": {basicAuth(svc.ClientID, svc.ClientSecret)}}, nil)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Raw))
	return http.Header{"Authorization": {"Bearer " + r.JSON["access_token"].(string)}, "Content-Type": {"application/json"}}
}

// detail is RandaVerify's one validation error (FastAPI's 422 body).
func detail(t *testing.T, r mocktest.Reply) map[string]any {
	t.Helper()
	list, ok := r.JSON["detail"].([]any)
	require.True(t, ok, "a FastAPI validation body: %s", r.Raw)
	require.Len(t, list, 1, "%s", r.Raw)
	return list[0].(map[string]any)
}

// A form field that does not parse as its property's type is named, with the rule it broke, where
// RamBase's answer said only that the body cannot be decoded.
func TestAFormFieldOfTheWrongTypeIsNamed(t *testing.T) {
	m := mocktest.New(t, mocktest.AllowViolations("getAccessToken", "type", "format"))
	login := "grant_type=client_credentials&client_id=portal-api&client_secret=portal-secret&customerid="
	r := m.Call(t, http.MethodPost, "/rambase/oauth2/access_token", formHeader, []byte(login+"100234"))
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	for value, want := range map[string]string{
		"abc":                  "Field /customerid is invalid (type)",
		"1.5":                  "Field /customerid is invalid (type)",
		"99999999999999999999": "Field /customerid is invalid (format)",
	} {
		r := m.Call(t, http.MethodPost, "/rambase/oauth2/access_token", formHeader, []byte(login+value))
		assert.Equal(t, http.StatusBadRequest, r.Status, value)
		assert.Equal(t, want, r.JSON["message"], value)
		assert.EqualValues(t, http.StatusBadRequest, r.JSON["httpStatusCode"], "RamBase's shape: %s", r.Raw)
	}
}

// A malformed form is reported as one, naming the field whose value is malformed, where RandaVerify
// called it a JSON decode error.
func TestAMalformedFormIsNamedAsAForm(t *testing.T) {
	m := mocktest.New(t, mocktest.AllowViolations("login", "encoding", "maxProperties"))
	p := m.Principal(t, "randaverify.org_admin")
	good := url.Values{"username": {p.Username}, "password": {p.Password}}.Encode()
	require.Equal(t, http.StatusOK, m.Call(t, http.MethodPost, "/randaverify/login", formHeader, []byte(good)).Status)
	for body, loc := range map[string][]any{
		"username=%zz&password=x":    {"body", "username"},
		"username=a;b&password=x":    {"body", "username"},
		"password=x&username=a%2":    {"body", "username"},
		"%zz=1&username=a&password=": {"body"},
	} {
		r := m.Call(t, http.MethodPost, "/randaverify/login", formHeader, []byte(body))
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, body)
		d := detail(t, r)
		assert.Equal(t, loc, d["loc"], body)
		assert.NotEqual(t, "json_invalid", d["type"], body)
		assert.Contains(t, d["msg"], "is not form-encoded correctly (a malformed %-escape or a ';')", body)
	}
	r := m.Call(t, http.MethodPost, "/randaverify/login", formHeader, []byte("username=a&password="+strings.Repeat("&", 10_000)))
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "more fields than net/url takes")
	assert.Equal(t, "The request body is invalid (maxProperties)", detail(t, r)["msg"])
}

// The wallet takes what its schema takes: any JSON integer from 0 to 2^53-1, 1.0 included; one
// above is refused naming the field, where both were "balance is required".
func TestTheWalletTakesEveryIntegerItsSchemaTakes(t *testing.T) {
	m := mocktest.New(t)
	me := rvToken(t, m, "randaverify.org_admin")
	wallet := "/_mock/randaverify/organisations/" + m.Principal(t, "randaverify.org_admin").Attributes["organisation_id"] + "/wallet"
	for _, c := range []struct {
		body string
		want float64
	}{{`{"balance": 1}`, 1}, {`{"balance": 1.0}`, 1}, {`{"balance": 2e0}`, 2}, {`{"balance": 9007199254740991}`, 9007199254740991}} {
		r := m.Call(t, http.MethodPut, wallet, jsonHeader, []byte(c.body))
		require.Equal(t, http.StatusOK, r.Status, "%s: %s", c.body, r.Raw)
		assert.Equal(t, c.want, r.JSON["balance"], c.body)
		r = m.Call(t, http.MethodGet, "/randaverify/me", me, nil)
		assert.Equal(t, c.want, r.JSON["organisation"].(map[string]any)["wallet_balance"], c.body)
	}
	for _, body := range []string{`{"balance": 9007199254740992}`, `{"balance": 99999999999999999999}`, `{"balance": 1e300}`} {
		r := m.Call(t, http.MethodPut, wallet, jsonHeader, []byte(body))
		assert.Equal(t, http.StatusBadRequest, r.Status, body)
		assert.Equal(t, "Field /balance is invalid (maximum)", r.JSON["message"], body)
		assert.Equal(t, "/balance", r.JSON["field"], body)
	}
	r := m.Call(t, http.MethodPut, wallet, jsonHeader, []byte(`{"balance": 1.5}`))
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Equal(t, "Field /balance is invalid (type)", r.JSON["message"])
	r = m.Call(t, http.MethodGet, "/randaverify/me", me, nil)
	assert.Equal(t, float64(9007199254740991), r.JSON["organisation"].(map[string]any)["wallet_balance"], "refused bodies changed nothing")
}

// A form over the pages' 64 KiB on eeID's link page is answered saying so, where the page was drawn
// again with no word; the request is still pending and the link still works.
func TestAnOversizedFormOnTheLinkPageIsCalledTooLarge(t *testing.T) {
	m := mocktest.New(t)
	bearer := eeidToken(t, m)
	r := m.Call(t, http.MethodPost, "/eeid/api/ident/v1/identification_requests", bearer, []byte(`{"claims_required":[{"type":"sub","value":"EE30303039914"}]}`))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Raw))
	id, link := r.JSON["id"].(string), strings.TrimPrefix(r.JSON["link"].(string), m.URL)
	abort := func(size int) mocktest.Reply {
		body := "action=abort&pad=" + strings.Repeat("a", size-len("action=abort&pad="))
		return m.Call(t, http.MethodPost, link, formHeader, []byte(body))
	}
	r = abort(64 << 10)
	require.Equal(t, http.StatusOK, r.Status, "a form of 64 KiB is read")
	assert.Contains(t, string(r.Raw), "The link still works")
	for _, size := range []int{64<<10 + 1, 70_000} {
		r = abort(size)
		assert.Equal(t, http.StatusRequestEntityTooLarge, r.Status, size)
		assert.Contains(t, string(r.Raw), "The form is too large: a page takes at most 64 KiB.", size)
	}
	r = m.Call(t, http.MethodGet, "/eeid/api/ident/v1/identification_requests/"+id, bearer, nil)
	assert.Equal(t, "pending", r.JSON["status"])
	assert.Equal(t, http.StatusOK, m.Call(t, http.MethodGet, link, nil, nil).Status, "the link still works")
}

// Text the mock takes is UTF-8, in every API: a JSON body, a form's fields once unescaped and a query
// parameter that is not are refused, named, in the API's shape, and nothing is stored (eeID stored
// U+FFFD in place of each byte). A path parameter that is not UTF-8 is an id nobody has: a 404.
func TestTextThatIsNotUTF8IsRefusedInEveryAPI(t *testing.T) {
	m := mocktest.New(t, mocktest.AllowViolations("*", "utf-8"))
	const requests = "/eeid/api/ident/v1/identification_requests"
	ee := eeidToken(t, m)
	create := func(reference string) mocktest.Reply {
		return m.Call(t, http.MethodPost, requests, ee, []byte(`{"claims_required":[{"type":"sub","value":"EE30303039914"}],"reference":"`+reference+`"}`))
	}
	r := create("Tõnu")
	require.Equal(t, http.StatusCreated, r.Status, string(r.Raw))
	assert.Equal(t, "Tõnu", r.JSON["reference"])
	r = create("T\xf5nu") // Latin-1
	assert.Equal(t, http.StatusUnprocessableEntity, r.Status)
	assert.Equal(t, "The request body is not valid UTF-8", r.JSON["error"], "eeID's shape: %s", r.Raw)
	r = m.Call(t, http.MethodGet, requests, ee, nil)
	assert.Len(t, r.JSON["items"], 1, "nothing was stored")
	r = m.Call(t, http.MethodGet, requests+"?page=1", ee, nil)
	assert.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	r = m.Call(t, http.MethodGet, requests+"?page=%ff", ee, nil)
	assert.Equal(t, http.StatusUnprocessableEntity, r.Status)
	assert.Equal(t, "Parameter page is not valid UTF-8", r.JSON["error"])
	assert.Equal(t, http.StatusNotFound, m.Call(t, http.MethodGet, requests+"/%ff", ee, nil).Status)

	rv := rvToken(t, m, "randaverify.org_admin")
	balance := func() any {
		return m.Call(t, http.MethodGet, "/randaverify/me", rv, nil).JSON["organisation"].(map[string]any)["wallet_balance"]
	}
	verify := func(reason string) mocktest.Reply {
		return m.Call(t, http.MethodPost, "/randaverify/verify-nin", rv, []byte(`{"nin":"12345678901","reason":"`+reason+`"}`))
	}
	require.Equal(t, http.StatusOK, verify("bankKyc").Status)
	before := balance()
	r = verify("bank\xffKyc")
	assert.Equal(t, http.StatusUnprocessableEntity, r.Status)
	d := detail(t, r)
	assert.Equal(t, []any{"body"}, d["loc"])
	assert.Equal(t, "string_unicode", d["type"])
	assert.Equal(t, before, balance(), "nothing was paid")
	p := m.Principal(t, "randaverify.org_admin")
	for _, username := range []string{"%E9" + p.Username, "\xe9" + p.Username} { // Latin-1 é, escaped and raw
		r = m.Call(t, http.MethodPost, "/randaverify/login", formHeader, []byte("password=x&username="+username))
		assert.Equal(t, http.StatusUnprocessableEntity, r.Status, username)
		d = detail(t, r)
		assert.Equal(t, []any{"body", "username"}, d["loc"], username)
		assert.Equal(t, "string_unicode", d["type"], username)
	}

	user := "grant_type=password&client_id=forecast-api&client_secret=forecast-secret&password=anna-password&username="
	r = m.Call(t, http.MethodPost, "/rambase/oauth2/access_token", formHeader, []byte(user+"anna"))
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	rb := http.Header{"Authorization": {"Bearer " + r.JSON["access_token"].(string)}}
	r = m.Call(t, http.MethodPost, "/rambase/oauth2/access_token", formHeader, []byte(user+"ann%E4"))
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Equal(t, "Field /username is not valid UTF-8", r.JSON["message"], "RamBase's shape: %s", r.Raw)
	assert.Equal(t, http.StatusOK, m.Call(t, http.MethodGet, "/rambase/system/sessions/current?$lang=et", rb, nil).Status)
	r = m.Call(t, http.MethodGet, "/rambase/system/sessions/current?$lang=%E9t", rb, nil)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Equal(t, "Parameter $lang is not valid UTF-8", r.JSON["message"])

	r = m.Call(t, http.MethodPost, "/_mock/principals", jsonHeader, []byte(`{"role":"eeid.service_a"}`))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Raw))
	r = m.Call(t, http.MethodPost, "/_mock/principals", jsonHeader, []byte("{\"role\":\"eeid.service_\xe1\"}"))
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Equal(t, "The request body is not valid UTF-8", r.JSON["message"], "the control API's shape: %s", r.Raw)
	assert.Equal(t, http.StatusOK, m.Call(t, http.MethodGet, "/_mock/outbox?to=anna", nil, nil).Status)
	r = m.Call(t, http.MethodGet, "/_mock/outbox?to=ann%E4", nil, nil)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Equal(t, "to", r.JSON["field"])
}
