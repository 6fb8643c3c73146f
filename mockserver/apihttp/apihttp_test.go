package apihttp_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/openapi"
)

// widgets is a small API of the tests' own: one secured operation with a required parameter and
// body, one open one.
const widgets = `openapi: 3.0.3
info: {title: widgets, version: "1"}
security: [{bearer: []}]
paths:
  /widgets:
    post:
      operationId: createWidget
      parameters: [{name: size, in: query, required: true, schema: {type: integer, minimum: 1}}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [name], additionalProperties: false, properties: {name: {type: string}}}
      responses:
        '201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Widget'}}}}
        default: {description: error, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
  /widgets/{id}:
    get:
      operationId: getWidget
      security: []
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Widget'}}}}
        default: {description: error, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Widget: {type: object, required: [name], properties: {name: {type: string}}}
    Error: {type: object, required: [status, message], properties: {status: {type: integer}, message: {type: string}, field: {type: string}}}
`

// widgetErrors answers a failure as {status, message, field}.
var widgetErrors = apihttp.Errors{Failure: func(_ *http.Request, f *openapi.Failure) apihttp.Error {
	return apihttp.Error{Status: apihttp.Status(f.Kind), Body: map[string]any{"status": apihttp.Status(f.Kind), "message": f.Message(), "field": f.Field}}
}}

// authenticate accepts only the token "good", and hands the caller's name to the handler.
func authenticate(r *http.Request, _ *openapi.Operation) (any, *openapi.Failure) {
	if r.Header.Get("Authorization") != "Bearer good" {
		return nil, &openapi.Failure{Kind: openapi.KindAuth, Field: "Authorization", Rule: "invalid"}
	}
	return "anna", nil
}

func newAPI(t *testing.T, create http.HandlerFunc) *apihttp.Handler {
	t.Helper()
	spec, err := openapi.Parse("widgets", []byte(widgets))
	require.NoError(t, err)
	get := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apihttp.WriteJSON(w, http.StatusOK, map[string]string{"name": apihttp.PathParam(r, "id")})
	})
	h, err := apihttp.New(apihttp.API{Spec: spec, Operations: map[string]http.Handler{"createWidget": create, "getWidget": get},
		Authenticate: authenticate, Errors: widgetErrors}, apihttp.Options{MaxBodyBytes: 64, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	return h
}

func created(w http.ResponseWriter, r *http.Request) {
	apihttp.WriteJSON(w, http.StatusCreated, map[string]any{"name": apihttp.Caller(r)})
}

func serve(t *testing.T, h http.Handler, method, target, auth, contentType, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	raw, _ := io.ReadAll(rec.Body)
	require.NoError(t, json.Unmarshal(raw, &out), string(raw))
	return rec.Code, out
}

func TestConformingRequestReachesTheHandlerWithWhatAuthenticateLearnt(t *testing.T) {
	code, body := serve(t, newAPI(t, created), "POST", "/widgets?size=2", "Bearer good", "application/json", `{"name":"w"}`)
	assert.Equal(t, http.StatusCreated, code, body)
	assert.Equal(t, "anna", body["name"])

	code, body = serve(t, newAPI(t, created), "GET", "/widgets/w7", "", "", "")
	assert.Equal(t, http.StatusOK, code, "an open operation is not authenticated")
	assert.Equal(t, "w7", body["name"])
}

// DecodeJSON decodes the body as the handler read it once it was validated, whatever the handler
// has done with r.Body since (a middleware that read it, say); outside a handler it reads r.Body, and
// refuses anything after the JSON value.
func TestDecodeJSONDecodesTheValidatedBody(t *testing.T) {
	decode := func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		var body struct{ Name string }
		if err := apihttp.DecodeJSON(r, &body); err != nil {
			apihttp.Fail(w, r, err)
			return
		}
		apihttp.WriteJSON(w, http.StatusCreated, map[string]any{"name": body.Name})
	}
	code, body := serve(t, newAPI(t, decode), "POST", "/widgets?size=2", "Bearer good", "application/json", `{"name":"w"}`)
	assert.Equal(t, http.StatusCreated, code, body)
	assert.Equal(t, "w", body["name"])

	var v map[string]any
	require.NoError(t, apihttp.DecodeJSON(httptest.NewRequest("POST", "/", strings.NewReader(`{"name":"w"} `)), &v))
	assert.Equal(t, "w", v["name"])
	assert.Error(t, apihttp.DecodeJSON(httptest.NewRequest("POST", "/", strings.NewReader(`{"name":"w"} {}`)), &v))
}

// Precedence: missing credentials, then invalid ones, then too large, then media type, then
// parameters and body. Each case carries every later fault too.
func TestFailurePrecedence(t *testing.T) {
	huge := `{"name":"` + strings.Repeat("x", 100) + `"}`
	for _, c := range []struct {
		name, target, auth, contentType, body string
		want                                  int
		field                                 string
	}{
		{"no credentials", "/widgets", "", "text/plain", huge, 401, "Authorization"},
		{"invalid credentials before a bad parameter", "/widgets?size=0", "Bearer bad", "text/plain", huge, 401, "Authorization"},
		{"too large before media type", "/widgets", "Bearer good", "text/plain", huge, 413, ""},
		{"media type before parameters", "/widgets?size=0", "Bearer good", "text/plain", `{}`, 415, "Content-Type"},
		{"parameter", "/widgets?size=0", "Bearer good", "application/json", `{}`, 400, "size"},
		{"body", "/widgets?size=1", "Bearer good", "application/json", `{}`, 400, "/name"},
		{"unknown body field is named", "/widgets?size=1", "Bearer good", "application/json", `{"name":"a","colour":"red"}`, 400, "/colour"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, body := serve(t, newAPI(t, created), "POST", c.target, c.auth, c.contentType, c.body)
			assert.Equal(t, c.want, code, body)
			assert.Equal(t, c.field, body["field"])
		})
	}
}

// A mock response that breaks its own spec is a bug: it never reaches the client, a 500 does.
func TestResponseBreakingTheSpecBecomes500(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"wrong shape": func(w http.ResponseWriter, _ *http.Request) { apihttp.WriteJSON(w, 201, map[string]int{"name": 1}) },
		"undocumented status": func(w http.ResponseWriter, _ *http.Request) {
			apihttp.WriteJSON(w, http.StatusOK, map[string]string{"name": "x"})
		},
		"panic": func(http.ResponseWriter, *http.Request) { panic("boom") },
		"wrong content type": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(201)
			_, _ = w.Write([]byte("x"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			code, body := serve(t, newAPI(t, h), "POST", "/widgets?size=1", "Bearer good", "application/json", `{"name":"w"}`)
			assert.Equal(t, http.StatusInternalServerError, code)
			assert.Equal(t, "Internal error", body["message"])
		})
	}
}

// A failure is checked against the spec as a handler's response is: a bad parameter answered with a
// status its operation does not document is the mock's bug, and a 500 goes out in its place.
func TestFailureTheSpecDoesNotDocumentBecomes500(t *testing.T) {
	const gadgets = `openapi: 3.0.3
info: {title: gadgets, version: "1"}
paths:
  /gadgets/{id}:
    get:
      operationId: getGadget
      parameters: [{name: id, in: path, required: true, schema: {type: string, pattern: '^[0-9]+$'}}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
        '500': {description: error, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
components:
  schemas:
    Error: {type: object, required: [status, message], properties: {status: {type: integer}, message: {type: string}, field: {type: string}}}
`
	spec, err := openapi.Parse("gadgets", []byte(gadgets))
	require.NoError(t, err)
	get := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { apihttp.WriteJSON(w, http.StatusOK, map[string]any{}) })
	h, err := apihttp.New(apihttp.API{Spec: spec, Operations: map[string]http.Handler{"getGadget": get}, Errors: widgetErrors},
		apihttp.Options{Responses: apihttp.EveryResponse, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)

	code, _ := serve(t, h, http.MethodGet, "/gadgets/7", "", "", "")
	assert.Equal(t, http.StatusOK, code)
	code, body := serve(t, h, http.MethodGet, "/gadgets/x", "", "", "")
	assert.Equal(t, http.StatusInternalServerError, code, "the 400 for the id's pattern is not documented")
	assert.Equal(t, "Internal error", body["message"])
}

func TestEveryOperationNeedsAHandler(t *testing.T) {
	spec, err := openapi.Parse("widgets", []byte(widgets))
	require.NoError(t, err)
	_, err = apihttp.New(apihttp.API{Spec: spec, Operations: map[string]http.Handler{"createWidget": http.NotFoundHandler()}, Errors: widgetErrors}, apihttp.Options{})
	assert.ErrorContains(t, err, "getWidget")

	_, err = apihttp.New(apihttp.API{Spec: spec, Operations: map[string]http.Handler{"createWidget": http.NotFoundHandler(),
		"getWidget": http.NotFoundHandler(), "noSuchOperation": http.NotFoundHandler()}, Errors: widgetErrors}, apihttp.Options{})
	assert.ErrorContains(t, err, "noSuchOperation")

	both := map[string]http.Handler{"createWidget": http.NotFoundHandler(), "getWidget": http.NotFoundHandler()}
	_, err = apihttp.New(apihttp.API{Spec: spec, Operations: both, Errors: widgetErrors}, apihttp.Options{})
	require.NoError(t, err)
	_, err = apihttp.New(apihttp.API{Spec: spec, Operations: both}, apihttp.Options{})
	assert.ErrorContains(t, err, "no answer to a contract failure", "an API must say how it answers one")
}

func TestWrongMethodCarriesAllow(t *testing.T) {
	req := httptest.NewRequest(http.MethodDelete, "/widgets", nil)
	rec := httptest.NewRecorder()
	newAPI(t, created).ServeHTTP(rec, req)
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.Equal(t, "POST", rec.Header().Get("Allow"))
}

// A flow that hits what should not happen answers 500 in its API's shape, and the log says what
// failed and why, and where.
func TestAnUnexpectedErrorAnswersInTheAPIsShapeAndLogs(t *testing.T) {
	spec, err := openapi.Parse("widgets", []byte(widgets))
	require.NoError(t, err)
	var log bytes.Buffer
	failing := apihttp.Flow(func(*http.Request) (int, any, error) {
		return 0, nil, fmt.Errorf("read the widget: %w", errors.New("disk on fire"))
	})
	h, err := apihttp.New(apihttp.API{Spec: spec, Operations: map[string]http.Handler{"createWidget": http.HandlerFunc(created), "getWidget": failing},
		Authenticate: authenticate, Errors: widgetErrors}, apihttp.Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	require.NoError(t, err)
	code, body := serve(t, h, http.MethodGet, "/widgets/a", "", "", "")
	assert.Equal(t, http.StatusInternalServerError, code)
	assert.Equal(t, map[string]any{"status": 500.0, "message": "Internal error", "field": ""}, body)
	assert.Contains(t, log.String(), `msg="mock failed" error="read the widget: disk on fire" api=widgets operation=getWidget`)
}

// A flow's answer is written in one place: its success as JSON, or as a Body writes itself, or its
// status alone; an error it declares as it is, wrapped or not; a contract failure as the API's
// Failure says; and every error through the API's one Write.
func TestAFlowsAnswerIsWrittenInOnePlace(t *testing.T) {
	spec, err := openapi.Parse("flows", []byte(`openapi: 3.0.3
info: {title: flows, version: "1"}
paths:
  /answers/{id}:
    get:
      operationId: getAnswer
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}, text/plain: {schema: {type: string}}}}
        '204': {description: none}
        default: {description: error, content: {application/json: {schema: {type: object}}}}
`))
	require.NoError(t, err)
	gone := &apihttp.Error{Status: http.StatusGone, Body: map[string]any{"status": 410, "message": "melted"}}
	answers := map[string]struct {
		status int
		body   any
		err    error
	}{
		"json":     {status: http.StatusOK, body: map[string]string{"name": "w"}},
		"self":     {status: http.StatusOK, body: textBody("a widget")},
		"none":     {status: http.StatusNoContent},
		"declared": {err: gone},
		"wrapped":  {err: fmt.Errorf("melt the widget: %w", gone)},
		"failure":  {err: &openapi.Failure{Kind: openapi.KindNotFound, Rule: "gone"}},
	}
	get := apihttp.Flow(func(r *http.Request) (int, any, error) {
		a := answers[apihttp.PathParam(r, "id")]
		return a.status, a.body, a.err
	})
	errs := widgetErrors
	errs.Write = func(w http.ResponseWriter, _ *http.Request, e apihttp.Error) {
		w.Header().Set("X-Widget-Error", "yes")
		apihttp.WriteJSON(w, e.Status, e.Body)
	}
	h, err := apihttp.New(apihttp.API{Spec: spec, Operations: map[string]http.Handler{"getAnswer": get}, Errors: errs},
		apihttp.Options{Logger: slog.New(slog.DiscardHandler), Responses: apihttp.EveryResponse})
	require.NoError(t, err)
	for id, want := range map[string]struct {
		status      int
		contentType string
		body        string
		errorHeader string
	}{
		"json":     {200, "application/json", `{"name":"w"}`, ""},
		"self":     {200, "text/plain", "a widget", ""},
		"none":     {204, "", "", ""},
		"declared": {410, "application/json", `{"status":410,"message":"melted"}`, "yes"},
		"wrapped":  {410, "application/json", `{"status":410,"message":"melted"}`, "yes"},
		"failure":  {404, "application/json", `{"status":404,"message":"No such resource","field":""}`, "yes"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/answers/"+id, nil))
		assert.Equal(t, want.status, rec.Code, id)
		assert.Equal(t, want.contentType, rec.Header().Get("Content-Type"), id)
		if want.contentType == "application/json" {
			assert.JSONEq(t, want.body, rec.Body.String(), id)
		} else {
			assert.Equal(t, want.body, rec.Body.String(), id)
		}
		assert.Equal(t, want.errorHeader, rec.Header().Get("X-Widget-Error"), id)
	}
}

// textBody is a success body that writes itself as text.
type textBody string

func (b textBody) WriteBody(w http.ResponseWriter, _ *http.Request, status int) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, string(b))
}

// HEAD is answered as GET, over a real connection: the status and headers a GET gets, and no body.
func TestHeadIsGetWithoutTheBody(t *testing.T) {
	srv := httptest.NewServer(newAPI(t, created))
	t.Cleanup(srv.Close)
	get, err := http.Get(srv.URL + "/widgets/a")
	require.NoError(t, err)
	getBody, _ := io.ReadAll(get.Body)
	get.Body.Close()
	require.Equal(t, http.StatusOK, get.StatusCode)
	require.JSONEq(t, `{"name":"a"}`, string(getBody))

	head, err := http.Head(srv.URL + "/widgets/a")
	require.NoError(t, err)
	headBody, _ := io.ReadAll(head.Body)
	head.Body.Close()
	assert.Equal(t, http.StatusOK, head.StatusCode)
	assert.Equal(t, "application/json", head.Header.Get("Content-Type"))
	assert.Empty(t, headBody)

	head, err = http.Head(srv.URL + "/widgets")
	require.NoError(t, err)
	head.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, head.StatusCode, "no GET there, so no HEAD")
	assert.Equal(t, "POST", head.Header.Get("Allow"))
}

// A handler's base URL is the public URL, or the request's scheme and host, then the prefix; the
// prefix is taken off before routing.
func TestBaseURLAndPrefix(t *testing.T) {
	spec, err := openapi.Parse("widgets", []byte(widgets))
	require.NoError(t, err)
	var base string
	get := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base = apihttp.BaseURL(r)
		apihttp.WriteJSON(w, http.StatusOK, map[string]string{"name": apihttp.PathParam(r, "id")})
	})
	for _, c := range []struct{ public, want string }{{"", "http://mock.test:8080/w"}, {"https://idv.example/", "https://idv.example/w"}} {
		h, err := apihttp.New(apihttp.API{Spec: spec, Operations: map[string]http.Handler{"createWidget": http.HandlerFunc(created), "getWidget": get},
			Errors: widgetErrors}, apihttp.Options{Prefix: "/w", PublicURL: c.public, Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://mock.test:8080/w/widgets/a", nil))
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.JSONEq(t, `{"name":"a"}`, rec.Body.String())
		assert.Equal(t, c.want, base)
	}
	r := httptest.NewRequest(http.MethodGet, "http://mock.test:8080/x", nil)
	assert.Equal(t, "http://mock.test:8080", apihttp.BaseURL(r), "outside a handler: from the request")
}

// A mock that starts answering outside its spec is caught by sampling within SampleEvery responses,
// and from then on every response of that operation and status is checked; with EveryResponse the
// first bad response is caught.
func TestSampledResponsesCatchABugSoonAndThenCheckEveryOne(t *testing.T) {
	spec, err := openapi.Parse("widgets", []byte(widgets))
	require.NoError(t, err)
	for _, checks := range []apihttp.ResponseChecks{apihttp.SampleResponses, apihttp.EveryResponse} {
		var calls atomic.Int64
		const goodCalls = 100 // past SampleFirst, so the sampling is what catches the bug
		get := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) <= goodCalls {
				apihttp.WriteJSON(w, http.StatusOK, map[string]string{"name": "a"})
				return
			}
			apihttp.WriteJSON(w, http.StatusOK, map[string]int{"name": 1}) // breaks the Widget schema
		})
		h, err := apihttp.New(apihttp.API{Spec: spec, Operations: map[string]http.Handler{"createWidget": http.HandlerFunc(created), "getWidget": get},
			Errors: widgetErrors}, apihttp.Options{Responses: checks, Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		status := func() int {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/widgets/a", nil))
			return rec.Code
		}
		for i := range goodCalls {
			require.Equal(t, http.StatusOK, status(), "good call %d", i)
		}
		firstCaught := 0
		for i := 1; i <= apihttp.SampleEvery; i++ {
			if status() == http.StatusInternalServerError {
				firstCaught = i
				break
			}
		}
		require.NotZero(t, firstCaught, "%v: a bad response went unnoticed for %d responses", checks, apihttp.SampleEvery)
		if checks == apihttp.EveryResponse {
			assert.Equal(t, 1, firstCaught)
		}
		for range 10 {
			assert.Equal(t, http.StatusInternalServerError, status(), "every response is checked once one broke the spec")
		}
	}
}

// A response sampling leaves unchecked goes straight through, headers and all; a handler that panics
// after such a response has started breaks the connection off (net/http's ErrAbortHandler) rather
// than sending a 500 after a 200.
func TestUncheckedResponsesGoStraightThrough(t *testing.T) {
	spec, err := openapi.Parse("widgets", []byte(widgets))
	require.NoError(t, err)
	var panicAfterWriting atomic.Bool
	get := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Widget", "yes")
		apihttp.WriteJSON(w, http.StatusOK, map[string]string{"name": "a"})
		if panicAfterWriting.Load() {
			panic("boom")
		}
	})
	h, err := apihttp.New(apihttp.API{Spec: spec, Operations: map[string]http.Handler{"createWidget": http.HandlerFunc(created), "getWidget": get},
		Errors: widgetErrors}, apihttp.Options{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	for i := range apihttp.SampleFirst + 2 { // the last two are not sampled
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/widgets/a", nil))
		require.Equal(t, http.StatusOK, rec.Code, i)
		assert.Equal(t, "yes", rec.Header().Get("X-Widget"), i)
		assert.JSONEq(t, `{"name":"a"}`, rec.Body.String(), i)
	}
	panicAfterWriting.Store(true)
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/widgets/a", nil))
	})
}

// A JSON body keeps &, < and > as they are (a link's query reads as the link), with no trailing newline.
func TestWriteJSONDoesNotEscapeHTML(t *testing.T) {
	rec := httptest.NewRecorder()
	apihttp.WriteJSON(rec, http.StatusCreated, map[string]string{"link": "http://x/p?a=1&b=<2>"})
	assert.Equal(t, http.StatusCreated, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.Equal(t, `{"link":"http://x/p?a=1&b=<2>"}`, rec.Body.String())

	// The next response, likely through the same pooled encoder, carries only its own bytes.
	rec = httptest.NewRecorder()
	apihttp.WriteJSON(rec, http.StatusOK, []int{1})
	assert.Equal(t, `[1]`, rec.Body.String())
}
