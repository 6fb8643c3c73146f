package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/password"
)

// serveMock runs `idvkit serve` on a free loopback port with args until the test ends, and returns
// its host:port.
func serveMock(t *testing.T, args ...string) string {
	t.Helper()
	first := startServe(t, func(string) string { return "" }, append([]string{"--addr", "127.0.0.1:0"}, args...)...)[0]
	require.Contains(t, first, "listening on http://")
	return strings.TrimSpace(first[strings.Index(first, "http://")+len("http://"):])
}

// startServe runs `idvkit serve` with args and the environment getenv gives until the test ends, and
// returns its banner's lines up to the first blank one: where it listens and where each API is.
func startServe(t *testing.T, getenv func(string) string, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), getenv, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
	})
	lines := bufio.NewScanner(pr)
	var banner []string
	for lines.Scan() && lines.Text() != "" {
		banner = append(banner, lines.Text())
	}
	require.NotEmpty(t, banner, "serve %v printed nothing", args)
	go func() {
		for lines.Scan() {
		}
	}()
	return banner
}

// sendWholeBodyFirst sends a form POST the way Python's urllib does: its headers, with Connection:
// close, in one write, then the whole body (with its Content-Length, or chunked), and only then
// reads the response.
func sendWholeBodyFirst(addr, path string, body []byte, chunked bool) (status int, respBody []byte, err error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, nil, err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return 0, nil, err
	}
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
	if _, err := fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nAccept-Encoding: identity\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Connection: close\r\nUser-Agent: Python-urllib/3.12\r\n%s\r\n", path, addr, framing); err != nil {
		return 0, nil, err
	}
	if _, err := c.Write(body); err != nil {
		return 0, nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	respBody, err = io.ReadAll(resp.Body)
	return resp.StatusCode, respBody, err
}

// oversized is a form body twice the mock's 1 MiB limit.
var oversized = append([]byte("grant_type=password&username=anna&password=anna-password&padding="), bytes.Repeat([]byte("a"), 2<<20)...)

// assertRamBase413 checks a 413 in RamBase's own error shape.
func assertRamBase413(t *testing.T, body []byte, msgAndArgs ...any) {
	t.Helper()
	var e struct {
		HTTPStatusCode int    `json:"httpStatusCode"`
		Message        string `json:"message"`
	}
	require.NoError(t, json.Unmarshal(body, &e), "%s", body)
	assert.Equal(t, http.StatusRequestEntityTooLarge, e.HTTPStatusCode, msgAndArgs...)
	assert.Equal(t, "The request body is too large", e.Message, msgAndArgs...)
}

// A partner's client that streams its whole 2 MiB body before reading (Python's urllib) reads the
// mock's 413 in RamBase's shape every time, whether the body has a Content-Length (refused before a
// byte is read) or is chunked (refused once 1 MiB has been read). Before the lingering close, 4 of 5
// such tries got a broken pipe or a reset.
func TestServe413ReachesAClientThatWritesItsWholeBodyFirst(t *testing.T) {
	addr := serveMock(t)
	for _, chunked := range []bool{false, true} {
		for try := range 5 {
			status, body, err := sendWholeBodyFirst(addr, "/rambase/oauth2/access_token", oversized, chunked)
			require.NoError(t, err, "chunked=%v, try %d", chunked, try)
			assert.Equal(t, http.StatusRequestEntityTooLarge, status, "chunked=%v, try %d", chunked, try)
			assertRamBase413(t, body, "chunked=%v, try %d", chunked, try)
		}
	}
}

// curl sends Expect: 100-continue with a body this large and gets the 413 without sending a byte of
// it; told not to (Expect:), it reads while it sends, gets the 413 and
// stops. Without curl this is skipped, with the reason; in CI (CI set) it fails.
func TestServe413ReachesCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		mocktest.Unavailable(t, "curl is not installed (.ci/run installs it)")
	}
	addr := serveMock(t)
	dir := t.TempDir()
	bodyFile, out := filepath.Join(dir, "body"), filepath.Join(dir, "out")
	require.NoError(t, os.WriteFile(bodyFile, oversized, 0o600))
	for _, c := range []struct {
		name  string
		extra []string
	}{
		{"default (Expect: 100-continue)", nil},
		{"without Expect", []string{"-H", "Expect:"}},
	} {
		args := append([]string{"-sS", "-m", "20", "-o", out, "-w", "%{http_code} %{size_upload}",
			"-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", "@" + bodyFile}, c.extra...)
		got, err := exec.Command(curl, append(args, "http://"+addr+"/rambase/oauth2/access_token")...).CombinedOutput()
		require.NoError(t, err, "%s: %s", c.name, got)
		var status, uploaded int
		_, err = fmt.Sscan(string(got), &status, &uploaded)
		require.NoError(t, err, "%s: %s", c.name, got)
		assert.Equal(t, http.StatusRequestEntityTooLarge, status, c.name)
		if c.extra == nil {
			assert.Zero(t, uploaded, "with Expect: 100-continue, curl sends none of the body")
		}
		body, err := os.ReadFile(out)
		require.NoError(t, err)
		assertRamBase413(t, body, c.name)
	}
}

// A body far beyond the drain bound (4 MiB) is not waited for: one of 64 MiB by its Content-Length is
// not read at all, an endless chunked one no further than the bound, and each connection is closed
// while the mock goes on answering others.
func TestServeClosesABodyFarBeyondTheDrainBoundAndAnswersOthers(t *testing.T) {
	addr := serveMock(t)
	huge := bytes.Repeat([]byte("a"), 64<<20)
	for _, chunked := range []bool{false, true} {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		require.NoError(t, c.SetDeadline(time.Now().Add(30*time.Second)))
		framing := fmt.Sprintf("Content-Length: %d\r\n", len(huge))
		if chunked {
			framing = "Transfer-Encoding: chunked\r\n"
		}
		_, err = fmt.Fprintf(c, "POST /rambase/oauth2/access_token HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n%s\r\n", addr, framing)
		require.NoError(t, err)
		sent := make(chan error, 1)
		go func() {
			if !chunked {
				_, err := c.Write(huge)
				sent <- err
				return
			}
			chunk := []byte(fmt.Sprintf("%x\r\n%s\r\n", 64<<10, huge[:64<<10]))
			for { // for ever, or until the mock closes the connection
				if _, err := c.Write(chunk); err != nil {
					sent <- err
					return
				}
			}
		}()

		resp, err := http.Get("http://" + addr + "/_mock/healthz")
		require.NoError(t, err, "chunked=%v: the mock answers others meanwhile", chunked)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)

		err = <-sent
		require.Error(t, err, "chunked=%v: the connection is closed before the body is all sent", chunked)
		var ne net.Error
		assert.False(t, errors.As(err, &ne) && ne.Timeout(), "chunked=%v: closed by the mock, not timed out: %v", chunked, err)
		c.Close()
	}
}

// A response has the write timeout from its first byte: a handler that waited longer than that (for
// a CPU, behind a burst of bcrypt logins) still gets its response out. With http.Server's
// WriteTimeout, which runs from the end of the request's headers, it was lost.
func TestServeWriteTimeoutRunsFromTheFirstByte(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(600 * time.Millisecond) // three write timeouts
		apihttp.WriteJSON(w, http.StatusOK, map[string]string{"status": "late"})
	})
	tt := apihttp.ServeTimeouts
	tt.Write = 200 * time.Millisecond
	addr := listenAndServe(t, apihttp.NewServer(slow, tt, nil))
	resp, err := http.Get("http://" + addr + "/")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.JSONEq(t, `{"status":"late"}`, string(body))
}

func listenAndServe(t *testing.T, srv *http.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// loginBurst sends n password logins to RamBase at once, each on its own connection, and counts the
// answers by status, and the connections that got none by what went wrong.
func loginBurst(addr string, n int) (outcomes map[string]int, latencies []time.Duration) {
	const form = "grant_type=password&client_id=forecast-api&client_secret=forecast-secret&username=anna&password=anna-password"
	req := fmt.Sprintf("POST /rambase/oauth2/access_token HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: %d\r\nConnection: close\r\n\r\n%s", addr, len(form), form)
	var mu sync.Mutex
	outcomes = map[string]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			began := time.Now()
			outcome := func() string {
				c, err := net.DialTimeout("tcp", addr, time.Minute)
				if err != nil {
					return "dial: " + err.Error()
				}
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Minute))
				if _, err := io.WriteString(c, req); err != nil {
					return "write: " + err.Error()
				}
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					return "no response: " + err.Error()
				}
				resp.Body.Close()
				return resp.Status
			}()
			mu.Lock()
			defer mu.Unlock()
			outcomes[strings.ReplaceAll(outcome, addr, "<mock>")]++
			latencies = append(latencies, time.Since(began))
		})
	}
	close(start)
	wg.Wait()
	return outcomes, latencies
}

// Every one of 500 simultaneous password logins gets its response. At bcrypt's minimum cost, to keep
// the test quick, with a write timeout of 1 s that the burst outlasts under the race detector (about
// 5 s on two cores): before bcrypt comparisons were limited to GOMAXPROCS at a time and the write
// timeout ran from the first byte, all 500 shared the CPU, finished together at the end, and most
// responses were lost. BenchmarkServeLoginBurst is the burst at bcrypt's default cost.
func TestServeAnswersEveryLoginOfABurst(t *testing.T) {
	mock, err := mockserver.New(mockserver.Config{PasswordCost: password.MinCost, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(mock.Close)
	tt := apihttp.ServeTimeouts
	tt.Write = time.Second
	addr := listenAndServe(t, apihttp.NewServer(mock, tt, nil))
	outcomes, _ := loginBurst(addr, 500)
	assert.Equal(t, map[string]int{"200 OK": 500}, outcomes)
}

// BenchmarkServeLoginBurst is the burst at a vendor's cost: 500 simultaneous password logins to
// `idvkit serve --password-cost 10` (bcrypt's default cost, the served timeouts), each on its own
// connection, every one of which must get its response. One burst takes about 20 s on two cores:
//
//	go test -run '^$' -bench ServeLoginBurst -benchtime 1x ./cmd/idvkit/
func BenchmarkServeLoginBurst(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--password-cost", "10"}, func(string) string { return "" }, pw, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() || !strings.Contains(lines.Text(), "listening on http://") {
		b.Fatalf("serve did not start: %q", lines.Text())
	}
	addr := strings.TrimSpace(lines.Text()[strings.Index(lines.Text(), "http://")+len("http://"):])
	go func() {
		for lines.Scan() {
		}
	}()
	b.ResetTimer()
	for b.Loop() {
		outcomes, latencies := loginBurst(addr, 500)
		if outcomes["200 OK"] != 500 {
			b.Fatalf("of 500 logins: %v", outcomes)
		}
		slices.Sort(latencies)
		b.ReportMetric(latencies[len(latencies)/2].Seconds(), "p50-s")
		b.ReportMetric(latencies[len(latencies)-1].Seconds(), "max-s")
	}
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

// Requests net/http refuses before the mock sees them get its plain-text answers, as the README's
// Bad input section says; headers between the mock's 64 KiB and net/http's 1 MiB reach the mock and
// get the API's own 431.
func TestServeRejectionsBelowTheMock(t *testing.T) {
	addr := serveMock(t)
	big := func(n int) string { return "X-Big: " + strings.Repeat("a", n) + "\r\n" }
	for _, c := range []struct {
		name, request string
		want          string // the response's status line and, after a blank line, its body
	}{
		{"malformed request line", "GARBAGE\r\n\r\n", "HTTP/1.1 400 Bad Request\n\n400 Bad Request"},
		{"no Host", "GET /_mock/healthz HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request: missing required Host header\n\n400 Bad Request: missing required Host header"},
		{"invalid header name", "GET /_mock/healthz HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n", "HTTP/1.1 400 Bad Request: invalid header name\n\n400 Bad Request: invalid header name"},
		{"unknown HTTP version", "GET /_mock/healthz HTTP/2.0\r\nHost: x\r\n\r\n",
			"HTTP/1.1 505 HTTP Version Not Supported: unsupported protocol version\n\n505 HTTP Version Not Supported: unsupported protocol version"},
		{"unsupported transfer encoding", "POST /rambase/oauth2/access_token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
			"HTTP/1.1 501 Not Implemented\n\nUnsupported transfer encoding"},
		{"headers over 1 MiB and 4 KiB", "GET /rambase/system/sessions/current HTTP/1.1\r\nHost: x\r\n" + big(1<<20+4<<10) + "\r\n",
			"HTTP/1.1 431 Request Header Fields Too Large\n\n431 Request Header Fields Too Large"},
		{"headers over 64 KiB", "GET /rambase/system/sessions/current HTTP/1.1\r\nHost: localhost\r\n" + big(64<<10) + "\r\n",
			`HTTP/1.1 431 Request Header Fields Too Large` + "\n\n" + `{"httpStatusCode":431,"httpStatusDescription":"Request Header Fields Too Large",` +
				`"message":"The request headers are too large","translatedMessage":"The request headers are too large","parameters":[],"innerErrors":[]}`},
		{"Expect other than 100-continue", "POST /rambase/oauth2/access_token HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\na",
			"HTTP/1.1 417 Expectation Failed\n\n"},
	} {
		c2, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		require.NoError(t, c2.SetDeadline(time.Now().Add(10*time.Second)))
		_, err = io.WriteString(c2, c.request)
		require.NoError(t, err, c.name)
		br := bufio.NewReader(c2)
		statusLine, err := br.ReadString('\n')
		require.NoError(t, err, c.name)
		resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(strings.NewReader("HTTP/1.1 200 OK\r\n"), br)), nil)
		require.NoError(t, err, c.name)
		body, _ := io.ReadAll(resp.Body)
		c2.Close()
		assert.Equal(t, c.want, strings.TrimSpace(statusLine)+"\n\n"+string(body), c.name)
		switch {
		case strings.Contains(c.want, "{"):
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), c.name)
		case strings.Contains(c.want, " 417 "):
			assert.Empty(t, resp.Header.Get("Content-Type"), c.name)
		default:
			assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"), c.name)
			assert.True(t, resp.Close, "%s: Connection: close", c.name)
		}
	}
}

// --drain-bytes and --drain-timeout (and their env vars) set the lingering close's bounds.
func TestServeDrainFlags(t *testing.T) {
	for _, c := range []struct {
		size, timeout string
		want          apihttp.Drain
		err           string
	}{
		{"4MiB", "5s", apihttp.Drain{Bytes: 4 << 20, Timeout: 5 * time.Second}, ""},
		{"512 KiB", "1m", apihttp.Drain{Bytes: 512 << 10, Timeout: time.Minute}, ""},
		{"1000", "250ms", apihttp.Drain{Bytes: 1000, Timeout: 250 * time.Millisecond}, ""},
		{"0", "5s", apihttp.Drain{Bytes: -1, Timeout: 5 * time.Second}, ""},
		{"-1", "5s", apihttp.Drain{}, "--drain-bytes"},
		{"4GB", "5s", apihttp.Drain{}, "--drain-bytes"},
		{"4MiB", "0s", apihttp.Drain{}, "--drain-timeout"},
		{"4MiB", "soon", apihttp.Drain{}, "--drain-timeout"},
	} {
		got, err := parseDrain(c.size, c.timeout)
		if c.err != "" {
			assert.ErrorContains(t, err, c.err, "%s %s", c.size, c.timeout)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "%s %s", c.size, c.timeout)
	}
	code, _, errs := runCLI(context.Background(), "serve", "--addr", "127.0.0.1:0", "--drain-bytes", "lots")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "--drain-bytes \"lots\"")
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string {
		return map[string]string{"IDVKIT_DRAIN_TIMEOUT": "never"}[k]
	}, io.Discard, &stderr)
	assert.Equal(t, exitUsage, exitCode(err, &stderr))
	assert.Contains(t, stderr.String(), "--drain-timeout \"never\"")
}

// A serve on every interface (0.0.0.0, [::] or no host) says so, and its banner's URLs are ones a
// person can open: on 127.0.0.1, where Go reports the listener as [::]. On one address, the banner
// names that address.
func TestServeBannerURLsOpen(t *testing.T) {
	addrs := []string{"0.0.0.0:0", ":0", "[::]:0"}
	if ln, err := net.Listen("tcp", "[::]:0"); err != nil {
		t.Logf("no IPv6 here, so no [::] case: %v", err)
		addrs = addrs[:2]
	} else {
		ln.Close()
	}
	for _, addr := range append(addrs, "127.0.0.1:0") {
		banner := startServe(t, func(string) string { return "" }, "--addr", addr)
		root := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`).FindString(banner[0])
		require.NotEmpty(t, root, "%s: %s", addr, banner[0])
		if addr == "127.0.0.1:0" {
			assert.Regexp(t, `^idvkit .* listening on `+regexp.QuoteMeta(root)+`$`, banner[0])
		} else {
			assert.Regexp(t, `^idvkit .* listening on every interface \(`+regexp.QuoteMeta(addr)+`\): `+regexp.QuoteMeta(root)+
				` from this machine, its address from others \(a name once given with --allowed-hosts\)$`, banner[0])
		}
		assert.NotContains(t, strings.Join(banner, "\n"), "http://[::]", addr)
		assert.Contains(t, banner, "  rambase      "+root+"/rambase", addr)
		assert.Contains(t, banner, "  control      "+root+"/_mock (capabilities, clock, principals, outbox, requests, violations, fixtures, reset)", addr)
		resp, err := http.Get(root + "/_mock/healthz")
		require.NoError(t, err, addr)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, addr)
	}
}

// --password-cost, or IDVKIT_PASSWORD_COST under it, is the cost every password check of the mock
// spends (password's tests count what each cost does); without either it is 0, a keyed hash.
func TestServePasswordCost(t *testing.T) {
	env := func(k string) string { return map[string]string{"IDVKIT_PASSWORD_COST": "8"}[k] }
	none := func(string) string { return "" }
	for _, c := range []struct {
		getenv func(string) string
		args   []string
		cost   int
	}{
		{none, nil, 0},
		{none, []string{"--password-cost", "8"}, 8},
		{env, nil, 8},
		{env, []string{"--password-cost", "0"}, 0},
	} {
		cfg, _, ok, err := serveConfig(c.args, c.getenv, io.Discard)
		require.True(t, ok, "%v: %v", c.args, err)
		assert.Equal(t, c.cost, cfg.PasswordCost, "%v", c.args)
	}
	// And the served mock spends it: a bcrypt comparison at cost 8 alone takes milliseconds, however
	// fast the machine, where a keyed hash takes microseconds.
	slow := "http://" + serveMock(t, "--password-cost", "8")
	started := time.Now()
	resp, err := http.PostForm(slow+"/randaverify/login", url.Values{"username": {"newcomer"}, "password": {"wrong"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Greater(t, time.Since(started), 5*time.Millisecond, "a login at --password-cost 8")
}

// --password-cost takes 0 or a bcrypt cost, 4 to 31, and refuses anything else before it listens.
func TestServePasswordCostEdges(t *testing.T) {
	for _, cost := range []string{"4", "31"} {
		assert.Contains(t, startServe(t, func(string) string { return "" }, "--addr", "127.0.0.1:0", "--password-cost", cost)[0], "listening on", cost)
	}
	for _, cost := range []string{"-1", "1", "3", "32", "ten", ""} {
		code, _, errs := runCLI(context.Background(), "serve", "--addr", "127.0.0.1:0", "--password-cost", cost)
		assert.Equal(t, exitUsage, code, cost)
		assert.Equal(t, fmt.Sprintf("idvkit: --password-cost %q: want 0, or a bcrypt cost from 4 to 31\n", cost), errs, cost)
	}
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string {
		return map[string]string{"IDVKIT_PASSWORD_COST": "3"}[k]
	}, io.Discard, &stderr)
	assert.Equal(t, exitUsage, exitCode(err, &stderr))
	assert.Equal(t, "idvkit: --password-cost \"3\": want 0, or a bcrypt cost from 4 to 31\n", stderr.String())
}

// A serve on every interface, as in the image (0.0.0.0:8080 behind `docker run -p 8080:8080`), answers
// only names no DNS can rebind, as on loopback: the reviewer's rebinding (a page at rebind.evil.com
// whose Origin is its own Host, marked same-origin) neither resets the mock nor reads its outbox nor
// logs in, where the mock's address does each. --allowed-hosts, or IDVKIT_ALLOWED_HOSTS, admits a
// name (a docker-compose service's); * admits any; a listed name that is not a host name stops serve
// before it listens. idvkit health, the image's health check, finds the mock healthy.
func TestServeOnEveryInterfaceAnswersOnlyNamesNoDNSCanRebind(t *testing.T) {
	serve := func(env map[string]string, args ...string) (root string) {
		banner := startServe(t, func(k string) string { return env[k] }, append([]string{"--addr", "0.0.0.0:0"}, args...)...)
		root = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`).FindString(banner[0])
		require.NotEmpty(t, root, banner[0])
		return root
	}
	// statuses are the answers to a page at host: a reset, a read of the outbox, a login.
	statuses := func(root, host string) [3]int {
		send := func(method, path, contentType, body string) int {
			req, err := http.NewRequest(method, root+path, strings.NewReader(body))
			require.NoError(t, err)
			req.Host = host
			req.Header.Set("Origin", "http://"+host)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			return resp.StatusCode
		}
		return [3]int{
			send("POST", "/_mock/reset", "application/json", ""),
			send("GET", "/_mock/outbox", "", ""),
			send("POST", "/randaverify/login", "application/x-www-form-urlencoded", "username=integrator&password=integrator-password"),
		}
	}
	answered := [3]int{http.StatusNoContent, http.StatusOK, http.StatusOK}
	refused := [3]int{http.StatusForbidden, http.StatusForbidden, http.StatusForbidden}

	root := serve(nil)
	self := strings.TrimPrefix(root, "http://")
	assert.Equal(t, answered, statuses(root, self), "its own address")
	assert.Equal(t, answered, statuses(root, "localhost"+self[strings.LastIndex(self, ":"):]), "localhost")
	assert.Equal(t, refused, statuses(root, "rebind.evil.com:18415"), "a rebinding name")
	assert.Equal(t, refused, statuses(root, "idvkit:8080"), "a service name nobody listed")
	code, out, errs := runHealthCLI(map[string]string{"IDVKIT_ADDR": "0.0.0.0" + root[strings.LastIndex(root, ":"):]})
	assert.Equal(t, 0, code, out+errs)

	for _, root := range []string{
		serve(nil, "--allowed-hosts", "idvkit, host.docker.internal"),
		serve(map[string]string{"IDVKIT_ALLOWED_HOSTS": "host.docker.internal,idvkit"}),
	} {
		assert.Equal(t, answered, statuses(root, "idvkit:8080"), "a listed name")
		assert.Equal(t, answered, statuses(root, "host.docker.internal:8080"), "a listed name")
		assert.Equal(t, refused, statuses(root, "rebind.evil.com:18415"), "a rebinding name beside a listed one")
	}
	assert.Equal(t, answered, statuses(serve(nil, "--allowed-hosts", "*"), "rebind.evil.com:18415"), "* answers any name")

	stopped, stop := context.WithCancel(context.Background())
	stop() // a serve that started would stop at once, rather than hang the test
	code, _, errs = runCLI(stopped, "serve", "--addr", "127.0.0.1:0", "--allowed-hosts", "http://idvkit:8080")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, `allowed host "http://idvkit:8080": want a host name`)
}

// The banner shows what each principal logs in with: a username, or an email where there is none.
func TestTheBannerShowsHowEachPrincipalLogsIn(t *testing.T) {
	for _, c := range []struct {
		p    mockapi.Principal
		want string
	}{
		{mockapi.Principal{Username: "anna", Email: "anna@example.com", Password: "pw"}, "username=anna password=pw"},
		{mockapi.Principal{Email: "ada@example.com", Password: "pw", Attributes: map[string]string{"full_name": "Ada"}}, "email=ada@example.com password=pw full_name=Ada"},
		{mockapi.Principal{ClientID: "c", ClientSecret: "s"}, "client_id=c client_secret=s"},
	} {
		assert.Equal(t, c.want, credentials(c.p))
	}
}

// --journal-size, or IDVKIT_JOURNAL_SIZE under it, is how many requests (and violations) the journal
// keeps: 1000 without either, 1 to 10000, anything else refused before serve listens.
func TestServeJournalSize(t *testing.T) {
	env := func(k string) string { return map[string]string{"IDVKIT_JOURNAL_SIZE": "20"}[k] }
	none := func(string) string { return "" }
	for _, c := range []struct {
		getenv func(string) string
		args   []string
		size   int
	}{
		{none, nil, 1000},
		{env, nil, 20},
		{env, []string{"--journal-size", "1"}, 1},
		{none, []string{"--journal-size", "10000"}, 10000},
	} {
		cfg, _, ok, err := serveConfig(c.args, c.getenv, io.Discard)
		require.True(t, ok, "%v: %v", c.args, err)
		assert.Equal(t, c.size, cfg.JournalSize, "%v", c.args)
	}
	for _, size := range []string{"0", "10001", "-1", "lots"} {
		code, _, errs := runCLI(context.Background(), "serve", "--addr", "127.0.0.1:0", "--journal-size", size)
		assert.Equal(t, exitUsage, code, size)
		assert.Contains(t, errs, "--journal-size \""+size+"\": want a number of requests from 1 to 10000", size)
	}
}
