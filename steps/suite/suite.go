// Package suite runs idvkit's conformance suite: each scenario of features/ against a target (the
// in-process mock, a URL, or a container) with a world of its own (steps.World), under go test (RunT)
// or for `idvkit conform` (New, Plan.Run), into results the report package judges.
//
// Capabilities gate scenarios here, in our own code: a scenario tagged @needs:<capability> that the
// target lacks is reported as skipped with its reason (and under go test calls t.Skip), where godog's
// tag filter would drop it silently.
package suite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/idvkit/idvkit/features"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/steps"
	"github.com/idvkit/idvkit/steps/report"
	"github.com/idvkit/idvkit/steps/scenario"
	"github.com/idvkit/idvkit/steps/target"
)

// Config says what to run against what.
type Config struct {
	API    string // run only this API's features; empty runs all
	Target target.Target
	// Principals supplies credentials per role for targets whose control API lacks users.create.
	Principals map[string]steps.Principal
	// Features overrides the embedded features (tests of the runner itself).
	Features fs.FS
	// StrictPolicy counts failures of @policy scenarios (our own rules where the vendor is silent)
	// against a shared target; against an isolated (in-process) one they always count.
	StrictPolicy bool
	// Capabilities declares what the target offers; nil asks its control API (GET /capabilities).
	Capabilities []string
	// TestData are values the target's test build fixes, read as ${test.<key>}; a message a target
	// without an outbox would have sent is read from the key named after its kind (otp).
	TestData map[string]string
	// Webhook is where the suite's webhook receiver listens, and the URL the target calls it at.
	Webhook steps.Webhook
}

// NewReport returns an empty report that counts policy failures as cfg says.
func NewReport(cfg Config) *report.Report {
	return &report.Report{PolicyCounts: cfg.policyCounts(), APIs: mocktest.APIs()}
}

// policyCounts reports whether our own policy counts against the target: always against an isolated
// (in-process) one, against a shared one only with StrictPolicy.
func (cfg Config) policyCounts() bool {
	return cfg.StrictPolicy || (cfg.Target != nil && cfg.Target.Isolated())
}

// Suite runs scenarios against one target.
type Suite struct {
	cfg       Config
	scenarios []scenario.Scenario
	sources   scenario.Sources
}

// New loads the features and returns a Suite.
func New(cfg Config) (*Suite, error) {
	if cfg.Target == nil {
		return nil, errors.New("steps: no target")
	}
	if cfg.Features == nil {
		cfg.Features = features.FS
	}
	if cfg.API != "" && !slices.Contains(mocktest.APIs(), cfg.API) {
		return nil, fmt.Errorf("steps: unknown API %q (known: %s)", cfg.API, strings.Join(mocktest.APIs(), ", "))
	}
	scs, err := scenario.Load(cfg.Features, cfg.API)
	if err != nil {
		return nil, err
	}
	for _, sc := range scs {
		if !steps.HasSteps(sc.API) {
			return nil, fmt.Errorf("steps: %s: no steps are registered for API %q", sc.Path, sc.API)
		}
	}
	sources, err := scenario.ReadSources(cfg.Features, scs)
	if err != nil {
		return nil, err
	}
	return &Suite{cfg: cfg, scenarios: scs, sources: sources}, nil
}

// Scenarios lists what the suite will run, in order.
func (s *Suite) Scenarios() []scenario.Scenario { return s.scenarios }

// Run runs one scenario on an endpoint of its own.
func (s *Suite) Run(ctx context.Context, sc scenario.Scenario) (res scenario.Result) {
	start := time.Now()
	res = scenario.Result{Scenario: sc, Start: start}
	if w, ok := s.sources.Of(sc); ok {
		res.Source, res.Steps = w.Source, w.Steps
	} else {
		res.Source.File, res.Source.Line = sc.Where()
	}
	defer func() { res.Duration = time.Since(start) }()

	features, err := scenario.Isolate(s.cfg.Features, sc)
	if err != nil {
		res.Status, res.Reason = scenario.Failed, err.Error()
		return res
	}
	ep, err := s.cfg.Target.Open(ctx, sc.API)
	if err != nil {
		res.Status, res.Reason = scenario.Failed, "target: "+err.Error()
		return res
	}
	defer ep.Close()
	w, err := steps.NewWorld(ctx, steps.Setup{API: sc.API, Endpoint: ep, Capabilities: s.cfg.Capabilities, Principals: s.cfg.Principals,
		TestData: s.cfg.TestData, Webhook: s.cfg.Webhook, PolicyCounts: s.cfg.policyCounts()})
	if err != nil {
		res.Status, res.Reason = scenario.Failed, err.Error()
		return res
	}
	defer w.Close()
	for _, need := range sc.Needs {
		if !w.Offers(need) {
			res.Status, res.Reason = scenario.Skipped, "target lacks capability "+need
			return res
		}
	}

	var out bytes.Buffer
	ran, pickles := 0, 0
	var pickle *godog.Scenario
	began := map[*godog.Step]time.Time{}
	gs := godog.TestSuite{
		Name: sc.ID,
		ScenarioInitializer: func(gsc *godog.ScenarioContext) {
			gsc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
				pickles++
				pickle = p
				if p.Name != sc.Name {
					return ctx, fmt.Errorf("godog selected %q instead of %q", p.Name, sc.Name)
				}
				return ctx, nil
			})
			gsc.StepContext().Before(func(ctx context.Context, st *godog.Step) (context.Context, error) {
				ran++
				began[st] = time.Now()
				return ctx, nil
			})
			gsc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
				if err != nil && !errors.Is(err, godog.ErrSkip) && res.FailedStep == "" {
					res.FailedStep, res.Reason = st.Text, err.Error()
				}
				relaxed := w.TakeRelaxed()
				r := stepOf(res.Steps, pickle, st)
				if relaxed != "" {
					rx := scenario.Relaxation{Step: st.Text, Error: relaxed}
					if r != nil {
						rx.Line, r.Relaxed, r.Error = r.Line, true, relaxed
					}
					res.Relaxed = append(res.Relaxed, rx)
				}
				if r != nil {
					r.Status = stepStatus(status)
					switch {
					case errors.Is(err, godog.ErrSkip):
						r.Error, r.Duration = w.SkipReason(), time.Since(began[st])
					case err != nil:
						r.Error, r.Duration = err.Error(), time.Since(began[st])
					case r.Status != scenario.Skipped: // a step skipped after a failed one never ran
						r.Duration = time.Since(began[st])
					}
				}
				delete(began, st)
				return ctx, nil
			})
			w.Initialize(gsc)
		},
		Options: &godog.Options{
			Format: "pretty", Output: &out, NoColors: true, Strict: true,
			FS: features, Paths: []string{sc.Path}, DefaultContext: ctx,
		},
	}
	code := gs.Run()
	res.Output, res.Reason, res.ServerError = w.Redact(out.String()), w.Redact(res.Reason), w.Redact(w.ServerError())
	for i := range res.Steps {
		res.Steps[i].Error = w.Redact(res.Steps[i].Error)
	}
	for i := range res.Relaxed {
		res.Relaxed[i].Error = w.Redact(res.Relaxed[i].Error)
	}
	switch {
	case w.SkipReason() != "":
		res.Status, res.Reason = scenario.Skipped, w.SkipReason()
	case ran == 0 || pickles != 1:
		// godog selected nothing, or more than this scenario: never count that as passed.
		res.Status, res.Reason = scenario.Failed, fmt.Sprintf("godog ran %d scenarios and %d steps for %s, not this one scenario", pickles, ran, sc.Path)
	case code != 0:
		res.Status = scenario.Failed
		if res.Reason == "" {
			res.Reason = "the scenario failed (an undefined or ambiguous step?); see its output"
		}
	default:
		res.Status = scenario.Passed
	}
	return res
}

// stepOf returns the result of a step of the pickle godog runs, or nil for a step that is not one of
// its own (a nested step run by godog.Steps) or not the one planned at its place.
func stepOf(steps []scenario.StepResult, pickle *godog.Scenario, st *godog.Step) *scenario.StepResult {
	if pickle == nil {
		return nil
	}
	i := slices.IndexFunc(pickle.Steps, func(p *godog.Step) bool { return p.Id == st.Id })
	if i < 0 || i >= len(steps) || steps[i].Text != st.Text {
		return nil
	}
	return &steps[i]
}

func stepStatus(s godog.StepResultStatus) scenario.Status {
	switch s {
	case godog.StepPassed:
		return scenario.Passed
	case godog.StepSkipped:
		return scenario.Skipped
	case godog.StepUndefined:
		return scenario.Undefined
	case godog.StepPending:
		return scenario.Pending
	default: // failed, ambiguous
		return scenario.Failed
	}
}
