package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/openapi"
)

// asTarget is the option of a mock the conformance suite runs against: the suite sends requests
// that break the contract on purpose (bad input, a missing token), which its test allows.
var asTarget = mocktest.AllowViolations("*")

func runCLI(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	err := run(ctx, args, func(string) string { return "" }, &out, &errb)
	code = exitCode(err, &errb)
	return code, out.String(), errb.String()
}

// Every API passes against a conforming implementation by URL, every rule verified, at the longest
// base URL of its spec's servers (RandaVerify's /v1, which its outside clients configure).
func TestConformPassesAgainstAConformingURL(t *testing.T) {
	m := mocktest.New(t, asTarget)
	for _, api := range mockserver.Registered() {
		base := m.APIURL(api) + openapi.MustLoad(api).BasePaths()[0]
		code, out, errs := runCLI(context.Background(), "conform", "--api", api, "--base-url", base)
		assert.Equal(t, 0, code, out+errs)
		n := len(openapi.MustLoad(api).Rules())
		assert.Regexp(t, fmt.Sprintf(`\n%s: \d+ passed, 0 failed, 0 skipped, 0 expected failures, 0 spec violations; rules verified %d/%d\n`, api, n, n), out)
		assert.Regexp(t, `\n\d+ passed, 0 failed, 0 skipped\n`, out)
	}
}

// Against an implementation that breaks a rule, conform exits 1 and names the failing scenarios.
func TestConformFailsAndNamesTheScenarioAgainstABrokenImplementation(t *testing.T) {
	m := mocktest.New(t, asTarget, mocktest.WithBrokenRules("RB-11"))
	code, out, _ := runCLI(context.Background(), "conform", "--api", "rambase", "--base-url", m.APIURL("rambase"))
	assert.Equal(t, exitNotConformant, code)
	assert.Contains(t, out, "FAIL  RB-11-a    A token stops verifying once its session has ended")
	assert.Contains(t, out, "RB-11-a failed: A token stops verifying once its session has ended")
	assert.Contains(t, out, "not verified: RB-11")

	m = mocktest.New(t, asTarget, mocktest.WithBrokenRules("RV-15"))
	code, out, _ = runCLI(context.Background(), "conform", "--api", "randaverify", "--base-url", m.APIURL("randaverify"))
	assert.Equal(t, exitNotConformant, code)
	assert.Contains(t, out, "FAIL  RV-15-a    A reference is case-sensitive, and another organisation's is not found")
	assert.Contains(t, out, "not verified: RV-15")
}

// Against a mock that breaks any one rule of Rampable or Bundeling, conform by URL exits 1 and names
// a scenario of that rule that failed, where the same run against a mock that keeps the rule passes
// (the issues of both APIs ask exactly that of `idvkit serve --broken-rules`). A rule whose every
// check is our own choice (@policy: a rule apis.md marks inferred, such as Rampable's duplicate
// registration, its 10 minutes and a newer login's supersession; Bundeling's BU-05, the exact status
// of a refusal, which the break answers 401 for our 400) fails only a run that counts policy: without --strict-policy it is
// reported in the policy bucket and the run passes, as docs/gate-a-deployment.md says.
func TestConformCatchesEveryRuleBrokenByURL(t *testing.T) {
	for api, oursAlone := range map[string][]string{
		"rampable":  {"RP-03", "RP-09", "RP-11", "RP-13", "RP-14"}, // inferred in apis.md, so @policy whole
		"bundeling": {"BU-05", "BU-12", "BU-13", "BU-14", "BU-15", "BU-16"},
	} {
		for _, rule := range openapi.MustLoad(api).Rules() {
			t.Run(rule.ID, func(t *testing.T) {
				t.Parallel()
				conform := func(m *mocktest.Server, extra ...string) (int, string) {
					args := append([]string{"conform", "--api", api, "--base-url", m.APIURL(api), "--tags", "@rule:" + rule.ID}, extra...)
					code, out, errs := runCLI(context.Background(), args...)
					return code, out + errs
				}
				code, out := conform(mocktest.New(t, asTarget), "--strict-policy")
				require.Equal(t, 0, code, "against a mock that keeps the rule: "+out)

				broken := mocktest.New(t, asTarget, mocktest.WithBrokenRules(rule.ID))
				code, out = conform(broken, "--strict-policy")
				assert.Equal(t, exitNotConformant, code, out)
				assert.Regexp(t, `\nFAIL( \(policy\))?  `+rule.ID+`-[a-z]`, out)
				assert.Regexp(t, `not verified: [^\n]*`+rule.ID, out)

				code, out = conform(broken)
				if slices.Contains(oursAlone, rule.ID) {
					assert.Equal(t, 0, code, out)
					assert.Regexp(t, `\nFAIL \(policy\)  `+rule.ID+`-[a-z]`, out)
					return
				}
				assert.Equal(t, exitNotConformant, code, out)
				assert.Regexp(t, `\nFAIL  `+rule.ID+`-[a-z]`, out)
			})
		}
	}
}

// Skipped scenarios are reported as skipped, with the reason, and counted.
func TestConformReportsSkippedScenarios(t *testing.T) {
	m := mocktest.New(t, asTarget)
	dir := t.TempDir()
	principals := filepath.Join(dir, "principals.yaml")
	require.NoError(t, os.WriteFile(principals, []byte(`
rambase.api_client: {client_id: forecast-api, client_secret: forecast-secret, id: "900"}
rambase.internal_user:
  {username: anna, password: anna-password, id: "666", client_id: forecast-api, client_secret: forecast-secret,
   attributes: {system: HATTELAND, database: HATTELAND}}
`), 0o600))
	code, out, errs := runCLI(context.Background(), "conform", "--api", "rambase", "--base-url", m.APIURL("rambase"),
		"--control-url", "", "--principals", principals)
	assert.Equal(t, 0, code, out+errs)
	assert.Contains(t, out, "SKIP  RB-11-b")
	assert.Contains(t, out, "skipped: target lacks capability clock.advance")
	assert.Contains(t, out, "skipped: no credentials for role rambase.portal_client")
	assert.Regexp(t, `\d+ passed, 0 failed, \d+ skipped`, out)
}

// A pipeline that must not go green on a target that skipped most of the suite says so: with
// --fail-on-skip any skip fails the run, with --min-rules fewer verified rules do.
func TestConformCanRefuseSkipsAndTooFewRules(t *testing.T) {
	m := mocktest.New(t, asTarget)
	base := []string{"conform", "--api", "rambase", "--base-url", m.APIURL("rambase"), "--control-url", ""}
	code, out, _ := runCLI(context.Background(), base...)
	require.Equal(t, 0, code, "skips alone do not fail a target declared without a control API:\n"+out)
	code, out, _ = runCLI(context.Background(), append(base, "--fail-on-skip")...)
	assert.Equal(t, exitNotConformant, code)
	assert.Regexp(t, `not conformant: \d+ scenario\(s\) were skipped \(--fail-on-skip\)`, out)
	code, out, _ = runCLI(context.Background(), append(base, "--min-rules", "13")...)
	assert.Equal(t, exitNotConformant, code)
	assert.Regexp(t, `not conformant: rambase: 0 rules verified, fewer than 13 \(--min-rules\)`, out)

	code, out, _ = runCLI(context.Background(), "conform", "--api", "rambase", "--base-url", m.APIURL("rambase"), "--min-rules", "13")
	assert.Equal(t, 0, code, out)
}

// A control URL that was given, or defaulted, and does not answer is not a quiet run of skips: the
// target is not ready (exit 3), and the message says how to declare a target without one.
func TestConformExits3WhenTheControlAPIDoesNotAnswer(t *testing.T) {
	m := mocktest.New(t, asTarget, mocktest.WithControlToken("s3cret"))
	for name, args := range map[string][]string{
		"mistyped":      {"--control-url", m.URL + "/_mok", "--control-token", "s3cret"},
		"wrong token":   {"--control-token", "nope"},
		"token missing": {},
	} {
		code, out, errs := runCLI(context.Background(), append([]string{"conform", "--api", "rambase", "--base-url", m.APIURL("rambase")}, args...)...)
		assert.Equal(t, exitUnreachable, code, "%s: %s%s", name, out, errs)
		assert.Contains(t, errs, "control", name)
		assert.Empty(t, out, "%s: nothing ran", name)
	}
}

// Scenarios listed as expected failures are reported but do not fail the run; one on the list that
// passes fails it; an id that names no scenario is a usage error.
func TestConformExpectedFailures(t *testing.T) {
	m := mocktest.New(t, asTarget, mocktest.WithBrokenRules("RV-15"))
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	run := func(file string) (int, string, string) {
		return runCLI(context.Background(), "conform", "--api", "randaverify", "--base-url", m.APIURL("randaverify"),
			"--expected-failures", file, "--tags", "@rule:RV-15,@rule:RV-10")
	}
	code, out, errs := run(write("known.yaml", "- {id: RV-15-a, reason: our references are case-insensitive}\n"))
	assert.Equal(t, 0, code, out+errs)
	assert.Contains(t, out, "XFAIL  RV-15-a")
	assert.Contains(t, out, "expected to fail: our references are case-insensitive")
	assert.Contains(t, out, "1 expected failures")

	code, out, _ = run(write("stale.yaml", "- {id: RV-15-a, reason: case}\n- {id: RV-10-a, reason: fixed since}\n"))
	assert.Equal(t, exitNotConformant, code)
	assert.Contains(t, out, "XPASS  RV-10-a")
	assert.Contains(t, out, "RV-10-a passed but is listed as an expected failure")

	code, _, errs = run(write("typo.yaml", "- {id: RV-99-z, reason: nothing}\n"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, `no scenario has the id "RV-99-z"`)
	code, _, errs = run(write("noreason.yaml", "- {id: RV-15-a}\n"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "every expected failure has an id and a reason")
}

// --tags runs a subset, and --format progress prints a character per scenario.
func TestConformTagsAndProgressFormat(t *testing.T) {
	m := mocktest.New(t, asTarget)
	code, out, _ := runCLI(context.Background(), "conform", "--api", "randaverify", "--base-url", m.APIURL("randaverify"),
		"--tags", "@rule:RV-11 && ~@id:RV-11-b", "--format", "progress")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "idvkit conform: 5 scenarios against")
	assert.Contains(t, out, "\n.....\n")
	code, _, errs := runCLI(context.Background(), "conform", "--api", "randaverify", "--base-url", m.APIURL("randaverify"), "--tags", "rule:RV-11")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "is not a tag")
}

// A target that stops answering fails each scenario at the timeout, saying so, and the run goes on
// to the next.
func TestConformTimesOutAHangingScenarioAndGoesOn(t *testing.T) {
	release := make(chan struct{})
	hang := newHTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			return // the base URL answers, so the target is ready
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release) }) // before the server's Close, which waits for its handlers
	began := time.Now()
	code, out, _ := runCLI(context.Background(), "conform", "--api", "randaverify", "--base-url", hang, "--control-url", "",
		"--timeout", "300ms", "--tags", "@id:RV-10-a,@id:RV-14-a", "--principals", writePrincipals(t))
	assert.Equal(t, exitNotConformant, code)
	assert.Equal(t, 2, strings.Count(out, "timed out after 300ms"), out)
	assert.Less(t, time.Since(began), 10*time.Second)
}

func writePrincipals(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "principals.yaml")
	require.NoError(t, os.WriteFile(path, []byte("randaverify.org_admin: {username: ada, password: pw, id: '1'}\n"), 0o600))
	return path
}

func newHTTPServer(t *testing.T, h http.Handler) string {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// A target file names its keys strictly: a misspelt one is a usage error naming the key and its
// line; flags override the file.
func TestConformTargetFile(t *testing.T) {
	m := mocktest.New(t, asTarget)
	dir := t.TempDir()
	good := filepath.Join(dir, "target.yaml")
	require.NoError(t, os.WriteFile(good, []byte(fmt.Sprintf(`api: randaverify
base_url: %s
timeout: 1m
min_rules: 15
tags: "@rule:RV-10"
`, m.APIURL("randaverify"))), 0o600))
	code, out, errs := runCLI(context.Background(), "conform", "--config", good)
	assert.Equal(t, exitNotConformant, code, "one rule verified is fewer than min_rules 15: %s%s", out, errs)
	code, out, errs = runCLI(context.Background(), "conform", "--config", good, "--min-rules", "1")
	assert.Equal(t, 0, code, "the flag overrides the file: %s%s", out, errs)

	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("api: randaverify\nbase_ulr: http://x\n"), 0o600))
	code, _, errs = runCLI(context.Background(), "conform", "--config", bad)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "line 2: field base_ulr not found")
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
		{"serve", "--broken-rules", "XX-99", "--addr", "127.0.0.1:0"},
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

// --junit and --cucumber write every scenario, skipped ones with their reason, as files CI tools
// read (steps' tests hold them to their schemas).
func TestConformWritesJUnitAndCucumberReports(t *testing.T) {
	m := mocktest.New(t, asTarget)
	dir := t.TempDir()
	junit, cucumber := filepath.Join(dir, "junit.xml"), filepath.Join(dir, "cucumber.json")
	code, out, errs := runCLI(context.Background(), "conform", "--api", "randaverify", "--base-url", m.APIURL("randaverify"),
		"--control-url", "", "--principals", writePrincipals(t), "--tags", "@rule:RV-08,@rule:RV-01",
		"--junit", junit, "--cucumber", cucumber)
	require.NotEqual(t, exitUsage, code, out+errs)
	assert.Contains(t, out, "report written to "+junit)

	raw, err := os.ReadFile(junit)
	require.NoError(t, err)
	var suites struct {
		Suites []struct {
			Tests int `xml:"tests,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(raw, &suites), string(raw))
	require.Len(t, suites.Suites, 1)
	var skipped []string
	for _, c := range suites.Suites[0].Cases {
		if c.Skipped != nil {
			skipped = append(skipped, c.Name+": "+c.Skipped.Message)
		}
	}
	assert.Contains(t, strings.Join(skipped, "\n"), "RV-08-a", "a scenario gated on a capability is in the report")
	assert.Contains(t, strings.Join(skipped, "\n"), "target lacks capability randaverify.account.suspend")

	raw, err = os.ReadFile(cucumber)
	require.NoError(t, err)
	var features []struct {
		Elements []struct {
			ID    string `json:"id"`
			Steps []struct {
				Result struct{ Status string } `json:"result"`
			} `json:"steps"`
		} `json:"elements"`
	}
	require.NoError(t, json.Unmarshal(raw, &features))
	scenarios := 0
	for _, f := range features {
		scenarios += len(f.Elements)
	}
	assert.Equal(t, 3, scenarios, "RV-01-a, RV-01-b and RV-08-a")
}

// conform starts an implementation from an image and gates on it: the mock's own image passes; the
// same image told to break RV-15 fails, exit 1, naming the scenario and the rule; a missing image is
// not ready (exit 3). Without Docker this is skipped, with the reason; in CI (CI set) it fails.
func TestConformAgainstAContainer(t *testing.T) {
	image := cmp.Or(os.Getenv("IDVKIT_IMAGE"), "idvkit:dev")
	args := func(extra ...string) []string {
		return append([]string{"conform", "--api", "randaverify", "--docker-image", image, "--docker-env", "IDVKIT_ONLY=randaverify",
			"--tags", "@rule:RV-15,@rule:RV-10"}, extra...)
	}
	code, out, errs := runCLI(context.Background(), args()...)
	if code == exitUnreachable && (strings.Contains(errs, "no Docker daemon answers") || strings.Contains(errs, image)) {
		mocktest.Unavailable(t, "the Docker target cannot start (make docker, and a Docker daemon): %s", errs)
	}
	require.Equal(t, 0, code, out+errs)
	assert.Contains(t, out, "against docker image "+image)

	code, out, errs = runCLI(context.Background(), args("--docker-env", "IDVKIT_BROKEN_RULES=RV-15")...)
	assert.Equal(t, exitNotConformant, code, out+errs)
	assert.Contains(t, out, "FAIL  RV-15-a")
	assert.Regexp(t, `not verified: [^\n]*RV-15`, out)
	assert.Contains(t, out, "RV-15-a failed")

	code, _, errs = runCLI(context.Background(), "conform", "--api", "randaverify", "--docker-image", "idvkit-conform-test/none:missing")
	assert.Equal(t, exitUnreachable, code)
	assert.Contains(t, errs, "idvkit-conform-test/none:missing")
}
