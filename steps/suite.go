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
	"strconv"
	"strings"
	"time"

	gherkin "github.com/cucumber/gherkin/go/v26"
	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/idvkit/idvkit/features"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/steps/target"
)

// Config says what to run against what.
type Config struct {
	API    string // run only this API's features; empty runs all
	Target target.Target
	// Principals supplies credentials per role for targets whose control API lacks users.create.
	Principals map[string]Principal
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
	Webhook WebhookFile
}

// NewReport returns an empty report that counts policy failures as cfg says.
func NewReport(cfg Config) *Report {
	return &Report{PolicyCounts: cfg.policyCounts()}
}

// policyCounts reports whether our own policy counts against the target: always against an isolated
// (in-process) one, against a shared one only with StrictPolicy.
func (cfg Config) policyCounts() bool {
	return cfg.StrictPolicy || (cfg.Target != nil && cfg.Target.Isolated())
}

// Status is a scenario's or a step's outcome.
type Status string

// The outcomes. A scenario is Passed, Failed or Skipped; a step may also be Undefined (no step
// definition matches it) or Pending (its definition returned godog.ErrPending). An ambiguous step
// (several definitions match it) is Failed.
const (
	Passed    Status = "passed"
	Failed    Status = "failed"
	Skipped   Status = "skipped"
	Undefined Status = "undefined"
	Pending   Status = "pending"
)

// Result is one scenario's outcome. Reason, Output and the steps' errors never carry a credential the
// scenario saw whole.
type Result struct {
	Scenario
	Status     Status
	Reason     string // why it was skipped, or the failing step's error
	FailedStep string
	Output     string // godog's pretty output of the scenario
	Start      time.Time
	Duration   time.Duration
	// Source is where the scenario is written, for reports.
	Source Source
	// Steps are the scenario's steps, Background steps first, as they ran; a step that did not run
	// (after a failed or skipped one, or in a scenario that never reached godog, such as one our
	// capability gating skipped) is Skipped.
	Steps []StepResult
	// Relaxed are the checks of our own part of a rule that this run, not counting policy, forgave
	// (policy.go); the steps passed, and the reports show them in the policy bucket.
	Relaxed []Relaxation
	// ServerError is the first 5xx the API answered in the scenario, if any: it makes a failed
	// @policy scenario count, since a 5xx is never our policy.
	ServerError string
}

// StepResult is one step of a scenario and its outcome.
type StepResult struct {
	Keyword  string // Given, When, Then, And, But or *, as the feature writes it
	Text     string // for an outline's example row, with the row's values
	Line     int    // in the feature file
	Status   Status
	Duration time.Duration
	// Error is why the step failed, is undefined or pending, or, for the step that skipped its
	// scenario, why; redacted like Result.Reason.
	Error string
	// Relaxed marks a step whose check of our own part of a rule failed and was forgiven (Error says
	// what it found); its Status is Passed.
	Relaxed   bool
	DocString *DocString // the step's doc string argument, if any
	Table     [][]string // the step's data table argument, if any
}

// DocString is a step's doc string argument.
type DocString struct {
	Content   string
	MediaType string
	Line      int // of its opening delimiter
}

// Source is where a scenario is written.
type Source struct {
	File        string // the feature file in the features FS: rambase/login.feature
	Line        int    // the scenario's line; for an outline's example row, the row's line
	Keyword     string // Scenario, Scenario Outline, Example..., as the feature writes it
	Description string
	Feature     FeatureSource
}

// FeatureSource is where a scenario's feature is written (its name is Scenario.Feature).
type FeatureSource struct {
	Keyword     string // Feature, as the feature writes it
	Line        int
	Description string
	Tags        []Tag // the feature's own tags (Scenario.Tags has them too, inherited)
}

// Tag is a tag where it is written.
type Tag struct {
	Name         string
	Line, Column int
}

// Suite runs scenarios against one target.
type Suite struct {
	cfg       Config
	scenarios []Scenario
	sources   map[string]*scenarioSource // by sourceKey
}

// scenarioSource is what a scenario's result starts from: where it is written and its steps, not
// yet run.
type scenarioSource struct {
	name   string // the pickle's, to check it is the scenario's
	source Source
	steps  []StepResult
}

func sourceKey(sc Scenario) string { return sc.ID + "\x00" + sc.Path }

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
	scs, err := LoadScenarios(cfg.Features, cfg.API)
	if err != nil {
		return nil, err
	}
	for _, sc := range scs {
		if apis[sc.API] == nil {
			return nil, fmt.Errorf("steps: %s: no steps are registered for API %q", sc.Path, sc.API)
		}
	}
	sources, err := sourcesOf(cfg.Features, scs)
	if err != nil {
		return nil, err
	}
	return &Suite{cfg: cfg, scenarios: scs, sources: sources}, nil
}

// Scenarios lists what the suite will run, in order.
func (s *Suite) Scenarios() []Scenario { return s.scenarios }

// Run runs one scenario on an endpoint of its own.
func (s *Suite) Run(ctx context.Context, sc Scenario) (res Result) {
	start := time.Now()
	res = Result{Scenario: sc, Start: start}
	if p := s.sources[sourceKey(sc)]; p != nil {
		res.Source, res.Steps = p.source, slices.Clone(p.steps)
	} else {
		file, line, _ := strings.Cut(sc.Path, ":")
		res.Source.File, res.Source.Line = file, atoi(line)
	}
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
	w := &world{api: apis[sc.API], ep: ep, principals: s.cfg.Principals, testData: s.cfg.TestData, actors: map[string]*actor{}, vars: map[string]string{},
		webhook: s.cfg.Webhook, policyCounts: s.cfg.policyCounts()}
	defer w.closeWebhookReceiver()
	w.keepSecret(ep.ControlToken)
	for _, v := range s.cfg.TestData {
		w.keepSecret(v)
	}
	if s.cfg.Capabilities != nil {
		w.caps = map[string]bool{}
		for _, c := range s.cfg.Capabilities {
			w.caps[c] = true
		}
	} else {
		w.caps = capabilities(ctx, w)
	}
	for _, need := range sc.Needs {
		if !w.caps[need] {
			res.Status, res.Reason = Skipped, "target lacks capability "+need
			return res
		}
	}

	var out bytes.Buffer
	ran, pickles := 0, 0
	var pickle *godog.Scenario
	began := map[*godog.Step]time.Time{}
	suite := godog.TestSuite{
		Name: sc.ID,
		ScenarioInitializer: func(gsc *godog.ScenarioContext) {
			gsc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
				pickles++
				pickle = p
				if p.Name != sc.Name {
					return ctx, fmt.Errorf("godog selected %q instead of %q", p.Name, sc.Name)
				}
				return withWorld(ctx, w), nil
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
				relaxed := w.relaxed
				w.relaxed = ""
				r := stepOf(res.Steps, pickle, st)
				if relaxed != "" {
					rx := Relaxation{Step: st.Text, Error: relaxed}
					if r != nil {
						rx.Line, r.Relaxed, r.Error = r.Line, true, relaxed
					}
					res.Relaxed = append(res.Relaxed, rx)
				}
				if r != nil {
					r.Status = stepStatus(status)
					switch {
					case errors.Is(err, godog.ErrSkip):
						r.Error, r.Duration = w.skipReason, time.Since(began[st])
					case err != nil:
						r.Error, r.Duration = err.Error(), time.Since(began[st])
					case r.Status != Skipped: // a step skipped after a failed one never ran
						r.Duration = time.Since(began[st])
					}
				}
				delete(began, st)
				return ctx, nil
			})
			registerCommonSteps(gsc)
			registerPolicySteps(gsc)
			registerWebhookSteps(gsc)
			w.api.register(gsc)
		},
		Options: &godog.Options{
			Format: "pretty", Output: &out, NoColors: true, Strict: true,
			FS: features, Paths: []string{sc.Path}, DefaultContext: ctx,
		},
	}
	code := suite.Run()
	res.Output, res.Reason, res.ServerError = w.redact(out.String()), w.redact(res.Reason), w.redact(w.serverError)
	for i := range res.Steps {
		res.Steps[i].Error = w.redact(res.Steps[i].Error)
	}
	for i := range res.Relaxed {
		res.Relaxed[i].Error = w.redact(res.Relaxed[i].Error)
	}
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

// stepOf returns the result of a step of the pickle godog runs, or nil for a step that is not one of
// its own (a nested step run by godog.Steps) or not the one planned at its place.
func stepOf(steps []StepResult, pickle *godog.Scenario, st *godog.Step) *StepResult {
	if pickle == nil {
		return nil
	}
	i := slices.IndexFunc(pickle.Steps, func(p *godog.Step) bool { return p.Id == st.Id })
	if i < 0 || i >= len(steps) || steps[i].Text != st.Text {
		return nil
	}
	return &steps[i]
}

func stepStatus(s godog.StepResultStatus) Status {
	switch s {
	case godog.StepPassed:
		return Passed
	case godog.StepSkipped:
		return Skipped
	case godog.StepUndefined:
		return Undefined
	case godog.StepPending:
		return Pending
	default: // failed, ambiguous
		return Failed
	}
}

// sourcesOf reads where each scenario is written and its steps: for each pickle step its keyword and
// line from the Gherkin step its first AST node id names (a Background's or the scenario's), and its
// text and argument from the pickle (an outline row's values filled in). LoadScenarios lists the
// pickles of each file in order, so the i-th pickle of a file is its i-th scenario.
func sourcesOf(fsys fs.FS, scs []Scenario) (map[string]*scenarioSource, error) {
	out := map[string]*scenarioSource{}
	for i := 0; i < len(scs); {
		file, _, _ := strings.Cut(scs[i].Path, ":")
		j := i
		for j < len(scs) && strings.HasPrefix(scs[j].Path, file+":") {
			j++
		}
		ps, err := fileSources(fsys, file)
		if err != nil {
			return nil, err
		}
		if len(ps) != j-i {
			return nil, fmt.Errorf("steps: %s: %d pickles for %d scenarios", file, len(ps), j-i)
		}
		for k, p := range ps {
			if sc := scs[i+k]; p.name != sc.Name {
				return nil, fmt.Errorf("steps: %s: pickle %d is %q, not %s %q", file, k, p.name, sc.ID, sc.Name)
			}
			out[sourceKey(scs[i+k])] = p
		}
		i = j
	}
	return out, nil
}

func fileSources(fsys fs.FS, file string) ([]*scenarioSource, error) {
	raw, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	ids := &messages.Incrementing{}
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(raw), ids.NewId)
	if err != nil {
		return nil, fmt.Errorf("steps: %s: %w", file, err)
	}
	f := doc.Feature
	feature := FeatureSource{Keyword: f.Keyword, Line: int(f.Location.Line), Description: f.Description}
	for _, t := range f.Tags {
		feature.Tags = append(feature.Tags, Tag{Name: t.Name, Line: int(t.Location.Line), Column: int(t.Location.Column)})
	}
	astSteps, lines := map[string]*messages.Step{}, map[string]int{}
	addSteps := func(steps []*messages.Step) {
		for _, st := range steps {
			astSteps[st.Id] = st
		}
	}
	addChildren := func(bg *messages.Background, sc *messages.Scenario) {
		if bg != nil {
			addSteps(bg.Steps)
		}
		if sc != nil {
			addSteps(sc.Steps)
			lines[sc.Id] = int(sc.Location.Line)
			for _, ex := range sc.Examples {
				for _, row := range ex.TableBody {
					lines[row.Id] = int(row.Location.Line)
				}
			}
		}
	}
	for _, c := range f.Children {
		addChildren(c.Background, c.Scenario)
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				addChildren(rc.Background, rc.Scenario)
			}
		}
	}
	scenarios := scenariosByID(doc)
	var out []*scenarioSource
	for _, p := range gherkin.Pickles(*doc, file, ids.NewId) {
		gsc := scenarios[p.AstNodeIds[0]]
		if gsc == nil {
			return nil, fmt.Errorf("steps: %s: no scenario for pickle %q", file, p.Name)
		}
		pl := &scenarioSource{name: p.Name, source: Source{File: file, Line: lines[p.AstNodeIds[len(p.AstNodeIds)-1]],
			Keyword: gsc.Keyword, Description: gsc.Description, Feature: feature}}
		for _, ps := range p.Steps {
			ast := astSteps[ps.AstNodeIds[0]]
			if ast == nil {
				return nil, fmt.Errorf("steps: %s: no Gherkin step for %q", file, ps.Text)
			}
			st := StepResult{Keyword: strings.TrimSpace(ast.Keyword), Text: ps.Text, Line: int(ast.Location.Line), Status: Skipped}
			if a := ps.Argument; a != nil && a.DocString != nil {
				st.DocString = &DocString{Content: a.DocString.Content, MediaType: a.DocString.MediaType}
				if ast.DocString != nil {
					st.DocString.Line = int(ast.DocString.Location.Line)
				}
			}
			if a := ps.Argument; a != nil && a.DataTable != nil {
				for _, row := range a.DataTable.Rows {
					cells := make([]string, len(row.Cells))
					for i, c := range row.Cells {
						cells[i] = c.Value
					}
					st.Table = append(st.Table, cells)
				}
			}
			pl.steps = append(pl.steps, st)
		}
		out = append(out, pl)
	}
	return out, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
