// Package steps is idvkit's conformance suite: the godog steps of features/, and a runner that runs
// each scenario against a Target (the in-process mock, a URL, or a container) with its own world.
//
// Capabilities gate scenarios here, in our own code: a scenario tagged @needs:<capability> that the
// target lacks is reported as skipped with its reason (and under go test calls t.Skip), where godog's
// tag filter would drop it silently.
package steps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/idvkit/idvkit/features"
	"github.com/idvkit/idvkit/mockserver/provider"
	"github.com/idvkit/idvkit/openapi"
)

// Config says what to run against what.
type Config struct {
	API    string // run only this API's features; empty runs all
	Target Target
	// Principals supplies credentials per role for targets whose control API lacks users.create.
	Principals map[string]provider.Principal
	// Features overrides the embedded features (tests of the runner itself).
	Features fs.FS
}

// Status is a scenario's outcome.
type Status string

// The outcomes.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// Result is one scenario's outcome.
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
	if cfg.API != "" {
		if _, err := openapi.Load(cfg.API); err != nil || cfg.API == openapi.Control {
			return nil, fmt.Errorf("steps: unknown API %q (known: %s)", cfg.API, strings.Join(openapi.APIs, ", "))
		}
	}
	scs, err := LoadScenarios(cfg.Features, cfg.API)
	if err != nil {
		return nil, err
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

	ep, err := s.cfg.Target.Open(ctx, sc.API)
	if err != nil {
		res.Status, res.Reason = Failed, "target: "+err.Error()
		return res
	}
	defer ep.Close()
	caps := capabilities(ctx, ep)
	for _, need := range sc.Needs {
		if !caps[need] {
			res.Status, res.Reason = Skipped, "target lacks capability "+need
			return res
		}
	}

	w := &world{ep: ep, caps: caps, principals: s.cfg.Principals, actors: map[string]*actor{}}
	var out bytes.Buffer
	ran := 0
	suite := godog.TestSuite{
		Name: sc.ID,
		ScenarioInitializer: func(gsc *godog.ScenarioContext) {
			gsc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
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
			registerRamBaseSteps(gsc)
		},
		Options: &godog.Options{
			Format: "pretty", Output: &out, NoColors: true, Strict: true,
			FS: s.cfg.Features, Paths: []string{sc.Path}, DefaultContext: ctx,
		},
	}
	code := suite.Run()
	res.Output = out.String()
	switch {
	case w.skipReason != "":
		res.Status, res.Reason = Skipped, w.skipReason
	case ran == 0:
		// godog selected nothing at this path: never count a scenario that did not run as passed.
		res.Status, res.Reason = Failed, "godog ran no step of "+sc.Path
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
func capabilities(ctx context.Context, ep *Endpoint) map[string]bool {
	caps := map[string]bool{}
	w := &world{ep: ep}
	var body struct {
		Capabilities []string `json:"capabilities"`
	}
	if _, err := w.controlJSON(ctx, http.MethodGet, "/capabilities", nil, &body); err != nil {
		return caps
	}
	for _, c := range body.Capabilities {
		caps[c] = true
	}
	return caps
}
