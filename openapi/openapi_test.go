package openapi

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestEverySpecIsOpenAPI303AndValid(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			raw, err := Raw(name)
			require.NoError(t, err)
			var head struct{ OpenAPI string }
			require.NoError(t, yaml.Unmarshal(raw, &head))
			assert.Equal(t, "3.0.3", head.OpenAPI, "DESIGN.md: every spec is OpenAPI 3.0.3")
			s, err := Load(name)
			require.NoError(t, err)
			assert.NotEmpty(t, s.Operations())
		})
	}
}

// tokens is a spec of the tests' own: a form-encoded token endpoint, a secured read with a required
// query parameter, and a templated path.
const tokens = `openapi: 3.0.3
info: {title: tokens, version: "1"}
servers: [{url: "https://vendor.example/v1"}]
security: [{bearer: []}, {tokenQuery: []}]
paths:
  /token:
    post:
      operationId: getToken
      security: []
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [grant_type, client_id, client_secret]
              properties:
                grant_type: {type: string, enum: [password, client_credentials]}
                client_id: {type: string}
                client_secret: {type: string, maxLength: 32}
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, required: [token], properties: {token: {type: string}}}}}}
  /verify:
    get:
      operationId: verify
      parameters: [{name: token, in: query, required: true, schema: {type: string}}]
      responses:
        '200': {description: ok}
  /users/current:
    get:
      operationId: currentUser
      responses:
        '200': {description: ok}
  /users/{id}:
    get:
      operationId: getUser
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        '200': {description: ok}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    tokenQuery: {type: apiKey, in: query, name: $access_token}
`

func tokensSpec(t *testing.T) *Spec {
	t.Helper()
	s, err := Parse("tokens", []byte(tokens))
	require.NoError(t, err)
	return s
}

func TestFindMatchesAPIRelativePaths(t *testing.T) {
	s := tokensSpec(t)
	op, params, f := s.Find(http.MethodGet, "/users/666")
	require.Nil(t, f)
	assert.Equal(t, "getUser", op.ID)
	assert.Equal(t, "666", params["id"])

	op, _, f = s.Find(http.MethodGet, "/users/current")
	require.Nil(t, f)
	assert.Equal(t, "currentUser", op.ID)

	_, _, f = s.Find(http.MethodDelete, "/verify")
	require.NotNil(t, f)
	assert.Equal(t, KindMethod, f.Kind)
	assert.Equal(t, "GET, HEAD", f.Field, "HEAD is answered wherever GET is")

	// HEAD finds the GET operation, templated or literal; where there is no GET, it is a 405.
	op, params, f = s.Find(http.MethodHead, "/users/666")
	require.Nil(t, f)
	assert.Equal(t, "getUser", op.ID)
	assert.Equal(t, "666", params["id"])
	op, _, f = s.Find(http.MethodHead, "/users/current")
	require.Nil(t, f)
	assert.Equal(t, "currentUser", op.ID)
	_, _, f = s.Find(http.MethodHead, "/token")
	require.NotNil(t, f)
	assert.Equal(t, KindMethod, f.Kind)
	assert.Equal(t, "POST", f.Field)
	_, _, f = s.Find(http.MethodHead, "/nowhere")
	require.NotNil(t, f)
	assert.Equal(t, KindNotFound, f.Kind)

	_, _, f = s.Find(http.MethodGet, "/v1/verify")
	require.NotNil(t, f, "the servers path is not part of an API-relative path")
	assert.Equal(t, KindNotFound, f.Kind)
}

func TestValidateRequestReportsPointerAndRuleWithoutValues(t *testing.T) {
	s := tokensSpec(t)
	op := s.Operation("getToken")
	cases := []struct {
		body string
		want Failure
	}{
		{"client_id=a&client_secret=b", Failure{Kind: KindBody, Field: "/grant_type", Rule: "required"}},
		{"grant_type=secret-value&client_id=a&client_secret=b", Failure{Kind: KindBody, Field: "/grant_type", Rule: "enum"}},
		{"grant_type=password&client_id=a&client_secret=" + strings.Repeat("secret-value", 3), Failure{Kind: KindBody, Field: "/client_secret", Rule: "maxLength"}},
		{"", Failure{Kind: KindBody, Rule: "required"}},
	}
	require.NotNil(t, op.form, "a flat form is checked from the parsed form")
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(c.body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		form, err := url.ParseQuery(c.body)
		require.NoError(t, err)
		// The parsed form's check and kin-openapi's own form decoder agree.
		for _, form := range []url.Values{form, nil} {
			f := op.ValidateRequest(context.Background(), &Input{Request: r, Query: r.URL.Query(), Body: []byte(c.body), Form: form})
			require.NotNil(t, f, c.body)
			assert.Equal(t, c.want, *f, "%s (parsed form: %v)", c.body, form != nil)
			assert.NotContains(t, f.Message(), "secret-value", "a message never echoes the value")
			assert.NotContains(t, f.Error(), "secret-value", "a log line never echoes the value")
		}
	}
	for _, body := range []string{"grant_type=password&client_id=a&client_secret=b&unknown=x", "grant_type=password&client_id=a&client_secret=b&client_id=c"} {
		form, err := url.ParseQuery(body)
		require.NoError(t, err)
		r := httptest.NewRequest(http.MethodPost, "/token", nil)
		assert.Nil(t, op.ValidateRequest(context.Background(), &Input{Request: r, Body: []byte(body), Form: form}), body)
	}
	r := httptest.NewRequest(http.MethodGet, "/verify", nil)
	f := s.Operation("verify").ValidateRequest(context.Background(), &Input{Request: r, Query: r.URL.Query()})
	require.NotNil(t, f)
	assert.Equal(t, Failure{Kind: KindParam, Field: "token", Rule: "required", In: "query"}, *f)
}

func TestCheckAuthNeedsCredentialsOfTheSchemesShape(t *testing.T) {
	s := tokensSpec(t)
	op := s.Operation("currentUser")
	assert.True(t, op.Secured())
	r := httptest.NewRequest(http.MethodGet, "/users/current", nil)
	assert.NotNil(t, op.CheckAuth(r, r.URL.Query()))
	r.Header.Set("Authorization", "Basic abc")
	assert.NotNil(t, op.CheckAuth(r, r.URL.Query()))
	r.Header.Set("Authorization", "Bearer ")
	assert.NotNil(t, op.CheckAuth(r, r.URL.Query()))
	r.Header.Set("Authorization", "Bearer abc")
	assert.Nil(t, op.CheckAuth(r, r.URL.Query()))
	q := httptest.NewRequest(http.MethodGet, "/users/current?$access_token=abc", nil)
	assert.Nil(t, op.CheckAuth(q, q.URL.Query()))
	open := s.Operation("getToken")
	assert.False(t, open.Secured())
	assert.Nil(t, open.CheckAuth(httptest.NewRequest(http.MethodPost, "/token", nil), nil))
}

// An operation names the headers it takes an API key in, of every alternative, once; not a query's
// key, and none for an operation that takes no credentials.
func TestAPIKeyHeadersAreTheHeaderKeysOfAnOperation(t *testing.T) {
	s, err := Parse("keys", []byte(`openapi: 3.0.3
info: {title: keys, version: "1"}
security: [{key: []}, {key: [], partner: []}, {query: []}]
paths:
  /a:
    get:
      operationId: a
      responses: {'200': {description: ok}}
  /b:
    get:
      operationId: b
      security: []
      responses: {'200': {description: ok}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Api-Key}
    partner: {type: apiKey, in: header, name: X-Partner-Key}
    query: {type: apiKey, in: query, name: key}
`))
	require.NoError(t, err)
	assert.Equal(t, []string{"X-Api-Key", "X-Partner-Key"}, s.Operation("a").APIKeyHeaders())
	assert.Empty(t, s.Operation("b").APIKeyHeaders())
	assert.Empty(t, tokensSpec(t).Operation("currentUser").APIKeyHeaders(), "Bearer, and a key in the query")
}

func TestValidateResponseRejectsUndocumentedStatusAndShape(t *testing.T) {
	op := tokensSpec(t).Operation("getToken")
	r := httptest.NewRequest(http.MethodPost, "/token", nil)
	h := http.Header{"Content-Type": {"application/json"}}
	assert.Nil(t, op.ValidateResponse(context.Background(), r, nil, 200, h, []byte(`{"token":"x"}`)))
	assert.NotNil(t, op.ValidateResponse(context.Background(), r, nil, 200, h, []byte(`{"tok":"x"}`)))
	assert.NotNil(t, op.ValidateResponse(context.Background(), r, nil, 418, h, []byte(`{}`)))
}

func TestWithServerReplacesServersOnly(t *testing.T) {
	for _, name := range Names() {
		out, err := WithServer(name, "http://127.0.0.1:9999/"+name)
		require.NoError(t, err)
		var doc, orig map[string]any
		require.NoError(t, yaml.Unmarshal(out, &doc))
		raw, _ := Raw(name)
		require.NoError(t, yaml.Unmarshal(raw, &orig))
		assert.Equal(t, []any{map[string]any{"url": "http://127.0.0.1:9999/" + name}}, doc["servers"], name)
		delete(doc, "servers")
		delete(orig, "servers")
		assert.ElementsMatch(t, slices.Collect(maps.Keys(orig)), slices.Collect(maps.Keys(doc)), name)
		for key, want := range orig { // key by key, so a difference names where it is
			assert.Equal(t, want, doc[key], "%s: %s is not the spec's own", name, key)
		}
	}
}

// Enum reads a component schema's enum; the composition's tests compare the control API's
// Capability enum with what the registered APIs offer.
func TestEnumReadsAComponentsEnum(t *testing.T) {
	s, err := Parse("t", []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Colour: {type: string, enum: [red, green]}
    Name: {type: string}
`))
	require.NoError(t, err)
	assert.Equal(t, []string{"red", "green"}, s.Enum("Colour"))
	assert.Empty(t, s.Enum("Name"))
	assert.Empty(t, s.Enum("Missing"))
}

// A spec with an operation but no operationId is refused: every operation must be routable to a
// handler and named by scenarios.
func TestParseRefusesAnOperationWithoutID(t *testing.T) {
	_, err := Parse("t", []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses: {'200': {description: ok}}
`))
	assert.ErrorContains(t, err, "has no operationId")
	_, err = Parse("t", []byte("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"))
	assert.ErrorContains(t, err, "must be 3.0.3")
}

// Routes are tried in the spec's matching order, so a literal path wins over a template that would
// also match it, whatever their names sort as.
func TestLiteralPathsMatchBeforeTemplates(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a/{id}:
    get:
      operationId: byID
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
  /a/~me:
    get:
      operationId: current
      responses: {'200': {description: ok}}
`
	s, err := Parse("t", []byte(doc))
	require.NoError(t, err)
	op, _, f := s.Find(http.MethodGet, "/a/~me")
	require.Nil(t, f)
	assert.Equal(t, "current", op.ID)
	op, params, f := s.Find(http.MethodGet, "/a/7")
	require.Nil(t, f)
	assert.Equal(t, "byID", op.ID)
	assert.Equal(t, "7", params["id"])
}

func TestCredentialsOfAScheme(t *testing.T) {
	for header, want := range map[string]string{
		"Bearer abc": "abc", "bearer abc": "abc", "BEARER  abc ": "abc",
		"": "", "Bearer": "", "Bearer ": "", "Bearer   ": "", "Bearerabc": "", "Basic abc": "", "Bearer\tabc": "",
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", header)
		got, ok := Credentials(r, "Bearer")
		assert.Equal(t, want, got, "%q", header)
		assert.Equal(t, want != "", ok, "%q", header)
	}
}
