package mockserver_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/apihttp"
)

// Headers over 64 KiB get a 431 in the error shape of whoever would have answered: the API, the
// control API, or for a path nothing serves the control API (or the one API served at the root);
// headers just under the limit are served.
func TestHeadersOverTheLimitGetA431InTheAnswerersShape(t *testing.T) {
	big := strings.Repeat("a", apihttp.MaxHeaderBytes)
	all := newServer(t, mockserver.Config{})
	only := newServer(t, mockserver.Config{Only: "rambase"})
	for _, c := range []struct {
		name   string
		h      http.Handler
		target string
		field  string // a field of the answerer's error shape
		value  any
	}{
		{"RamBase", all, "/rambase/system/sessions/current", "httpStatusCode", 431.0},
		{"RandaVerify", all, "/randaverify/v1/me", "detail", "The request headers are too large"},
		{"eeID", all, "/eeid/api/ident/v1/identification_requests", "error", "The request headers are too large"},
		{"control API", all, "/_mock/healthz", "error", "header-too-large"},
		{"control API under a prefix", all, "/rambase/_mock/healthz", "error", "header-too-large"},
		{"a page", all, "/randaverify/_mock/ui/nope", "error", "header-too-large"},
		{"nothing served there", all, "/nope", "error", "header-too-large"},
		{"nothing served there, one API at the root", only, "/nope", "httpStatusCode", 431.0},
	} {
		req := httptest.NewRequest(http.MethodGet, c.target, nil)
		req.Header.Set("X-Big", big)
		rec := httptest.NewRecorder()
		c.h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, rec.Code, c.name)
		var body map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), "%s: %s", c.name, rec.Body)
		assert.Equal(t, c.value, body[c.field], "%s: %s", c.name, rec.Body)
	}
	req := httptest.NewRequest(http.MethodGet, "/_mock/healthz", nil)
	req.Header.Set("X-Big", big[:apihttp.MaxHeaderBytes-200])
	rec := httptest.NewRecorder()
	all.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code, "just under the limit")
}

// Every answer the mock gives before reading a large body (a 404 where nothing is served, a 405, a
// 401, a 413) reaches a client that writes its whole body before reading: the mock lingers (see
// apihttp.Linger) whatever answers.
func TestAnswersBeforeTheBodyReachAClientThatSendsItAllFirst(t *testing.T) {
	srv := httptest.NewServer(newServer(t, mockserver.Config{}))
	t.Cleanup(srv.Close)
	body := bytes.Repeat([]byte("a"), 2<<20)
	for _, c := range []struct {
		target string
		want   int
	}{
		{"/nope", http.StatusNotFound},
		{"/rambase/system/sessions/current", http.StatusMethodNotAllowed},
		{"/randaverify/v1/change-password", http.StatusUnauthorized},
		{"/rambase/oauth2/access_token", http.StatusRequestEntityTooLarge},
	} {
		for try := range 3 {
			c2, err := net.Dial("tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			require.NoError(t, c2.SetDeadline(time.Now().Add(30*time.Second)))
			_, err = fmt.Fprintf(c2, "POST %s HTTP/1.1\r\nHost: mock.test\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", c.target, len(body))
			require.NoError(t, err)
			_, err = c2.Write(body)
			require.NoError(t, err, "%s, try %d", c.target, try)
			resp, err := http.ReadResponse(bufio.NewReader(c2), nil)
			require.NoError(t, err, "%s, try %d", c.target, try)
			raw, _ := io.ReadAll(resp.Body)
			c2.Close()
			assert.Equal(t, c.want, resp.StatusCode, "%s, try %d: %s", c.target, try, raw)
			assert.True(t, json.Valid(raw), "%s: %s", c.target, raw)
		}
	}
}
