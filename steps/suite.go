// Package steps is idvkit's conformance suite: the godog steps of features/, and a runner that runs
// each scenario against a Target (the in-process mock, a URL, or a container) with its own world.
//
// Capabilities gate scenarios here, in our own code: a scenario tagged @needs:<capability> that the
// target lacks is reported as skipped with its reason (and under go test calls t.Skip), where godog's
// tag filter would drop it silently.
//
// The steps are API-neutral (steps/common.go); each API's steps file adds how its principals'
// credentials go on a request and its login steps, and registers them in init.
package steps

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
	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mockapi"
)

// Config says what to run against what.
type Config struct {
	API    string // run only this API's features; empty runs all
	Target Target
	// Principals supplies credentials per role for targets whose control API lacks users.create.
	Principals map[string]mockapi.Principal
	// Features overrides the embedded features (tests of the runner itself).
	Features fs.FS
	// StrictPolicy counts failures of @policy scenarios (our own rules where the vendor is silent)
	// against a shared target; against an isolated (in-process) one they always count.
	StrictPolicy bool
}

// NewReport returns an empty report that counts policy failures as cfg says.
func NewReport(cfg Config) *Report {
	return &Report{PolicyCounts: cfg.StrictPolicy || cfg.Target.Isolated()}
}

// Status is a scenario's outcome.
type Status string

// The outcomes.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// Result is one scenario's outcome. Reason and Output never carry a credential the scenario saw whole.
type Result struct {
	Scenario
	Status     Status
	Reason     string // why it was skipped, or the failing step's error
	FailedStep string
	Output     string // godog's pretty output of the scenario
	Duration   time.Duration
}

// Suite runs scenarios against one target.
type Suite struct {
	cfg       Config
	scenarios []Scenario
}

// New loads the features and returns a Suite.
func New(cfg Config) (*Suite, error) {
	if cfg.Target == nil {
		return nil, errors.New("steps: no target")
	}
	if cfg.Features == nil {
		cfg.Features = features.FS
	}
	if cfg.API != "" && !slices.Contains(mockserver.Registered(), cfg.API) {
		return nil, fmt.Errorf("steps: unknown API %q (known: %s)", cfg.API, strings.Join(mockserver.Registered(), ", "))
	}
	scs, err := LoadScenarios(cfg.Features, cfg.API)
	if err != nil {
		return nil, err
	}
	for _, sc := range scs {
		if apis[sc.API] == nil {
			return nil, fmt.Errorf("steps: %s: no steps are registered for API %q", sc.Path, sc.API)
		}
	}
	return &Suite{cfg: cfg, scenarios: scs}, nil
}

// Scenarios lists what the suite will run, in order.
func (s *Suite) Scenarios() []Scenario { return s.scenarios }

// Run runs one scenario on an endpoint of its own.
func (s *Suite) Run(ctx context.Context, sc Scenario) Result {
	start := time.Now()
	res := Result{Scenario: sc}
	defer func() { res.Duration = time.Since(start) }()

	features, err := selecting(s.cfg.Features, sc)
	if err != nil {
		res.Status, res.Reason = Failed, err.Error()
		return res
	}
	ep, err := s.cfg.Target.Open(ctx, sc.API)
	if err != nil {
		res.Status, res.Reason = Failed, "target: "+err.Error()
		return res
	}
	defer ep.Close()
	w := &world{api: apis[sc.API], ep: ep, principals: s.cfg.Principals, actors: map[string]*actor{}, vars: map[string]string{}}
	w.keepSecret(ep.ControlToken)
	w.caps = capabilities(ctx, w)
	for _, need := range sc.Needs {
		if !w.caps[need] {
			res.Status, res.Reason = Skipped, "target lacks capability "+need
			return res
		}
	}

	var out bytes.Buffer
	ran, pickles := 0, 0
	suite := godog.TestSuite{
		Name: sc.ID,
		ScenarioInitializer: func(gsc *godog.ScenarioContext) {
			gsc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
				pickles++
				if p.Name != sc.Name {
					return ctx, fmt.Errorf("godog selected %q instead of %q", p.Name, sc.Name)
				}
				return withWorld(ctx, w), nil
			})
			gsc.StepContext().Before(func(ctx context.Context, _ *godog.Step) (context.Context, error) {
				ran++
				return ctx, nil
			})
			gsc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
				if err != nil && !errors.Is(err, godog.ErrSkip) && res.FailedStep == "" {
					res.FailedStep, res.Reason = st.Text, err.Error()
				}
				return ctx, nil
			})
			registerCommonSteps(gsc)
			w.api.register(gsc)
		},
		Options: &godog.Options{
			Format: "pretty", Output: &out, NoColors: true, Strict: true,
			FS: features, Paths: []string{sc.Path}, DefaultContext: ctx,
		},
	}
	code := suite.Run()
	res.Output, res.Reason = w.redact(out.String()), w.redact(res.Reason)
	switch {
	case w.skipReason != "":
		res.Status, res.Reason = Skipped, w.skipReason
	case ran == 0 || pickles != 1:
		// godog selected nothing, or more than this scenario: never count that as passed.
		res.Status, res.Reason = Failed, fmt.Sprintf("godog ran %d scenarios and %d steps for %s, not this one scenario", pickles, ran, sc.Path)
	case code != 0:
		res.Status = Failed
		if res.Reason == "" {
			res.Reason = "the scenario failed (an undefined or ambiguous step?); see its output"
		}
	default:
		res.Status = Passed
	}
	return res
}

// capabilities asks the target's control API what it offers; a target without one offers nothing.
func capabilities(ctx context.Context, w *world) map[string]bool {
	caps := map[string]bool{}
	var body struct {
		Capabilities []string `json:"capabilities"`
	}
	if err := w.controlJSON(ctx, "GET", "/capabilities", nil, &body); err != nil {
		return caps
	}
	for _, c := range body.Capabilities {
		caps[c] = true
	}
	return caps
}
