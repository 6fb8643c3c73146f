package mockserver_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/openapi"
)

// widgets is an API of the composition tests' own, so they test the composition and not one
// vendor's rules: GET /widgets/{name} reads a seeded widget; GET /here says where the mock says it
// is served; its errors are {"widgetError": status}. It is served at its host's root and under /v2,
// and has one end-user page, hello.
const widgetSpec = `openapi: 3.0.3
info: {title: widgets, version: "1"}
servers: [{url: "https://widgets.example"}, {url: "https://widgets.example/v2"}]
paths:
  /widgets/{name}:
    get:
      operationId: getWidget
      security: [{bearer: []}]
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, required: [name], properties: {name: {type: string}}}}}}
        default: {description: error, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
  /here:
    get:
      operationId: getHere
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, required: [base], properties: {base: {type: string}}}}}}
        default: {description: error, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Error: {type: object, required: [widgetError], properties: {widgetError: {type: integer}}}
`

type widgets struct {
	env      mockapi.Env
	fixtures *mockapi.Section[[]string] // the names of the widgets
}

func newWidgets(env mockapi.Env) mockapi.API {
	w := &widgets{env: env}
	w.fixtures = mockapi.NewSection("widgets", env.Store, w.seed, w.roles)
	return w
}

func (w *widgets) Name() string { return "widgets" }

func (w *widgets) Spec() *openapi.Spec {
	s, err := openapi.Parse("widgets", []byte(widgetSpec))
	if err != nil {
		panic(err)
	}
	return s
}

func (w *widgets) Operations() map[string]http.Handler {
	return map[string]http.Handler{
		"getWidget": apihttp.Flow(func(r *http.Request) (int, any, error) {
			name, err := store.Get[string](r.Context(), w.env.Store, "widget", apihttp.PathParam(r, "name"))
			if err != nil {
				return 0, nil, &apihttp.Error{Status: http.StatusNotFound, Body: map[string]int{"widgetError": http.StatusNotFound}}
			}
			return http.StatusOK, map[string]string{"name": name}, nil
		}),
		"getHere": http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			apihttp.WriteJSON(rw, http.StatusOK, map[string]string{"base": apihttp.BaseURL(r)})
		}),
	}
}

// Authenticate accepts the token "good" only.
func (w *widgets) Authenticate(r *http.Request, _ *openapi.Operation) (any, *openapi.Failure) {
	if r.Header.Get("Authorization") != "Bearer good" {
		return nil, &openapi.Failure{Kind: openapi.KindAuth, Rule: "invalid"}
	}
	return nil, nil
}

func (w *widgets) Errors() apihttp.Errors {
	return apihttp.Errors{Failure: func(_ *http.Request, f *openapi.Failure) apihttp.Error {
		return apihttp.Error{Status: apihttp.Status(f.Kind), Body: map[string]int{"widgetError": apihttp.Status(f.Kind)}}
	}}
}

func (w *widgets) Fixtures() mockapi.Fixtures { return w.fixtures }

// seed stores each widget of the section.
func (w *widgets) seed(ctx context.Context, s store.Store, names *[]string) error {
	for _, n := range *names {
		if err := store.Create(ctx, s, "widget", n, n); err != nil {
			return err
		}
	}
	return nil
}

// roles is the one maker, whose fresh copy is maker-2.
func (w *widgets) roles([]string) []mockapi.Role {
	return []mockapi.Role{{Principal: mockapi.Principal{Role: "widgets.maker", API: "widgets", Kind: mockapi.KindClient, ClientID: "maker"},
		Fresh: func(context.Context) (mockapi.Principal, error) {
			return mockapi.Principal{Role: "widgets.maker", API: "widgets", Kind: mockapi.KindClient, ClientID: "maker-2"}, nil
		}}}
}

func (w *widgets) NewPrincipal(ctx context.Context, role string) (mockapi.Principal, error) {
	return w.fixtures.NewPrincipal(ctx, role)
}

// widgets has no control operations: a capability must be in the control API's enum, which lists
// the real APIs'.
var (
	_ mockapi.PageServer     = (*widgets)(nil)
	_ mockapi.RuleBreaker    = (*widgets)(nil)
	_ mockapi.PrincipalMaker = (*widgets)(nil)
)

func (w *widgets) Pages() map[string]http.Handler {
	return map[string]http.Handler{"hello": http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		_, _ = rw.Write([]byte(`{"page":"hello"}`))
	}), "form": http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(rw, "<p>%d bytes</p>", len(r.PostForm.Get("x")))
	})}
}

func (w *widgets) Breakable() []string { return []string{"WG-01"} }

// coreOnly is the widgets API with only what every API has: embedding the interface hides the
// optional ones widgets implements.
type coreOnly struct{ mockapi.API }

func newCoreOnly(env mockapi.Env) mockapi.API { return coreOnly{newWidgets(env)} }
