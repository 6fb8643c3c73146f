package steps

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/openapi"
)

// Report collects results and gives the verdict.
type Report struct {
	Results []Result
	// PolicyCounts makes failures of @policy scenarios (our own rules where the vendor is silent)
	// fail the run. They always count in-process; against other targets only with --strict-policy.
	PolicyCounts bool
}

// Counts of a report.
type Counts struct {
	Passed, Failed, PolicyFailed, Skipped int
}

// Counts tallies the results; a failed @policy scenario counts as PolicyFailed unless policy counts.
func (r *Report) Counts() Counts {
	var c Counts
	for _, res := range r.Results {
		switch {
		case res.Status == Passed:
			c.Passed++
		case res.Status == Skipped:
			c.Skipped++
		case r.Counted(res):
			c.Failed++
		default:
			c.PolicyFailed++
		}
	}
	return c
}

// Counted reports whether a result fails the run: a failure, unless it is of a @policy scenario and
// policy does not count.
func (r *Report) Counted(res Result) bool {
	return res.Status == Failed && (!res.Policy || r.PolicyCounts)
}

// Conformant reports whether the target passed: nothing failed that counts.
func (r *Report) Conformant() bool { return r.Counts().Failed == 0 }

// RuleCoverage is, for one API, how many of its listed rules the run verified: a rule is verified when
// at least one of its scenarios passed and none failed.
type RuleCoverage struct {
	API      string
	Verified []string
	Listed   []string
}

// Coverage returns rule coverage for every API the results touch, in registry order.
func (r *Report) Coverage() []RuleCoverage {
	var out []RuleCoverage
	for _, api := range mockserver.Registered() {
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
				switch res.Status {
				case Passed:
					passed[rule] = true
				case Failed:
					failed[rule] = true
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
func WriteLine(w io.Writer, res Result) {
	mark := map[Status]string{Passed: "PASS", Failed: "FAIL", Skipped: "SKIP"}[res.Status]
	if res.Status == Failed && res.Policy {
		mark = "FAIL (policy)"
	}
	fmt.Fprintf(w, "%-4s  %-10s %s\n", mark, res.ID, res.Name)
	switch res.Status {
	case Skipped:
		fmt.Fprintf(w, "      skipped: %s\n", res.Reason)
	case Failed:
		if res.FailedStep != "" {
			fmt.Fprintf(w, "      step:  %s\n", res.FailedStep)
		}
		fmt.Fprintf(w, "      error: %s\n", res.Reason)
	}
}

// WriteSummary prints the closing summary: rule coverage per API, failures named, and the counts on a
// line of their own.
func (r *Report) WriteSummary(w io.Writer) {
	fmt.Fprintln(w)
	for _, cov := range r.Coverage() {
		fmt.Fprintf(w, "%s: rules verified %d/%d", cov.API, len(cov.Verified), len(cov.Listed))
		if missing := difference(cov.Listed, cov.Verified); len(missing) > 0 {
			fmt.Fprintf(w, " (not verified: %s)", strings.Join(missing, ", "))
		}
		fmt.Fprintln(w)
	}
	for _, res := range r.Results {
		if res.Status == Failed {
			kind := "failed"
			if !r.Counted(res) {
				kind = "failed a policy rule (not counted; --strict-policy counts it)"
			}
			fmt.Fprintf(w, "%s %s: %s\n", res.ID, kind, res.Name)
		}
	}
	c := r.Counts()
	if c.PolicyFailed > 0 {
		fmt.Fprintf(w, "policy: %d failed\n", c.PolicyFailed)
	}
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", c.Passed, c.Failed, c.Skipped)
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
