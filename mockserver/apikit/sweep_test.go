package apikit

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/openapi"
)

// keys is an API of this test's own that takes an API key in a header, as Bundeling's and many
// another do: GET /thing answers {"ok": true} to a key of its fixtures, 401 {"error": ...} to any
// other. With unknownKeyFails, an unknown key is a 500.
const keysSpec = `openapi: 3.0.3
info: {title: keys, version: "1"}
paths:
  /thing:
    get:
      operationId: getThing
      security: [{key: []}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, required: [ok], properties: {ok: {type: boolean}}}}}}
        '401': {description: no key, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        '404': {description: not here, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        '405': {description: no such method, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Api-Key}
  schemas:
    Error: {type: object, required: [error], properties: {error: {type: string}}}
`

type keys struct {
	fixtures        *mockapi.Section[[]string] // the keys
	unknownKeyFails bool
}

func newKeys(unknownKeyFails bool) mockapi.Factory {
	return func(env mockapi.Env) mockapi.API {
		k := &keys{unknownKeyFails: unknownKeyFails}
		k.fixtures = mockapi.NewSection("keys", env.Store, func(context.Context, store.Store, *[]string) error { return nil },
			func(keys []string) []mockapi.Role {
				return mockapi.RolesOf(keys, func(key string) mockapi.Role {
					return mockapi.Role{Principal: mockapi.Principal{Role: "keys.holder", API: "keys", Kind: mockapi.KindClient,
						Attributes: map[string]string{"api_key": key}}}
				})
			})
		return k
	}
}

func (k *keys) Name() string { return "keys" }

func (k *keys) Spec() *openapi.Spec {
	s, err := openapi.Parse("keys", []byte(keysSpec))
	if err != nil {
		panic(err)
	}
	return s
}

func (k *keys) Operations() map[string]http.Handler {
	return map[string]http.Handler{"getThing": apihttp.Flow(func(*http.Request) (int, any, error) {
		return http.StatusOK, map[string]bool{"ok": true}, nil
	})}
}

func (k *keys) Authenticate(r *http.Request, _ *openapi.Operation) (any, *openapi.Failure) {
	known, _, err := k.fixtures.Get(r.Context())
	for _, key := range known {
		if err == nil && subtle.ConstantTimeCompare([]byte(key), []byte(r.Header.Get("X-Api-Key"))) == 1 {
			return nil, nil
		}
	}
	if k.unknownKeyFails {
		return nil, &openapi.Failure{Kind: openapi.KindInternal}
	}
	return nil, &openapi.Failure{Kind: openapi.KindAuth, Field: "X-Api-Key", Rule: "invalid"}
}

func (k *keys) Errors() apihttp.Errors {
	return apihttp.Errors{Failure: func(_ *http.Request, f *openapi.Failure) apihttp.Error {
		return apihttp.Error{Status: apihttp.Status(f.Kind), Body: map[string]string{"error": string(f.Kind)}}
	}}
}

func (k *keys) Fixtures() mockapi.Fixtures { return k.fixtures }

// The sweep finds an API's credentials knowing only the spec and the fixtures: here an API key in the
// header the spec names, from a principal's attributes. With it, an API that answers an unknown key
// with a 500 fails.
func TestTheSweepPresentsAPIKeysInTheHeaderTheSpecNames(t *testing.T) {
	fixtures := mockserver.Fixtures{"keys": json.RawMessage(`["k-1"]`)}
	k, err := newKit(API{New: newKeys(false), Fixtures: fixtures})
	require.NoError(t, err)
	assert.Empty(t, checkBadInput(t.Context(), k))

	k, err = newKit(API{New: newKeys(true), Fixtures: fixtures})
	require.NoError(t, err)
	got := checkBadInput(t.Context(), k)
	assert.Contains(t, got, "getThing: an unknown API key in X-Api-Key: want 401, got 500: {\"error\":\"internal\"}")
}
