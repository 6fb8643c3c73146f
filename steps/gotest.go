package steps

import (
	"context"
	"testing"
)

// RunT runs the suite under go test: each scenario is a subtest named after its ID and name; a
// skipped scenario calls t.Skip with its reason and a failed one t.Error with its failing step and
// godog's output. A failed @policy scenario that does not count against this target (see
// Config.StrictPolicy) is skipped with its failure as the reason: reported, never passed, and not
// failing the run, as `idvkit conform` does. Scenarios run in parallel when the target gives each
// its own mock.
func RunT(t *testing.T, cfg Config) *Report {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	report := NewReport(cfg)
	results := make([]Result, len(s.Scenarios()))
	t.Run("scenarios", func(t *testing.T) {
		for i, sc := range s.Scenarios() {
			t.Run(sc.ID+" "+sc.Name, func(t *testing.T) {
				if cfg.Target.Isolated() {
					t.Parallel()
				}
				res := s.Run(context.Background(), sc)
				results[i] = res
				switch {
				case res.Status == Skipped:
					t.Skip(res.Reason)
				case res.Status == Failed && !report.Counted(res):
					t.Skipf("policy rule failed (not counted against this target; IDVKIT_STRICT_POLICY=1 counts it) at step %q: %s", res.FailedStep, res.Reason)
				case res.Status == Failed:
					t.Errorf("%s failed at step %q: %s\n%s", sc.Path, res.FailedStep, res.Reason, res.Output)
				}
			})
		}
	})
	report.Results = results
	return report
}
