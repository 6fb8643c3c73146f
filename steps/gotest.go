package steps

import (
	"context"
	"testing"
)

// RunT runs the suite under go test: each scenario is a subtest named after its ID and name; a
// skipped scenario calls t.Skip with its reason and a failed one t.Error with its failing step and
// godog's output. Scenarios run in parallel when the target gives each its own mock.
func RunT(t *testing.T, cfg Config) *Report {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	report := &Report{PolicyCounts: true}
	results := make([]Result, len(s.Scenarios()))
	t.Run("scenarios", func(t *testing.T) {
		for i, sc := range s.Scenarios() {
			t.Run(sc.ID+" "+sc.Name, func(t *testing.T) {
				if cfg.Target.Isolated() {
					t.Parallel()
				}
				res := s.Run(context.Background(), sc)
				results[i] = res
				switch res.Status {
				case Skipped:
					t.Skip(res.Reason)
				case Failed:
					t.Errorf("%s failed at step %q: %s\n%s", sc.Path, res.FailedStep, res.Reason, res.Output)
				}
			})
		}
	})
	report.Results = results
	return report
}
