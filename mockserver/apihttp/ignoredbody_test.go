package apihttp_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/openapi"
)

// A body sent to an operation that declares none (every GET) is ignored: not read, whatever its size,
// Content-Type or form, so it never gets a 413, 415 or 422 the operation does not document, and the
// handler sees no body. An operation that takes a body still has it checked.
func TestABodySentToAnOperationThatTakesNoneIsIgnored(t *testing.T) {
	spec, err := openapi.Parse("widgets", []byte(widgets))
	require.NoError(t, err)
	var seen []string
	get := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
		seen = append(seen, string(b))
		apihttp.WriteJSON(w, http.StatusOK, map[string]string{"name": apihttp.PathParam(r, "id")})
	})
	for _, checks := range []apihttp.ResponseChecks{apihttp.EveryResponse, apihttp.SampleResponses} {
		h, err := apihttp.New(apihttp.API{Spec: spec, Operations: map[string]http.Handler{"createWidget": http.HandlerFunc(created), "getWidget": get},
			Authenticate: authenticate, Errors: widgetErrors}, apihttp.Options{MaxBodyBytes: 64, Responses: checks, Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		seen = nil
		code, body := serve(t, h, http.MethodGet, "/widgets/w7", "", "", "")
		require.Equal(t, http.StatusOK, code, body)
		for _, c := range []struct{ name, contentType, body string }{
			{"at the limit", "application/json", `{"name":"` + strings.Repeat("x", 64-len(`{"name":""}`)) + `"}`},
			{"over the limit", "application/json", `{"name":"` + strings.Repeat("x", 65-len(`{"name":""}`)) + `"}`},
			{"far over the limit", "application/json", strings.Repeat(" ", 1<<20)},
			{"of a media type no operation takes", "text/plain", "x"},
			{"a malformed form", "application/x-www-form-urlencoded", "a=%zz"},
			{"a form that is not UTF-8", "application/x-www-form-urlencoded", "a=%ff%fe"},
			{"malformed JSON", "application/json", `{"name":`},
		} {
			code, body := serve(t, h, http.MethodGet, "/widgets/w7", "", c.contentType, c.body)
			assert.Equal(t, http.StatusOK, code, "%s: %v", c.name, body)
			assert.Equal(t, "w7", body["name"], c.name)
		}
		assert.Equal(t, make([]string, 8), seen, "every request reached the handler, which saw no body")

		code, body = serve(t, h, http.MethodPost, "/widgets?size=1", "Bearer good", "application/json", `{"name":"`+strings.Repeat("x", 65-len(`{"name":""}`))+`"}`)
		assert.Equal(t, http.StatusRequestEntityTooLarge, code, "an operation that takes a body has it limited: %v", body)
	}
}
