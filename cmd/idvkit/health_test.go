package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

func runHealthCLI(env map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"health"}, args...), func(k string) string { return env[k] }, &out, &errb)
	return exitCode(err, &errb), out.String(), errb.String()
}

// health exits 0 when the mock answers, at --url or where IDVKIT_ADDR says serve listens (an
// unspecified host is asked on loopback, as a container's HEALTHCHECK must).
func TestHealthExits0WhenTheMockAnswers(t *testing.T) {
	m := mocktest.New(t)
	addr := strings.TrimPrefix(m.URL, "http://")
	port := addr[strings.LastIndex(addr, ":")+1:]

	code, out, errs := runHealthCLI(nil, "--url", m.URL+"/_mock/healthz")
	assert.Equal(t, 0, code, errs)
	assert.Contains(t, out, "healthy: GET "+m.URL+"/_mock/healthz answered 200")

	for _, env := range []string{addr, "0.0.0.0:" + port, ":" + port} {
		code, out, errs = runHealthCLI(map[string]string{"IDVKIT_ADDR": env})
		assert.Equal(t, 0, code, "IDVKIT_ADDR=%s: %s", env, errs)
		assert.Contains(t, out, "http://127.0.0.1:"+port+"/_mock/healthz", env)
	}
}

func TestHealthURLFromTheListenAddress(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/_mock/healthz",
		"0.0.0.0:8080":   "http://127.0.0.1:8080/_mock/healthz",
		":9090":          "http://127.0.0.1:9090/_mock/healthz",
		"[::]:8080":      "http://[::1]:8080/_mock/healthz",
		"[::1]:8080":     "http://[::1]:8080/_mock/healthz",
		"localhost:8080": "http://localhost:8080/_mock/healthz",
	} {
		got, err := healthURL(addr)
		assert.NoError(t, err, addr)
		assert.Equal(t, want, got, addr)
	}
	_, err := healthURL("8080")
	assert.Error(t, err)
}

// Nothing listening, a status other than 2xx, or no answer within --timeout: exit 1, saying why.
func TestHealthExits1WhenUnhealthy(t *testing.T) {
	code, _, errs := runHealthCLI(nil, "--url", "http://127.0.0.1:1/_mock/healthz")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "unhealthy:")

	unavailable := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(unavailable.Close)
	code, _, errs = runHealthCLI(nil, "--url", unavailable.URL+"/_mock/healthz")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "answered 503 Service Unavailable")

	redirect := httptest.NewServer(http.RedirectHandler("/elsewhere", http.StatusFound))
	t.Cleanup(redirect.Close)
	code, _, errs = runHealthCLI(nil, "--url", redirect.URL+"/_mock/healthz")
	assert.Equal(t, 1, code, "a redirect is not healthy")
	assert.Contains(t, errs, "answered 302 Found")

	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) })
	start := time.Now()
	code, _, errs = runHealthCLI(nil, "--url", hang.URL, "--timeout", "200ms")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "deadline exceeded")
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestHealthUsageErrorsExit2(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		args []string
	}{
		{nil, []string{"--url", "notaurl"}},
		{nil, []string{"--url", "ftp://127.0.0.1/x"}},
		{nil, []string{"extra"}},
		{nil, []string{"--bogus"}},
		{map[string]string{"IDVKIT_ADDR": "no port"}, nil},
	} {
		code, _, errs := runHealthCLI(c.env, c.args...)
		assert.Equal(t, exitUsage, code, "%v %v: %s", c.env, c.args, errs)
	}
}
