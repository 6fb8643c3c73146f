package steps_test

import (
	"flag"
	"os"
	"testing"

	"github.com/idvkit/idvkit/steps/suite"
	"github.com/idvkit/idvkit/steps/targetfile"
)

// TestFeatures runs every feature against a fresh in-process mock per scenario, or against the
// implementation the environment names (targetfile.PlanFromEnv: IDVKIT_BASE_URL, IDVKIT_API, ...).
func TestFeatures(t *testing.T) {
	plan, err := targetfile.PlanFromEnv(os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	report := suite.RunT(t, plan)
	for _, cov := range report.Coverage() {
		t.Logf("%s: rules verified %d/%d", cov.API, len(cov.Verified), len(cov.Listed))
	}
	// Against the project's own mock (no IDVKIT_ variable names another target or subset), a skipped
	// scenario is a scenario that did not run: go test would report it as SKIP and the package as ok.
	if ownMock() {
		if c := report.Counts(); c.Skipped+c.PolicyFailed > 0 {
			t.Errorf("against the in-process mock, which has every capability and keeps every policy rule, %d scenarios skipped and %d policy rules failed",
				c.Skipped, c.PolicyFailed)
		}
		for _, cov := range report.Coverage() {
			if len(cov.Verified) != len(cov.Listed) {
				t.Errorf("%s: rules verified %d/%d against the in-process mock", cov.API, len(cov.Verified), len(cov.Listed))
			}
		}
	}
}

// ownMock reports whether TestFeatures runs the whole suite against the in-process mock: no -run
// pattern picks some of its scenarios, and no variable of targetfile.PlanFromEnv names another target, a
// subset or expected failures.
func ownMock() bool {
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		return false
	}
	for _, v := range []string{"IDVKIT_CONFIG", "IDVKIT_API", "IDVKIT_BASE_URL", "IDVKIT_DOCKER_IMAGE", "IDVKIT_DOCKERFILE",
		"IDVKIT_TAGS", "IDVKIT_EXPECTED_FAILURES"} {
		if os.Getenv(v) != "" {
			return false
		}
	}
	return true
}
