package steps_test

import (
	"os"
	"testing"

	"github.com/idvkit/idvkit/steps"
)

// TestFeatures runs every feature against a fresh in-process mock per scenario, or against the
// implementation the environment names (steps.PlanFromEnv: IDVKIT_BASE_URL, IDVKIT_API, ...).
func TestFeatures(t *testing.T) {
	plan, err := steps.PlanFromEnv(os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	report := steps.RunT(t, plan)
	for _, cov := range report.Coverage() {
		t.Logf("%s: rules verified %d/%d", cov.API, len(cov.Verified), len(cov.Listed))
	}
}
