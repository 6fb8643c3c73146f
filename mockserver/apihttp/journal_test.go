package apihttp_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/journal"
	"github.com/idvkit/idvkit/openapi"
)

// Every request the Handler answers reaches the journal once, with the operation, the status it got
// and, for one refused for breaking the spec, the violation: wherever it was answered (before
// routing, before its handler, by its handler, or by a handler that panicked).
func TestEveryRequestIsJournaledWithWhatItGot(t *testing.T) {
	spec, err := openapi.Parse("widgets", []byte(widgets))
	require.NoError(t, err)
	j := journal.New(journal.Config{Now: func() time.Time { return time.Unix(0, 0) }})
	create := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("size") == "13" {
			panic("unlucky")
		}
		apihttp.WriteJSON(w, http.StatusCreated, map[string]string{"name": "w"})
	})
	get := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apihttp.WriteJSON(w, http.StatusNotFound, map[string]any{"status": 404, "message": "no such widget"})
	})
	h, err := apihttp.New(apihttp.API{Spec: spec, Operations: map[string]http.Handler{"createWidget": create, "getWidget": get},
		Authenticate: authenticate, Errors: widgetErrors}, apihttp.Options{Logger: slog.New(slog.DiscardHandler), Prefix: "/w", Journal: j})
	require.NoError(t, err)

	send := func(method, target, auth, body string) int {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		if auth != "" {
			r.Header.Set("Authorization", "Bearer "+auth)
		}
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	send(http.MethodPost, "/w/widgets?size=2", "good", `{"name": "a"}`)
	send(http.MethodPost, "/w/widgets?size=2", "good", `{}`)
	send(http.MethodPost, "/w/widgets?size=0", "good", `{"name": "a"}`)
	send(http.MethodPost, "/w/widgets?size=2", "", `{"name": "a"}`)
	send(http.MethodPost, "/w/widgets?size=2", "bad", `{"name": "a"}`)
	send(http.MethodGet, "/w/widgets/7", "", "")
	send(http.MethodGet, "/w/gadgets", "", "")
	send(http.MethodDelete, "/w/widgets/7", "", "")
	send(http.MethodPost, "/w/widgets?size=13", "good", `{"name": "a"}`)
	big := httptest.NewRequest(http.MethodGet, "/w/widgets/7", nil)
	big.Header.Set("X-Padding", strings.Repeat("x", apihttp.MaxHeaderBytes))
	h.ServeHTTP(httptest.NewRecorder(), big)

	items, _ := j.Requests(journal.Filter{}, 0)
	type seen struct {
		line, op string
		status   int
		pointer  string
		rule     string
	}
	var got []seen
	for i := len(items) - 1; i >= 0; i-- {
		it := items[i]
		s := seen{line: it.Line(), op: it.Operation, status: it.Status}
		if it.Violation != nil {
			s.pointer, s.rule = it.Violation.Pointer, it.Violation.Rule
		}
		got = append(got, s)
	}
	assert.Equal(t, []seen{
		{"POST /w/widgets?size=<1 digit>", "createWidget", 201, "", ""},
		{"POST /w/widgets?size=<1 digit>", "createWidget", 400, "/body/name", "required"},
		{"POST /w/widgets?size=<1 digit>", "createWidget", 400, "/query/size", "minimum"},
		{"POST /w/widgets?size=<1 digit>", "createWidget", 401, "/header/Authorization", "required"},
		{"POST /w/widgets?size=<1 digit>", "createWidget", 401, "", ""}, // a wrong token is no violation
		{"GET /w/widgets/7", "getWidget", 404, "", ""},
		{"GET /w/gadgets", "", 404, "/path", "path"},
		{"DELETE /w/widgets/7", "", 405, "/method", "method"},
		{"POST /w/widgets?size=<2 digits>", "createWidget", 500, "", ""},
		{"GET /w/widgets/7", "", 431, "/header", "max-header-bytes"},
	}, got)
	assert.Equal(t, map[string]any{"name": "<1 char>"}, items[len(items)-1].Body, "the body read is the journal's, by shape")
	assert.Equal(t, map[string]any{}, items[len(items)-2].Body)
}
