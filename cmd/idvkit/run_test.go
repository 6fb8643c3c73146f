package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

func runCLI(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	err := run(ctx, args, func(string) string { return "" }, &out, &errb)
	code = exitCode(err, &errb)
	return code, out.String(), errb.String()
}

func TestConformPassesAgainstAConformingURL(t *testing.T) {
	m := mocktest.New(t)
	code, out, errs := runCLI(context.Background(), "conform", "--api", "rambase", "--base-url", m.APIURL("rambase"))
	assert.Equal(t, 0, code, out+errs)
	assert.Contains(t, out, "rambase: rules verified 13/13")
	assert.Contains(t, out, "24 passed, 0 failed, 0 skipped")
}

// Against an implementation that breaks RB-11, conform exits 1 and names the failing scenarios.
func TestConformFailsAndNamesTheScenarioAgainstABrokenImplementation(t *testing.T) {
	m := mocktest.New(t, mocktest.WithBrokenRules("RB-11"))
	code, out, _ := runCLI(context.Background(), "conform", "--api", "rambase", "--base-url", m.APIURL("rambase"))
	assert.Equal(t, exitNotConformant, code)
	assert.Contains(t, out, "FAIL  RB-11-a    A token stops verifying once its session has ended")
	assert.Contains(t, out, "RB-11-a failed: A token stops verifying once its session has ended")
	assert.Contains(t, out, "not verified: RB-11")
}

// Skipped scenarios are reported as skipped, with the reason, and counted.
func TestConformReportsSkippedScenarios(t *testing.T) {
	m := mocktest.New(t)
	dir := t.TempDir()
	principals := filepath.Join(dir, "principals.yaml")
	require.NoError(t, os.WriteFile(principals, []byte(`
rambase.api_client: {client_id: forecast-api, client_secret: forecast-secret, user_id: 900}
rambase.internal_user: {username: anna, password: anna-password, user_id: 666, client_id: forecast-api, client_secret: forecast-secret}
`), 0o600))
	code, out, errs := runCLI(context.Background(), "conform", "--api", "rambase", "--base-url", m.APIURL("rambase"),
		"--control-url", m.URL+"/none", "--principals", principals)
	assert.Equal(t, 0, code, out+errs)
	assert.Contains(t, out, "SKIP  RB-11-b")
	assert.Contains(t, out, "skipped: target lacks capability clock.advance")
	assert.Contains(t, out, "skipped: no credentials for role rambase.portal_client")
	assert.Regexp(t, `\d+ passed, 0 failed, \d+ skipped`, out)
}

func TestConformInProcessByDefault(t *testing.T) {
	code, out, _ := runCLI(context.Background(), "conform", "--api", "rambase")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "against in-process mock")
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nope"},
		{"conform", "--base-url", "http://127.0.0.1:1"},
		{"conform", "--api", "nope"},
		{"conform", "--control-url", "http://x"},
		{"conform", "--bogus"},
		{"serve", "--only", "nope", "--addr", "127.0.0.1:0"},
		{"serve", "--fixtures", "/does/not/exist"},
		{"serve", "--addr", "not an address"},
		{"specs", "nope"},
		{"specs", "--out", "x"},
	} {
		code, _, errs := runCLI(context.Background(), args...)
		assert.Equal(t, exitUsage, code, "%v: %s", args, errs)
	}
}

func TestConformExits3WhenTheTargetIsUnreachable(t *testing.T) {
	code, _, errs := runCLI(context.Background(), "conform", "--api", "rambase", "--base-url", "http://127.0.0.1:1/rambase")
	assert.Equal(t, exitUnreachable, code)
	assert.Contains(t, errs, "unreachable")
}

func TestSpecsListAndWrite(t *testing.T) {
	code, out, _ := runCLI(context.Background(), "specs")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "rambase    OpenAPI 3.0.3, 7 operations, 13 rules")

	code, out, _ = runCLI(context.Background(), "specs", "--server", "http://127.0.0.1:8080", "rambase")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "url: http://127.0.0.1:8080/rambase")

	dir := t.TempDir()
	code, _, _ = runCLI(context.Background(), "specs", "--server", "http://127.0.0.1:8080", "--out", dir)
	assert.Equal(t, 0, code)
	control, err := os.ReadFile(filepath.Join(dir, "control.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(control), "url: http://127.0.0.1:8080/_mock")
}

// serve listens, prints how to log in, answers, and stops cleanly when its context ends.
func TestServeAnswersAndShutsDownGracefully(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return "" }, pw, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	require.True(t, lines.Scan())
	first := lines.Text()
	require.Contains(t, first, "listening on http://")
	root := strings.TrimSpace(first[strings.Index(first, "http://"):])
	go func() {
		for lines.Scan() {
		}
	}()

	resp, err := http.Post(root+"/rambase/oauth2/access_token", "application/x-www-form-urlencoded",
		strings.NewReader("grant_type=client_credentials&client_id=forecast-api&client_secret=forecast-secret"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = http.Get(root + "/_mock/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after its context was cancelled")
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(context.Background(), "version")
	assert.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, "idvkit "))
}
