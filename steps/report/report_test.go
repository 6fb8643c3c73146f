package report_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/idvkit/idvkit/steps/report"
	"github.com/idvkit/idvkit/steps/scenario"
)

// Rule coverage and the summary list the APIs in the order the report's APIs give (the runner's:
// the registry's), whatever order the results came in; without one, in the order the results first
// name them.
func TestCoverageFollowsTheAPIsOrder(t *testing.T) {
	results := []scenario.Result{
		{Scenario: scenario.Scenario{ID: "EE-01-a", API: "eeid", Rules: []string{"EE-01"}}, Status: scenario.Passed},
		{Scenario: scenario.Scenario{ID: "RB-06-a", API: "rambase", Rules: []string{"RB-06"}}, Status: scenario.Passed},
	}
	apisOf := func(r *report.Report) []string {
		var apis []string
		for _, cov := range r.Coverage() {
			apis = append(apis, cov.API)
		}
		return apis
	}
	ordered := &report.Report{Results: results, APIs: []string{"rambase", "randaverify", "eeid"}}
	assert.Equal(t, []string{"rambase", "eeid"}, apisOf(ordered), "only the APIs the results touch")
	assert.Contains(t, ordered.Coverage()[0].Verified, "RB-06")
	var out bytes.Buffer
	ordered.WriteSummary(&out)
	assert.Regexp(t, `(?s)^\nrambase: .*\neeid: `, out.String())

	assert.Equal(t, []string{"eeid", "rambase"}, apisOf(&report.Report{Results: results}))
}
