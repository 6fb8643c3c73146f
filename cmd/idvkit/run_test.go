package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/openapi"
)

func runCLI(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	err := run(ctx, args, func(string) string { return "" }, &out, &errb)
	code = exitCode(err, &errb)
	return code, out.String(), errb.String()
}

// Every API passes against a conforming implementation by URL, every rule verified (RandaVerify by
// the /v1 base URL its outside clients configure).
func TestConformPassesAgainstAConformingURL(t *testing.T) {
	m := mocktest.New(t)
	for _, api := range mockserver.Registered() {
		base := m.APIURL(api)
		if api == "randaverify" {
			base += "/v1"
		}
		code, out, errs := runCLI(context.Background(), "conform", "--api", api, "--base-url", base)
		assert.Equal(t, 0, code, out+errs)
		n := len(openapi.MustLoad(api).Rules())
		assert.Contains(t, out, fmt.Sprintf("%s: rules verified %d/%d", api, n, n))
		assert.Regexp(t, `\n\d+ passed, 0 failed, 0 skipped\n`, out)
	}
}

// Against an implementation that breaks a rule, conform exits 1 and names the failing scenarios.
func TestConformFailsAndNamesTheScenarioAgainstABrokenImplementation(t *testing.T) {
	m := mocktest.New(t, mocktest.WithBrokenRules("RB-11"))
	code, out, _ := runCLI(context.Background(), "conform", "--api", "rambase", "--base-url", m.APIURL("rambase"))
	assert.Equal(t, exitNotConformant, code)
	assert.Contains(t, out, "FAIL  RB-11-a    A token stops verifying once its session has ended")
	assert.Contains(t, out, "RB-11-a failed: A token stops verifying once its session has ended")
	assert.Contains(t, out, "not verified: RB-11")

	m = mocktest.New(t, mocktest.WithBrokenRules("RV-15"))
	code, out, _ = runCLI(context.Background(), "conform", "--api", "randaverify", "--base-url", m.APIURL("randaverify"))
	assert.Equal(t, exitNotConformant, code)
	assert.Contains(t, out, "FAIL  RV-15-a    A reference is case-sensitive, and another organisation's is not found")
	assert.Contains(t, out, "not verified: RV-15")
}

// Skipped scenarios are reported as skipped, with the reason, and counted.
func TestConformReportsSkippedScenarios(t *testing.T) {
	m := mocktest.New(t)
	dir := t.TempDir()
	principals := filepath.Join(dir, "principals.yaml")
	require.NoError(t, os.WriteFile(principals, []byte(`
rambase.api_client: {client_id: forecast-api, client_secret: forecast-secret, id: "900"}
rambase.internal_user:
  {username: anna, password: anna-password, id: "666", client_id: forecast-api, client_secret: forecast-secret,
   attributes: {system: HATTELAND, database: HATTELAND}}
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
		{"conform", "--api", "rambase", "--base-url", "notaurl"},
		{"conform", "--api", "rambase", "--base-url", "ftp://127.0.0.1/x"},
		{"conform", "--api", "rambase", "--base-url", "http://127.0.0.1:1/x", "--control-url", "/relative"},
		{"conform", "--bogus"},
		{"serve", "--only", "nope", "--addr", "127.0.0.1:0"},
		{"serve", "--fixtures", "/does/not/exist"},
		{"serve", "--addr", "not an address"},
		{"serve", "--validate-responses", "some", "--addr", "127.0.0.1:0"},
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

// version names the build's revision; a test binary carries no VCS information, so here it is the
// one the Makefile would stamp.
func TestVersionNamesTheRevision(t *testing.T) {
	for _, arg := range []string{"version", "--version"} {
		code, out, _ := runCLI(context.Background(), arg)
		assert.Equal(t, 0, code)
		assert.Regexp(t, `^idvkit \S+ \(revision unknown`, out, arg)
	}
	revision = "0123456789ab+dirty"
	t.Cleanup(func() { revision = "" })
	_, out, _ := runCLI(context.Background(), "version")
	assert.Regexp(t, `^idvkit \S+ \(revision 0123456789ab\+dirty\)`, out)
}

// Serving beyond this machine without a control token is loud; with one, or on loopback, quiet.
func TestServeWarnsWithoutAControlTokenBeyondLoopback(t *testing.T) {
	for _, c := range []struct {
		args []string
		warn bool
	}{
		{[]string{"--addr", "0.0.0.0:0"}, true},
		{[]string{"--addr", "0.0.0.0:0", "--control-token", "t"}, false},
		{[]string{"--addr", "127.0.0.1:0"}, false},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		var stderr bytes.Buffer
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, append([]string{"serve"}, c.args...), func(string) string { return "" }, pw, &stderr)
			pw.Close()
		}()
		lines := bufio.NewScanner(pr)
		require.True(t, lines.Scan())
		cancel()
		for lines.Scan() {
		}
		require.NoError(t, <-done)
		assert.Equal(t, c.warn, strings.Contains(stderr.String(), "WARNING"), "%v: %s", c.args, stderr.String())
	}
}

// make run listens where IDVKIT_ADDR says, as `idvkit serve` does, and where ADDR= says.
func TestMakeRunHonoursIDVKIT_ADDR(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is not installed; .ci/run installs it")
	}
	dry := func(env []string, args ...string) string {
		cmd := exec.Command("make", append([]string{"-n", "-C", "../..", "run"}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return string(out)
	}
	assert.NotContains(t, dry([]string{"IDVKIT_ADDR=127.0.0.1:9999"}), "--addr", "the env var decides")
	assert.Contains(t, dry(nil, "ADDR=127.0.0.1:9998"), "--addr 127.0.0.1:9998")
}
