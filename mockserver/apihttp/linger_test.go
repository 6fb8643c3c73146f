package apihttp_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
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

	"github.com/idvkit/idvkit/mockserver/apihttp"
)

// lingering serves the widgets API (a 64-byte body limit) behind Linger on a real connection.
func lingering(t *testing.T, d apihttp.Drain) string {
	t.Helper()
	s := httptest.NewServer(apihttp.Linger(newAPI(t, created), d))
	t.Cleanup(s.Close)
	return s.Listener.Addr().String()
}

// writeFirst sends a request the way Python's urllib does: its headers (with Connection: close) in
// one write, then the whole body, chunked or with its Content-Length, and only then reads the
// response. It returns the response with its body read, or why there was none.
func writeFirst(t *testing.T, addr, target, header string, body []byte, chunked bool) (*http.Response, []byte, error) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(30*time.Second)))
	framing := fmt.Sprintf("Content-Length: %d\r\n", len(body))
	if chunked {
		framing = "Transfer-Encoding: chunked\r\n"
		var b bytes.Buffer
		for rest := body; len(rest) > 0; {
			n := min(len(rest), 64<<10)
			fmt.Fprintf(&b, "%x\r\n%s\r\n", n, rest[:n])
			rest = rest[n:]
		}
		b.WriteString("0\r\n\r\n")
		body = b.Bytes()
	}
	if _, err := fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: mock.test\r\nConnection: close\r\nContent-Type: application/json\r\n%s%s\r\n", target, header, framing); err != nil {
		return nil, nil, err
	}
	if _, err := c.Write(body); err != nil {
		return nil, nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

var twoMiB = bytes.Repeat([]byte("a"), 2<<20)

// A client that writes its whole body before reading gets the answer to a request answered without
// its body being read: the 413 over the limit (by Content-Length, or once the limit was read from a
// chunked body), and a 401 that never needed the body, every time. Without Linger, net/http closes
// the connection with the body unread and the client, still sending, gets a reset instead.
func TestLingerGetsTheAnswerToAClientThatWritesItsWholeBodyFirst(t *testing.T) {
	addr := lingering(t, apihttp.Drain{})
	for _, c := range []struct {
		name, auth string
		chunked    bool
		want       int
	}{
		{"413 by Content-Length", "Authorization: Bearer good\r\n", false, 413},
		{"413 once the limit was read", "Authorization: Bearer good\r\n", true, 413},
		{"401 before the body", "", false, 401},
		{"401 before a chunked body", "", true, 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			for try := range 5 {
				resp, body, err := writeFirst(t, addr, "/widgets?size=1", c.auth, twoMiB, c.chunked)
				require.NoError(t, err, "try %d", try)
				assert.Equal(t, c.want, resp.StatusCode, "try %d", try)
				var shape map[string]any
				require.NoError(t, json.Unmarshal(body, &shape), "try %d: %s", try, body)
				assert.EqualValues(t, c.want, shape["status"], "the API's own error shape")
				assert.True(t, resp.Close, "Connection: close, since the body was not wanted")
				assert.Equal(t, int64(len(body)), resp.ContentLength, "a complete answer, with its length")
			}
		})
	}
}

// A body read to its end leaves the response as it was: no Connection: close, and the connection
// serves the next request.
func TestLingerLeavesARequestWhoseBodyWasReadAlone(t *testing.T) {
	var got int
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = len(b)
		apihttp.WriteJSON(w, http.StatusOK, map[string]int{"read": len(b)})
	})
	s := httptest.NewServer(apihttp.Linger(h, apihttp.Drain{}))
	t.Cleanup(s.Close)
	c, err := net.Dial("tcp", s.Listener.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	br := bufio.NewReader(c)
	for i := range 2 {
		_, err := fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: mock.test\r\nContent-Length: %d\r\n\r\n%s", len(twoMiB), twoMiB)
		require.NoError(t, err)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err, "request %d on one connection", i)
		body, _ := io.ReadAll(resp.Body)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.False(t, resp.Close, "request %d", i)
		assert.JSONEq(t, `{"read":2097152}`, string(body))
		assert.Equal(t, len(twoMiB), got)
	}
}

// A client that sent Expect: 100-continue and is answered without the body being read gets the 413
// at once, no 100 Continue, and the connection closed: it never sends the body, so nothing is waited
// for (the drain timeout here is a minute, the client's patience ten seconds).
func TestLingerWaitsForNoBodyAfterExpect100Continue(t *testing.T) {
	addr := lingering(t, apihttp.Drain{Timeout: time.Minute})
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = fmt.Fprintf(c, "POST /widgets?size=1 HTTP/1.1\r\nHost: mock.test\r\nAuthorization: Bearer good\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", len(twoMiB))
	require.NoError(t, err)
	all, err := io.ReadAll(c)
	require.NoError(t, err, "the server closes the connection; it does not wait for the body")
	assert.True(t, strings.HasPrefix(string(all), "HTTP/1.1 413 "), "%.200s", all)
	assert.NotContains(t, string(all), "100 Continue")
}

// The drain is bounded: a body with more left than the bound by its Content-Length is not read at
// all, and one of unknown length is read no further than the bound, then the connection is closed.
// The client here reads while it sends: it gets the 413 either way, and its sending ends with the
// connection closed (the drain timeout is a minute; the test would time out waiting).
func TestLingerReadsNoMoreThanItsBound(t *testing.T) {
	addr := lingering(t, apihttp.Drain{Bytes: 1 << 20, Timeout: time.Minute})
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer c.Close()
			require.NoError(t, c.SetDeadline(time.Now().Add(30*time.Second)))
			framing := fmt.Sprintf("Content-Length: %d\r\n", 1<<40) // a terabyte
			if chunked {
				framing = "Transfer-Encoding: chunked\r\n"
			}
			_, err = fmt.Fprintf(c, "POST /widgets?size=1 HTTP/1.1\r\nHost: mock.test\r\nAuthorization: Bearer good\r\nContent-Type: application/json\r\n%s\r\n", framing)
			require.NoError(t, err)
			sent := make(chan error, 1)
			go func() { // send for ever, or until the server closes the connection
				chunk := []byte(fmt.Sprintf("%x\r\n%s\r\n", 64<<10, bytes.Repeat([]byte("a"), 64<<10)))
				for {
					if _, err := c.Write(chunk); err != nil {
						sent <- err
						return
					}
				}
			}()
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
			err = <-sent
			var ne net.Error
			assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the server closed the connection: %v", err)
		})
	}
}

// The drain is bounded in time, and it holds only its own connection: a client that stops sending
// halfway has its connection closed once the drain timeout has passed, and meanwhile another client
// is served.
func TestLingerGivesUpOnAStalledBodyAndHoldsNothingElse(t *testing.T) {
	addr := lingering(t, apihttp.Drain{Timeout: 300 * time.Millisecond})
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = fmt.Fprintf(c, "POST /widgets?size=1 HTTP/1.1\r\nHost: mock.test\r\nAuthorization: Bearer good\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\n\r\n%s", len(twoMiB), twoMiB[:100<<10])
	require.NoError(t, err)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "the answer comes first")
	_, _ = io.Copy(io.Discard, resp.Body)

	other, err := http.Get("http://" + addr + "/widgets/w1")
	require.NoError(t, err, "another client is served while the first one's body is drained")
	other.Body.Close()
	assert.Equal(t, http.StatusOK, other.StatusCode)

	_, err = br.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the stalled connection is closed after the drain timeout, not the client's 10 s")
}

// Lingering off (a negative bound) leaves net/http's behaviour: the 413 goes out and the connection
// is closed without reading the body.
func TestLingerCanBeTurnedOff(t *testing.T) {
	addr := lingering(t, apihttp.Drain{Bytes: -1, Timeout: time.Minute})
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = fmt.Fprintf(c, "POST /widgets?size=1 HTTP/1.1\r\nHost: mock.test\r\nAuthorization: Bearer good\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\n\r\n%s", len(twoMiB), twoMiB[:100<<10])
	require.NoError(t, err)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	_, _ = io.Copy(io.Discard, resp.Body)
	_, err = br.ReadByte()
	assert.Error(t, err, "closed at once, not drained for a minute")
}
