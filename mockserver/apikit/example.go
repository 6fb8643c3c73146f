package apikit

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/idvkit/idvkit/steps/report"
	"github.com/idvkit/idvkit/steps/suite"
	"github.com/idvkit/idvkit/steps/targetfile"
)

// makeRun is the address `make run` serves the mock at, which an example target file names.
const makeRun = "http://127.0.0.1:8080/"

// checkExample: examples/<name>.yaml is a target file for the API that reads strictly and gates a
// running mock on a port of its own, given by its base URL alone, as the guides run it: its control
// API, found under that base URL, makes the principals, and every scenario but the slow ones passes.
// Declared without a control API, its principals are used, and it passes too.
func checkExample(ctx context.Context, k *kit) []string {
	path := filepath.Join(k.Examples, k.name+".yaml")
	f, err := targetfile.Read(path)
	if err != nil {
		return []string{"the example target file: " + err.Error()}
	}
	if f.API != k.name {
		return []string{fmt.Sprintf("%s: api is %q, not %q", path, f.API, k.name)}
	}
	rest, ok := strings.CutPrefix(f.BaseURL, makeRun+k.name)
	if !ok {
		return []string{fmt.Sprintf("%s: base_url %q is not make run's mock (%s%s...)", path, f.BaseURL, makeRun, k.name)}
	}
	m, err := k.mock()
	if err != nil {
		return []string{err.Error()}
	}
	defer m.Close()
	f.BaseURL = m.APIURL(k.name) + rest
	// Without the @slow scenarios (one waits out eeID's 10 s webhook timeout): TestFeatures runs them.
	f.Tags = "~@slow"
	problems := conform(ctx, path+", with its control API", *f)

	noControl := ""
	f.Control = &targetfile.Control{URL: &noControl}
	f.MinRules = 1
	return append(problems, conform(ctx, path+", declared without a control API", *f)...)
}

// conform runs a target file's plan as `idvkit conform --config` does, one scenario after another,
// and lists what made it not conformant.
func conform(ctx context.Context, what string, f targetfile.File) []string {
	plan, err := f.Plan()
	if err != nil {
		return []string{what + ": " + err.Error()}
	}
	defer plan.Close()
	s, err := suite.New(plan.Config)
	if err != nil {
		return []string{what + ": " + err.Error()}
	}
	scenarios, err := plan.Select(s.Scenarios())
	if err != nil {
		return []string{what + ": " + err.Error()}
	}
	if err := plan.Target.Ready(ctx); err != nil {
		return []string{what + ": target not ready: " + err.Error()}
	}
	rep := plan.NewReport()
	for _, sc := range scenarios {
		rep.Results = append(rep.Results, plan.Run(ctx, s, sc))
	}
	if rep.Conformant() {
		return nil
	}
	problems := []string{what + ": not conformant"}
	for _, res := range rep.Results {
		if rep.Outcome(res) == report.OutcomeFailed {
			problems = append(problems, fmt.Sprintf("%s: %s failed at step %q: %s", what, res.ID, res.FailedStep, res.Reason))
		}
	}
	return problems
}
