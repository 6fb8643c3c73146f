package steps_test

import (
	"os"
	"testing"

	"github.com/idvkit/idvkit/steps"
)

// TestFeatures runs every feature against a fresh in-process mock per scenario, or against a running
// implementation when IDVKIT_BASE_URL is set (IDVKIT_API picks its features, IDVKIT_CONTROL_URL and
// IDVKIT_CONTROL_TOKEN its control API, IDVKIT_STRICT_POLICY=1 counts our own policy rules).
func TestFeatures(t *testing.T) {
	cfg := steps.Config{Target: steps.InProcess()}
	if base := os.Getenv("IDVKIT_BASE_URL"); base != "" {
		cfg = steps.Config{API: os.Getenv("IDVKIT_API"), StrictPolicy: os.Getenv("IDVKIT_STRICT_POLICY") == "1",
			Target: steps.URL(base, os.Getenv("IDVKIT_CONTROL_URL"), os.Getenv("IDVKIT_CONTROL_TOKEN"))}
	}
	report := steps.RunT(t, cfg)
	for _, cov := range report.Coverage() {
		t.Logf("%s: rules verified %d/%d", cov.API, len(cov.Verified), len(cov.Listed))
	}
}
