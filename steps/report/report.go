// Package report gives the verdict of a run of the conformance suite on its results (Report: how each
// result counts, rule coverage per API, why the run is not conformant) and writes it: a line per
// scenario and a summary for the terminal, JUnit XML and Cucumber JSON for CI tools.
package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/idvkit/idvkit/openapi"
	"github.com/idvkit/idvkit/steps/scenario"
)

// Report collects results and gives the verdict.
type Report struct {
	Results []scenario.Result
	// PolicyCounts makes failures of our own policy fail the run: of @policy scenarios (our own rules
	// where the vendor is silent) and of our part of a rule (Result.Relaxed). They always count
	// in-process; against other targets only with --strict-policy.
	PolicyCounts bool
	// Expected lists scenarios, by @id:, that the target is known to fail, with why: their failures
	// are reported but do not fail the run, and one that passes does (the list is out of date).
	Expected map[string]string
	// FailOnSkip fails a run that skipped any scenario; MinRules one that verified fewer rules of an
	// API: a pipeline must not go green on a target that skipped most of the suite.
	FailOnSkip bool
	MinRules   int
	// APIs orders the parts of the report that are per API (rule coverage, the summary's lines): the
	// runner lists every registered API, in the registry's order. Left empty, they come in the order
	// the results first name them.
	APIs []string
}

// Outcome is how a result counts in the verdict.
type Outcome string

// The outcomes.
const (
	OutcomePassed          Outcome = "passed"
	OutcomeFailed          Outcome = "failed"
	OutcomePolicyFailed    Outcome = "policy-failed" // a failure of our own policy that does not count
	OutcomeSkipped         Outcome = "skipped"
	OutcomeExpectedFailure Outcome = "expected-failure"
	OutcomeUnexpectedPass  Outcome = "unexpected-pass" // listed as expected to fail, and passed
)

// Outcome classifies a result. A result that failed only our own policy is forgiven where policy does
// not count: a failed @policy scenario, unless it saw a 5xx, and a scenario whose only failures were
// checks of our own part of a rule (relaxed, so it passed the vendor's part).
func (r *Report) Outcome(res scenario.Result) Outcome {
	_, expected := r.Expected[res.ID]
	failed := res.Status == scenario.Failed || (res.Status == scenario.Passed && len(res.Relaxed) > 0)
	switch {
	case res.Status == scenario.Skipped:
		return OutcomeSkipped
	case !failed && expected:
		return OutcomeUnexpectedPass
	case !failed:
		return OutcomePassed
	case expected:
		return OutcomeExpectedFailure
	case r.PolicyCounts:
		return OutcomeFailed
	case res.Status == scenario.Passed, res.Policy && res.ServerError == "":
		return OutcomePolicyFailed
	}
	return OutcomeFailed
}

// Counts of a report.
type Counts struct {
	Passed, Failed, PolicyFailed, Skipped, ExpectedFailures, UnexpectedPasses int
	// Violations counts the scenarios that saw a response break the API's spec.
	Violations int
}

func (c *Counts) add(o Outcome, res scenario.Result) {
	switch o {
	case OutcomePassed:
		c.Passed++
	case OutcomeFailed:
		c.Failed++
	case OutcomePolicyFailed:
		c.PolicyFailed++
	case OutcomeSkipped:
		c.Skipped++
	case OutcomeExpectedFailure:
		c.ExpectedFailures++
	case OutcomeUnexpectedPass:
		c.UnexpectedPasses++
	}
	if res.Violation() {
		c.Violations++
	}
}

// Counts tallies the results, or those of one API when api is not empty.
func (r *Report) Counts(api ...string) Counts {
	var c Counts
	for _, res := range r.Results {
		if len(api) == 0 || slices.Contains(api, res.API) {
			c.add(r.Outcome(res), res)
		}
	}
	return c
}

// Counted reports whether a result fails the run.
func (r *Report) Counted(res scenario.Result) bool {
	o := r.Outcome(res)
	return o == OutcomeFailed || o == OutcomeUnexpectedPass
}

// Verdict lists why the run is not conformant; empty when it is.
func (r *Report) Verdict() []string {
	var why []string
	c := r.Counts()
	if c.Failed > 0 {
		why = append(why, fmt.Sprintf("%d scenario(s) failed", c.Failed))
	}
	if c.UnexpectedPasses > 0 {
		why = append(why, fmt.Sprintf("%d scenario(s) listed as expected failures passed: take them off the list", c.UnexpectedPasses))
	}
	if r.FailOnSkip && c.Skipped > 0 {
		why = append(why, fmt.Sprintf("%d scenario(s) were skipped (--fail-on-skip)", c.Skipped))
	}
	for _, cov := range r.Coverage() {
		if len(cov.Verified) < r.MinRules {
			why = append(why, fmt.Sprintf("%s: %d rules verified, fewer than %d (--min-rules)", cov.API, len(cov.Verified), r.MinRules))
		}
	}
	return why
}

// Conformant reports whether the target passed: nothing in the verdict against it.
func (r *Report) Conformant() bool { return len(r.Verdict()) == 0 }

// RuleCoverage is, for one API, how many of its listed rules the run verified: a rule is verified when
// at least one of its scenarios passed and none failed.
type RuleCoverage struct {
	API      string
	Verified []string
	Listed   []string
}

// Coverage returns rule coverage for every API the results touch, in the order of r.APIs. A scenario
// with a relaxed check did not verify its rules: our part of them failed.
func (r *Report) Coverage() []RuleCoverage {
	apis := r.APIs
	if len(apis) == 0 {
		apis = apisOf(r)
	}
	var out []RuleCoverage
	for _, api := range apis {
		spec, err := openapi.Load(api)
		if err != nil {
			continue
		}
		touched := false
		passed, failed := map[string]bool{}, map[string]bool{}
		for _, res := range r.Results {
			if res.API != api {
				continue
			}
			touched = true
			for _, rule := range res.Rules {
				switch {
				case res.Status == scenario.Failed, len(res.Relaxed) > 0:
					failed[rule] = true
				case res.Status == scenario.Passed:
					passed[rule] = true
				}
			}
		}
		if !touched {
			continue
		}
		cov := RuleCoverage{API: api}
		for _, rule := range spec.Rules() {
			cov.Listed = append(cov.Listed, rule.ID)
			if passed[rule.ID] && !failed[rule.ID] {
				cov.Verified = append(cov.Verified, rule.ID)
			}
		}
		out = append(out, cov)
	}
	return out
}

// WriteLine prints one result the way `idvkit conform` shows it.
func (r *Report) WriteLine(w io.Writer, res scenario.Result) {
	mark := map[Outcome]string{OutcomePassed: "PASS", OutcomeFailed: "FAIL", OutcomePolicyFailed: "FAIL (policy)",
		OutcomeSkipped: "SKIP", OutcomeExpectedFailure: "XFAIL", OutcomeUnexpectedPass: "XPASS"}[r.Outcome(res)]
	fmt.Fprintf(w, "%-4s  %-10s %s\n", mark, res.ID, res.Name)
	switch {
	case res.Status == scenario.Skipped:
		fmt.Fprintf(w, "      skipped: %s\n", res.Reason)
	case res.Status == scenario.Failed:
		if res.FailedStep != "" {
			fmt.Fprintf(w, "      step:  %s\n", res.FailedStep)
		}
		fmt.Fprintf(w, "      error: %s\n", res.Reason)
		if res.Policy && res.ServerError != "" && !r.PolicyCounts {
			fmt.Fprintf(w, "      counted although @policy: %s, and a 5xx is never our policy\n", res.ServerError)
		}
	}
	for _, rx := range res.Relaxed {
		fmt.Fprintf(w, "      relaxed (our part; --strict-policy counts it): %s\n             %s\n", rx.Step, rx.Error)
	}
	if reason, ok := r.Expected[res.ID]; ok {
		fmt.Fprintf(w, "      expected to fail: %s\n", reason)
	}
}

// ProgressMark is a result's one character in the progress format.
func (r *Report) ProgressMark(res scenario.Result) string {
	return map[Outcome]string{OutcomePassed: ".", OutcomeFailed: "F", OutcomePolicyFailed: "P",
		OutcomeSkipped: "S", OutcomeExpectedFailure: "x", OutcomeUnexpectedPass: "X"}[r.Outcome(res)]
}

// WriteSummary prints the closing summary: per API its counts and rule coverage, the scenarios that
// failed, the totals on a line of their own, and why the run is not conformant.
func (r *Report) WriteSummary(w io.Writer) {
	fmt.Fprintln(w)
	for _, cov := range r.Coverage() {
		c := r.Counts(cov.API)
		fmt.Fprintf(w, "%s: %d passed, %d failed, %d skipped, %d expected failures, %d spec violations; rules verified %d/%d",
			cov.API, c.Passed, c.Failed+c.UnexpectedPasses, c.Skipped, c.ExpectedFailures, c.Violations, len(cov.Verified), len(cov.Listed))
		if missing := difference(cov.Listed, cov.Verified); len(missing) > 0 {
			fmt.Fprintf(w, " (not verified: %s)", strings.Join(missing, ", "))
		}
		fmt.Fprintln(w)
	}
	for _, res := range r.Results {
		switch r.Outcome(res) {
		case OutcomeFailed:
			fmt.Fprintf(w, "%s failed: %s\n", res.ID, res.Name)
		case OutcomePolicyFailed:
			what := "failed a policy rule"
			if res.Status == scenario.Passed {
				what = "failed only our own part of a rule"
			}
			fmt.Fprintf(w, "%s %s (not counted; --strict-policy counts it): %s\n", res.ID, what, res.Name)
		case OutcomeUnexpectedPass:
			fmt.Fprintf(w, "%s passed but is listed as an expected failure: %s\n", res.ID, res.Name)
		}
	}
	c := r.Counts()
	if c.PolicyFailed > 0 {
		fmt.Fprintf(w, "policy: %d failed (not counted; --strict-policy counts them)\n", c.PolicyFailed)
	}
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", c.Passed, c.Failed+c.UnexpectedPasses, c.Skipped)
	for _, why := range r.Verdict() {
		fmt.Fprintf(w, "not conformant: %s\n", why)
	}
}

func difference(all, some []string) []string {
	var out []string
	for _, a := range all {
		if !slices.Contains(some, a) {
			out = append(out, a)
		}
	}
	return out
}
