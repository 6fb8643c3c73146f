package openapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A failure is explained from the spec: where in the request, and what the schema the broken rule
// belongs to asks, with the constraint's own values (the enum, the minimum), never the value sent.
func TestAFailureIsExplainedFromTheSpec(t *testing.T) {
	rambase, eeid := MustLoad("rambase"), MustLoad("eeid")
	token, verify := rambase.Operation("getAccessToken"), rambase.Operation("verifyIdVerificationToken")
	create := eeid.Operation("createIdentificationRequest")
	const form, json = "application/x-www-form-urlencoded", "application/json"
	bearer := http.Header{"Authorization": {"Bearer x"}}
	for _, c := range []struct {
		op                *Operation
		target, ct, body  string
		header            http.Header
		pointer, explains string
	}{
		{token, "/oauth2/access_token", form, "grant_type=implicit&client_id=a&client_secret=b", nil,
			"/body/grant_type", "body.grant_type must be one of: password, client_credentials"},
		{token, "/oauth2/access_token", form, "grant_type=password&client_secret=b", nil,
			"/body/client_id", "body.client_id is required"},
		{token, "/oauth2/access_token", form, "grant_type=password&client_id=&client_secret=b", nil,
			"/body/client_id", "body.client_id must be at least 1 character long"},
		{token, "/oauth2/access_token", form, "grant_type=password&client_id=a&client_secret=b&customerid=0", nil,
			"/body/customerid", "body.customerid must be at least 1"},
		{token, "/oauth2/access_token", form, "grant_type=password&client_id=a&client_secret=b&customerid=x", nil,
			"/body/customerid", "body.customerid must be an integer"},
		{verify, "/id-verification", "", "", bearer,
			"/query/id_verification_token", "query parameter id_verification_token is required"},
		{verify, "/id-verification?id_verification_token=", "", "", bearer,
			"/query/id_verification_token", "query parameter id_verification_token must be at least 1 character long"},
		{verify, "/id-verification?id_verification_token=x", "", "", nil,
			"/header/Authorization", "sends no credentials the spec accepts: it wants Authorization: Bearer <token> or the $access_token query parameter"},
		{create, "/api/ident/v1/identification_requests", json, `{}`, bearer,
			"/body/claims_required", "body.claims_required is required"},
		{create, "/api/ident/v1/identification_requests", json, `{"claims_required": []}`, bearer,
			"/body/claims_required", "body.claims_required must have at least 1 item"},
		{create, "/api/ident/v1/identification_requests", json, `{"claims_required": [{"type": "eye colour", "value": ""}]}`, bearer,
			"/body/claims_required/0/type", "body.claims_required[0].type must be one of: sub, name, birthdate, country"},
		{create, "/api/ident/v1/identification_requests", json, `{"claims_required": [{"type": "sub", "value": "", "x~y/z": 1}]}`, bearer,
			"/body/claims_required/0/x~0y~1z", "body.claims_required[0].x~y/z is not allowed: the spec defines no such field here"},
		{create, "/api/ident/v1/identification_requests", json, `{"claims_required": [{"type": "sub", "value": 7}]}`, bearer,
			"/body/claims_required/0/value", "body.claims_required[0].value must be a string"},
	} {
		f := validateWith(t, c.op, c.target, c.ct, c.body, c.header)
		require.NotNil(t, f, "%s %s", c.target, c.body)
		assert.Equal(t, c.pointer, f.Pointer(c.op), "%s %s", c.target, c.body)
		assert.Equal(t, c.explains, c.op.Explain(f, c.ct), "%s %s", c.target, c.body)
	}
}

// validateWith runs a request through the checks apihttp runs, in its order, and returns the failure.
func validateWith(t *testing.T, op *Operation, target, ct, body string, header http.Header) *Failure {
	t.Helper()
	r := httptest.NewRequest(op.Method, target, strings.NewReader(body))
	for k, v := range header {
		r.Header[k] = v
	}
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	if f := op.CheckAuth(r, r.URL.Query()); f != nil {
		return f
	}
	in := &Input{Request: r, Query: r.URL.Query(), PathParams: map[string]string{}}
	if body != "" {
		in.Body = []byte(body)
	}
	if MediaType(ct) == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(body)
		require.NoError(t, err)
		in.Form = form
	}
	return op.ValidateRequest(context.Background(), in)
}

// The operation is named as its vendor documents it, under the shortest base path of the spec's
// servers, and located in its spec by a JSON pointer.
func TestAnOperationIsNamedAsItsVendorDocumentsIt(t *testing.T) {
	rambase := MustLoad("rambase")
	assert.Equal(t, "POST /oauth2/access_token", rambase.Operation("getAccessToken").Route())
	assert.Equal(t, "rambase.yaml#/paths/~1oauth2~1access_token/post", rambase.Operation("getAccessToken").Location())
	eeid := MustLoad("eeid")
	assert.Equal(t, "GET /api/ident/v1/identification_requests/{id}", eeid.Operation("getIdentificationRequest").Route())
	assert.Equal(t, []string{"basic"}, eeid.Operation("createToken").HTTPSchemes())
	assert.Equal(t, []string{"bearer"}, rambase.Operation("verifyIdVerificationToken").HTTPSchemes(), "the query's API key is no HTTP scheme")

	const spec = `openapi: 3.0.3
info: {title: v1 only, version: "1"}
servers: [{url: "https://api.example.test/v1"}, {url: "https://sandbox.example.test/v1"}]
paths:
  /auth/login:
    post:
      operationId: login
      security: [{key: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [email], properties: {email: {type: string, format: email}}}
      responses:
        '200': {description: ok}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: x-api-key}
`
	s, err := Parse("v1only", []byte(spec))
	require.NoError(t, err)
	login := s.Operation("login")
	assert.Equal(t, "POST /v1/auth/login", login.Route())
	assert.Equal(t, []string{"X-Api-Key"}, login.KeyHeaders())
	f := validateWith(t, login, "/auth/login", "", "", nil)
	require.NotNil(t, f)
	assert.Equal(t, "/header/x-api-key", f.Pointer(login), "an API key's header, as the spec names it")
	assert.Equal(t, "sends no credentials the spec accepts: it wants the x-api-key header", login.Explain(f, ""))
	f = validateWith(t, login, "/auth/login", "application/json", `{"email": 1}`, http.Header{"X-Api-Key": {"k"}})
	require.NotNil(t, f)
	assert.Equal(t, "body.email must be a string", login.Explain(f, "application/json"))
	f = validateWith(t, login, "/auth/login", "application/json", `{}`, http.Header{"X-Api-Key": {"k"}})
	require.NotNil(t, f)
	assert.Equal(t, "body.email is required", login.Explain(f, "application/json; charset=utf-8"))
	assert.Equal(t, "must send its body as application/json (Content-Type)",
		login.Explain(&Failure{Kind: KindMediaType, Field: "Content-Type", Rule: "content-type"}, "text/plain"))
	assert.Equal(t, "the body cannot be decoded as application/json", login.Explain(&Failure{Kind: KindBody, Rule: "syntax"}, "application/json"))
	assert.Equal(t, "the body is required", login.Explain(&Failure{Kind: KindBody, Rule: "required"}, ""))
}

// An XML body refused before its schema is read is explained as what it did, in words a developer
// acts on, never as "breaks the spec's dtd rule".
func TestAnXMLBodysRefusalIsExplained(t *testing.T) {
	redeem := MustLoad("bundeling").Operation("createUserIdentity")
	key := http.Header{"Api-Key": {"k"}}
	const xml = "application/xml"
	for _, c := range []struct{ body, explains string }{
		{`<user_identity><token>t</token></user_identity>`, ""},
		{`<!DOCTYPE user_identity [<!ENTITY a "b">]><user_identity><token>&a;</token></user_identity>`,
			"the body declares a document type or entities, which XML bodies may not (send the elements alone)"},
		{`<thing><token>t</token></thing>`, "the body has a root element other than the one the spec names for this operation"},
		{`<user_identity><token>t</token><token>u</token></user_identity>`, "body.token is given more than once"},
		{"<user_identity>" + strings.Repeat("<a>", 40) + strings.Repeat("</a>", 40) + "</user_identity>",
			"the body nests deeper than 32 elements"},
	} {
		f := validateWith(t, redeem, "/V2/user_identity", xml, c.body, key)
		if c.explains == "" {
			require.Nil(t, f, c.body)
			continue
		}
		require.NotNil(t, f, c.body)
		assert.Equal(t, c.explains, redeem.Explain(f, xml), c.body)
	}
}

// A body that repeats a member's name is valid JSON that kin-openapi cannot decode: the failure names
// the repeated member, at any depth, with its name as decoded; a body without one passes.
func TestARepeatedNameIsNamed(t *testing.T) {
	create := MustLoad("eeid").Operation("createIdentificationRequest")
	bearer := http.Header{"Authorization": {"Bearer x"}}
	const json = "application/json"
	for body, want := range map[string]string{
		`{"claims_required": [{"type": "sub", "value": ""}]}`:                                  "",
		`{"claims_required": [{"type": "sub", "value": ""}], "claims_required": []}`:           "/claims_required",
		`{"claims_required": [{"type": "sub", "value": ""}, {"type": "sub", "type": "name"}]}`: "/claims_required/1/type",
		`{"claims_required": [{"type": "sub", "value": "", "\u0074ype": "name"}]}`:             "/claims_required/0/type",
		`{"claims_required": [{"type": "sub", "value": "", "a/b": 1, "a/b": 2}]}`:              "/claims_required/0/a~1b",
		`{"claims_required": [{"type": "sub", "value": {"": 1, "x": [], "": 2}}]}`:             "/claims_required/0/value/",
	} {
		f := validateWith(t, create, "/api/ident/v1/identification_requests", json, body, bearer)
		if want == "" {
			assert.Nil(t, f, body)
			continue
		}
		require.NotNil(t, f, body)
		assert.Equal(t, Failure{Kind: KindBody, Field: want, Rule: "repeated"}, *f, body)
		assert.Equal(t, "body."+dotted(want)+" is given more than once", create.Explain(f, json), body)
	}
}
