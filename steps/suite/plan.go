package suite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/idvkit/idvkit/steps/report"
	"github.com/idvkit/idvkit/steps/scenario"
)

// Plan is one run: what to run against what (Config), which scenarios (Tags), how long each may take,
// and how the verdict is reached. `idvkit conform` builds it from its flags and target file, go test
// from the environment (targetfile.PlanFromEnv).
type Plan struct {
	Config
	// Tags selects scenarios by tag expression (see scenario.MatchTags); empty runs all.
	Tags string
	// Timeout bounds each scenario, so a hanging target fails that scenario and the run goes on;
	// zero is DefaultTimeout.
	Timeout time.Duration
	// Expected lists scenarios, by @id:, the target is known to fail, with why (report.Report.Expected).
	Expected   map[string]string
	FailOnSkip bool
	MinRules   int
}

// DefaultTimeout is how long a scenario may take unless the plan says otherwise.
const DefaultTimeout = 2 * time.Minute

// NewReport returns an empty report that reaches its verdict as the plan says.
func (p Plan) NewReport() *report.Report {
	r := NewReport(p.Config)
	r.Expected, r.FailOnSkip, r.MinRules = p.Expected, p.FailOnSkip, p.MinRules
	return r
}

// Select returns the scenarios the plan's tags select, or an error for a malformed expression or
// an expected failure that names no scenario (a stale list would hide nothing and pass quietly).
func (p Plan) Select(all []scenario.Scenario) ([]scenario.Scenario, error) {
	ids := map[string]bool{}
	var out []scenario.Scenario
	for _, sc := range all {
		ids[sc.ID] = true
		ok, err := scenario.MatchTags(p.Tags, sc.Tags)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, sc)
		}
	}
	for id := range p.Expected {
		if !ids[id] {
			return nil, fmt.Errorf("expected failures: no scenario has the id %q", id)
		}
	}
	return out, nil
}

// Close releases the plan's target: a container is purged. Targets that hold nothing need no close.
func (p Plan) Close() error {
	if c, ok := p.Target.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}

// Run runs one scenario within the plan's timeout: a scenario that runs out of time fails, saying so,
// and the run goes on.
func (p Plan) Run(ctx context.Context, s *Suite, sc scenario.Scenario) scenario.Result {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res := s.Run(ctx, sc)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && res.Status != scenario.Passed {
		res.Status = scenario.Failed
		res.Reason = fmt.Sprintf("timed out after %s: the target stopped answering (%s)", timeout, res.Reason)
	}
	return res
}
