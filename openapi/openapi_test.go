package openapi

import (
	"context"
	"net/http"
	"net/http/httptest"
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
			for _, op := range s.Operations() {
				assert.NotEmpty(t, op.ID)
			}
		})
	}
}

func TestFindMatchesAPIRelativePaths(t *testing.T) {
	s := MustLoad("rambase")
	op, params, f := s.Find(http.MethodGet, "/system/users/666")
	require.Nil(t, f)
	assert.Equal(t, "getUser", op.ID)
	assert.Equal(t, "666", params["id"])

	op, _, f = s.Find(http.MethodGet, "/system/sessions/current")
	require.Nil(t, f)
	assert.Equal(t, "getCurrentSession", op.ID)

	_, _, f = s.Find(http.MethodDelete, "/id-verification")
	require.NotNil(t, f)
	assert.Equal(t, KindMethod, f.Kind)
	assert.Equal(t, "GET", f.Field)

	_, _, f = s.Find(http.MethodGet, "/nope")
	require.NotNil(t, f)
	assert.Equal(t, KindNotFound, f.Kind)
}

func TestValidateRequestReportsPointerAndRuleWithoutValues(t *testing.T) {
	s := MustLoad("rambase")
	op := s.Operation("getAccessToken")
	cases := []struct {
		body string
		want Failure
	}{
		{"client_id=a&client_secret=b", Failure{Kind: KindBody, Field: "/grant_type", Rule: "required"}},
		{"grant_type=implicit&client_id=a&client_secret=secret-value", Failure{Kind: KindBody, Field: "/grant_type", Rule: "enum"}},
		{"", Failure{Kind: KindBody, Rule: "required"}},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodPost, "/oauth2/access_token", strings.NewReader(c.body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		f := op.ValidateRequest(context.Background(), r, nil, []byte(c.body))
		require.NotNil(t, f, c.body)
		assert.Equal(t, c.want, *f, c.body)
		assert.NotContains(t, f.Message(), "secret-value")
	}
	r := httptest.NewRequest(http.MethodGet, "/id-verification", nil)
	f := s.Operation("verifyIdVerificationToken").ValidateRequest(context.Background(), r, nil, nil)
	require.NotNil(t, f)
	assert.Equal(t, Failure{Kind: KindParam, Field: "id_verification_token", Rule: "required"}, *f)
}

func TestCheckAuthNeedsCredentialsOfTheSchemesShape(t *testing.T) {
	op := MustLoad("rambase").Operation("getCurrentSession")
	r := httptest.NewRequest(http.MethodGet, "/system/sessions/current", nil)
	assert.NotNil(t, op.CheckAuth(context.Background(), r))
	r.Header.Set("Authorization", "Basic abc")
	assert.NotNil(t, op.CheckAuth(context.Background(), r))
	r.Header.Set("Authorization", "Bearer abc")
	assert.Nil(t, op.CheckAuth(context.Background(), r))
	q := httptest.NewRequest(http.MethodGet, "/system/sessions/current?$access_token=abc", nil)
	assert.Nil(t, op.CheckAuth(context.Background(), q))
	assert.Nil(t, MustLoad("rambase").Operation("getAccessToken").CheckAuth(context.Background(), r))
}

func TestValidateResponseRejectsUndocumentedStatusAndShape(t *testing.T) {
	op := MustLoad("rambase").Operation("getIdVerificationToken")
	r := httptest.NewRequest(http.MethodGet, "/id-verification-token", nil)
	h := http.Header{"Content-Type": {"application/json"}}
	assert.Nil(t, op.ValidateResponse(context.Background(), r, nil, 200, h, []byte(`{"idVerificationToken":"x"}`)))
	assert.NotNil(t, op.ValidateResponse(context.Background(), r, nil, 200, h, []byte(`{"token":"x"}`)))
	assert.NotNil(t, op.ValidateResponse(context.Background(), r, nil, 418, h, []byte(`{}`)))
}

func TestWithServerReplacesServersOnly(t *testing.T) {
	out, err := WithServer("rambase", "http://127.0.0.1:9999/rambase")
	require.NoError(t, err)
	var doc struct {
		OpenAPI string
		Servers []struct{ URL string }
		Paths   map[string]any
	}
	require.NoError(t, yaml.Unmarshal(out, &doc))
	assert.Equal(t, "3.0.3", doc.OpenAPI)
	require.Len(t, doc.Servers, 1)
	assert.Equal(t, "http://127.0.0.1:9999/rambase", doc.Servers[0].URL)
	assert.Contains(t, doc.Paths, "/id-verification")
}

func TestControlCapabilityEnum(t *testing.T) {
	assert.Contains(t, MustLoad(Control).Enum("Capability"), "clock.advance")
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
	s, err := loadData("t", []byte(doc))
	require.NoError(t, err)
	op, _, f := s.Find(http.MethodGet, "/a/~me")
	require.Nil(t, f)
	assert.Equal(t, "current", op.ID)
	op, params, f := s.Find(http.MethodGet, "/a/7")
	require.Nil(t, f)
	assert.Equal(t, "byID", op.ID)
	assert.Equal(t, "7", params["id"])
}
