package main

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/steps/report"
)

// rambaseTags is a few RamBase scenarios, enough to tell a target checked at the right path (they
// pass) from one checked at the wrong one (every request answers 404).
const rambaseTags = "@rule:RB-01,@rule:RB-06"

// conform --base-url at the root of the combined mock checks the API at its prefix and says so,
// where every scenario answered 404.
func TestConformAtTheRootOfTheCombinedMockUsesTheAPIsPrefix(t *testing.T) {
	m := mocktest.New(t, asTarget)
	code, out, errs := runCLI(context.Background(), "conform", "--api", "rambase", "--base-url", m.URL, "--tags", rambaseTags)
	require.Equal(t, 0, code, out+errs)
	assert.Contains(t, out, "against "+m.URL+"/rambase (the base URL given, "+m.URL+": it serves "+strings.Join(mockserver.Registered(), ", ")+
		", each under its own prefix (its GET /capabilities and /rambase/... say so), so the suite checks rambase at /rambase)\n")
	assert.Regexp(t, `\nrambase: [1-9]\d* passed, 0 failed, 0 skipped`, out)
}

// conform --docker-image with the mock's own image and no IDVKIT_ONLY (every API under its prefix)
// checks the API at its prefix and says so; --docker-base-path / insists on the container's root,
// where every scenario fails with a 404, as all of them did before without IDVKIT_ONLY or a base
// path. Without Docker this is skipped, with the reason; in CI (CI set) it fails.
func TestConformAgainstTheMocksImageOfEveryAPI(t *testing.T) {
	image := cmp.Or(os.Getenv("IDVKIT_IMAGE"), "idvkit:dev")
	args := func(extra ...string) []string {
		return append([]string{"conform", "--api", "rambase", "--docker-image", image, "--tags", rambaseTags}, extra...)
	}
	code, out, errs := runCLI(context.Background(), args()...)
	if code == exitUnreachable && (strings.Contains(errs, "no Docker daemon answers") || strings.Contains(errs, image)) {
		mocktest.Unavailable(t, "the Docker target cannot start (make docker, and a Docker daemon): %s", errs)
	}
	require.Equal(t, 0, code, out+errs)
	assert.Regexp(t, `against docker image `+image+` \(container \S+\) at http://127\.0\.0\.1:\d+/rambase \(it serves `+
		strings.Join(mockserver.Registered(), ", ")+`, each under its own prefix .*so the suite checks rambase at /rambase; `+
		`a base path given, / for the root, overrides it\)\n`, out)
	assert.Regexp(t, `\nrambase: [1-9]\d* passed, 0 failed, 0 skipped`, out)

	code, out, errs = runCLI(context.Background(), args("--docker-base-path", "/")...)
	assert.Equal(t, exitNotConformant, code, out+errs)
	assert.Regexp(t, `at http://127\.0\.0\.1:\d+\n`, out, "the root, as given")
	assert.NotContains(t, out, "each under its own prefix")
	assert.Regexp(t, `\nrambase: 0 passed, [1-9]\d* failed`, out)
}

// The reports are written, and said to be, in one order on every run (JUnit, then Cucumber), where
// a map's order changed it from run to run; a run that asks for one writes only that one.
func TestConformWritesItsReportsInOneOrder(t *testing.T) {
	dir := t.TempDir()
	junit, cucumber := filepath.Join(dir, "junit.xml"), filepath.Join(dir, "cucumber.json")
	for range 20 {
		var out strings.Builder
		require.NoError(t, writeReports(&out, &report.Report{}, junit, cucumber))
		require.Equal(t, "report written to "+junit+"\nreport written to "+cucumber+"\n", out.String())
	}
	var out strings.Builder
	require.NoError(t, writeReports(&out, &report.Report{}, "", cucumber))
	assert.Equal(t, "report written to "+cucumber+"\n", out.String())
}
