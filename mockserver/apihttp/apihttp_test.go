package apihttp_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/openapi"
)

func handlersFor(spec *openapi.Spec, h http.Handler) map[string]http.Handler {
	m := map[string]http.Handler{}
	for _, op := range spec.Operations() {
		m[op.ID] = h
	}
	return m
}

func writeFailure(w http.ResponseWriter, _ *http.Request, f *openapi.Failure) {
	apihttp.WriteJSON(w, apihttp.Status(f.Kind), map[string]any{"httpStatusCode": apihttp.Status(f.Kind), "httpStatusDescription": "x", "message": f.Message()})
}

func serve(t *testing.T, h http.Handler) (int, map[string]any) {
	t.Helper()
	spec := openapi.MustLoad("rambase")
	api, err := apihttp.New(spec, handlersFor(spec, h), writeFailure, apihttp.Options{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodGet, "/id-verification-token", nil)
	req.Header.Set("Authorization", "Bearer t")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	var body map[string]any
	raw, _ := io.ReadAll(rec.Body)
	require.NoError(t, json.Unmarshal(raw, &body), string(raw))
	return rec.Code, body
}

func TestConformingResponsePassesThrough(t *testing.T) {
	code, body := serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		apihttp.WriteJSON(w, http.StatusOK, map[string]string{"idVerificationToken": "abc"})
	}))
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "abc", body["idVerificationToken"])
}

// A mock response that breaks its own spec is a bug: it never reaches the client, a 500 does.
func TestResponseBreakingTheSpecBecomes500(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"wrong shape": func(w http.ResponseWriter, _ *http.Request) { apihttp.WriteJSON(w, 200, map[string]int{"token": 1}) },
		"undocumented status": func(w http.ResponseWriter, _ *http.Request) {
			apihttp.WriteJSON(w, http.StatusTeapot, map[string]string{})
		},
		"panic": func(http.ResponseWriter, *http.Request) { panic("boom") },
		"wrong content type": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte("x"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			code, body := serve(t, h)
			assert.Equal(t, http.StatusInternalServerError, code)
			assert.Equal(t, "Internal error", body["message"])
		})
	}
}

func TestEveryOperationNeedsAHandler(t *testing.T) {
	spec := openapi.MustLoad("rambase")
	handlers := handlersFor(spec, http.NotFoundHandler())
	delete(handlers, "getUser")
	_, err := apihttp.New(spec, handlers, writeFailure, apihttp.Options{})
	assert.ErrorContains(t, err, "getUser")

	handlers = handlersFor(spec, http.NotFoundHandler())
	handlers["noSuchOperation"] = http.NotFoundHandler()
	_, err = apihttp.New(spec, handlers, writeFailure, apihttp.Options{})
	assert.ErrorContains(t, err, "noSuchOperation")
}

func TestBaseURL(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "http://mock.test:8080/x", nil)
	assert.Equal(t, "http://mock.test:8080", apihttp.BaseURL(r))
	assert.Equal(t, "https://idv.example/rambase", apihttp.BaseURL(apihttp.WithBaseURL(r, "https://idv.example/rambase/")))
}
