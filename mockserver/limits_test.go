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
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
)

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
