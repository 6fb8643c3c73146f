package suite

import (
	"context"
	"testing"

	"github.com/idvkit/idvkit/steps/report"
	"github.com/idvkit/idvkit/steps/scenario"
)

// RunT runs the suite under go test: each scenario is a subtest named after its ID and name; a
// skipped scenario calls t.Skip with its reason and a failed one t.Error with its failing step and
// godog's output. A failure of our own policy that does not count against this target (see
// Config.StrictPolicy: a failed @policy scenario, or a relaxed check of our part of a rule) is
// skipped with its failure as the reason: reported, never passed, and not
// failing the run, as `idvkit conform` does. Scenarios run in parallel when the target gives each
// its own mock. Scenarios the plan expects to fail that fail are skipped with the reason; one that
// passes fails the test.
func RunT(t *testing.T, plan Plan) *report.Report {
	t.Helper()
	s, err := New(plan.Config)
	if err != nil {
		t.Fatal(err)
	}
	scenarios, err := plan.Select(s.Scenarios())
	if err != nil {
		t.Fatal(err)
	}
	rep := plan.NewReport()
	t.Cleanup(func() {
		if err := plan.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := plan.Target.Ready(context.Background()); err != nil {
		t.Fatalf("target not ready: %v", err)
	}
	results := make([]scenario.Result, len(scenarios))
	t.Run("scenarios", func(t *testing.T) {
		for i, sc := range scenarios {
			t.Run(sc.ID+" "+sc.Name, func(t *testing.T) {
				if plan.Target.Isolated() {
					t.Parallel()
				}
				res := plan.Run(context.Background(), s, sc)
				results[i] = res
				switch rep.Outcome(res) {
				case report.OutcomeSkipped:
					t.Skip(res.Reason)
				case report.OutcomePolicyFailed:
					step, reason := res.Failure()
					t.Skipf("policy rule failed (not counted against this target; IDVKIT_STRICT_POLICY=1 counts it) at step %q: %s", step, reason)
				case report.OutcomeExpectedFailure:
					step, reason := res.Failure()
					t.Skipf("expected failure (%s) at step %q: %s", rep.Expected[res.ID], step, reason)
				case report.OutcomeUnexpectedPass:
					t.Errorf("%s passed, but is listed as an expected failure (%s): take it off the list", sc.ID, rep.Expected[res.ID])
				case report.OutcomeFailed:
					t.Errorf("%s failed at step %q: %s\n%s", sc.Path, res.FailedStep, res.Reason, res.Output)
				}
			})
		}
	})
	// A scenario `go test -run` filtered out has no result; only what ran is in the report.
	for _, res := range results {
		if res.Status != "" {
			rep.Results = append(rep.Results, res)
		}
	}
	return rep
}
