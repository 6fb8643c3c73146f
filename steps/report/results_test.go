package report_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/steps/report"
	"github.com/idvkit/idvkit/steps/scenario"
	"github.com/idvkit/idvkit/steps/suite"
	"github.com/idvkit/idvkit/steps/target"
)

// reportsFeature has a scenario of every kind a report must show: passed, failed (then skipped
// steps), gated by a capability, skipped by a step, a failed @policy rule, an outline's rows, an
// undefined step, doc string and data table arguments, all after a Background.
const reportsFeature = `@reports
Feature: Reports
  What the reports say.

  Background:
    Given the value "x" is saved as "bg"

  @id:R-1
  Scenario: passes
    When a client sends "GET /no-such"
    Then the response status is 404

  @id:R-2
  Scenario: fails, then skips
    When a client sends "GET /no-such"
    Then the response status is 200
    But the response status is 404

  @id:R-3 @needs:clock.advance
  Scenario: gated by a capability
    When a client sends "GET /no-such"
    And 10 seconds pass

  @id:R-4
  Scenario: skipped by a step
    Given "anna" has the role "rambase.internal_user"
    When "anna" sends "GET /system/sessions/current"

  @id:R-5 @policy
  Scenario: a policy the target breaks
    When a client sends "GET /no-such"
    Then the response status is 200

  @id:R-6
  Scenario Outline: rows <n>
    When a client sends "GET /no-such-<n>"
    Then the response status is <status>

    Examples:
      | id     | n | status |
      | passes | 1 | 404    |
      | fails  | 2 | 200    |

  @id:R-7
  Scenario: undefined
    Then something nobody defined
    And the response status is 200

  @id:R-8
  Scenario: arguments
    When a client sends "POST /no-such" with the form:
      | grant_type | client_credentials |
    And a client sends "POST /no-such" with a "application/json" body:
      """json
      {"a": 1}
      """
    Then the response status is 404
`

// noControl is the in-process mock as a target without a control API: no capabilities, no
// users.create.
type noControl struct{ target.Target }

func (t noControl) Open(ctx context.Context, api string) (*target.Endpoint, error) {
	ep, err := t.Target.Open(ctx, api)
	if err == nil {
		ep.ControlURL = ep.BaseURL + "/no-control-api"
	}
	return ep, err
}

// reportsRun runs reportsFeature and returns its report, whose failed @policy scenario does not count.
func reportsRun(t *testing.T) *report.Report {
	t.Helper()
	s, err := suite.New(suite.Config{Features: fstest.MapFS{"rambase/reports.feature": {Data: []byte(reportsFeature)}},
		Target: noControl{target.InProcess()}})
	require.NoError(t, err)
	r := &report.Report{}
	for _, sc := range s.Scenarios() {
		r.Results = append(r.Results, s.Run(context.Background(), sc))
	}
	return r
}

func resultsByID(r *report.Report) map[string]scenario.Result {
	m := map[string]scenario.Result{}
	for _, res := range r.Results {
		m[res.ID] = res
	}
	return m
}

type stepView struct {
	Keyword, Text string
	Line          int
	Status        scenario.Status
}

func view(res scenario.Result) []stepView {
	var out []stepView
	for _, st := range res.Steps {
		out = append(out, stepView{st.Keyword, st.Text, st.Line, st.Status})
	}
	return out
}

const bgStep = `the value "x" is saved as "bg"`

// Each result lists its steps as they ran, Background first, with the keyword and line the feature
// gives them; a step after a failed or skipping one, and every step of a scenario that never reached
// godog, is skipped.
func TestResultsListEveryStepAsItRan(t *testing.T) {
	res := resultsByID(reportsRun(t))
	require.Len(t, res, 9)

	assert.Equal(t, []stepView{
		{"Given", bgStep, 6, scenario.Passed},
		{"When", `a client sends "GET /no-such"`, 10, scenario.Passed},
		{"Then", "the response status is 404", 11, scenario.Passed},
	}, view(res["R-1"]))
	assert.Equal(t, scenario.Source{File: "rambase/reports.feature", Line: 9, Keyword: "Scenario",
		Feature: scenario.FeatureSource{Keyword: "Feature", Line: 2, Description: "  What the reports say.",
			Tags: []scenario.Tag{{Name: "@reports", Line: 1, Column: 1}}}}, res["R-1"].Source)
	assert.Equal(t, []string{"@reports", "@id:R-1"}, res["R-1"].Tags)

	assert.Equal(t, []stepView{
		{"Given", bgStep, 6, scenario.Passed},
		{"When", `a client sends "GET /no-such"`, 15, scenario.Passed},
		{"Then", "the response status is 200", 16, scenario.Failed},
		{"But", "the response status is 404", 17, scenario.Skipped},
	}, view(res["R-2"]))
	assert.Equal(t, res["R-2"].Reason, res["R-2"].Steps[2].Error)
	assert.Contains(t, res["R-2"].Steps[2].Error, "expected status 200, got 404")
	assert.Empty(t, res["R-2"].Steps[3].Error)
	assert.Zero(t, res["R-2"].Steps[3].Duration, "never ran")

	// Gated by our own code, before godog: every step from the feature, skipped, none with an error.
	assert.Equal(t, scenario.Skipped, res["R-3"].Status)
	assert.Equal(t, "target lacks capability clock.advance", res["R-3"].Reason)
	assert.Equal(t, []stepView{
		{"Given", bgStep, 6, scenario.Skipped},
		{"When", `a client sends "GET /no-such"`, 21, scenario.Skipped},
		{"And", "10 seconds pass", 22, scenario.Skipped},
	}, view(res["R-3"]))
	for _, st := range res["R-3"].Steps {
		assert.Zero(t, st.Duration)
		assert.Empty(t, st.Error)
	}

	// Skipped by a step: that step carries the reason.
	assert.Equal(t, scenario.Skipped, res["R-4"].Status)
	assert.Equal(t, []stepView{
		{"Given", bgStep, 6, scenario.Passed},
		{"Given", `"anna" has the role "rambase.internal_user"`, 26, scenario.Skipped},
		{"When", `"anna" sends "GET /system/sessions/current"`, 27, scenario.Skipped},
	}, view(res["R-4"]))
	assert.Equal(t, res["R-4"].Reason, res["R-4"].Steps[1].Error)
	assert.Contains(t, res["R-4"].Steps[1].Error, "no credentials for role rambase.internal_user")

	// An outline's rows: the row's line, its values in the text, the outline's step lines.
	for id, want := range map[string]struct {
		line           int
		name, path, st string
		status         scenario.Status
	}{
		"R-6/passes": {41, "rows 1", "GET /no-such-1", "404", scenario.Passed},
		"R-6/fails":  {42, "rows 2", "GET /no-such-2", "200", scenario.Failed},
	} {
		r := res[id]
		assert.Equal(t, want.line, r.Source.Line, id)
		assert.Equal(t, "Scenario Outline", r.Source.Keyword, id)
		assert.Equal(t, want.name, r.Name, id)
		assert.Equal(t, []stepView{
			{"Given", bgStep, 6, scenario.Passed},
			{"When", `a client sends "` + want.path + `"`, 36, scenario.Passed},
			{"Then", "the response status is " + want.st, 37, want.status},
		}, view(r), id)
	}

	assert.Equal(t, []stepView{
		{"Given", bgStep, 6, scenario.Passed},
		{"Then", "something nobody defined", 46, scenario.Undefined},
		{"And", "the response status is 200", 47, scenario.Skipped},
	}, view(res["R-7"]))
	assert.Contains(t, res["R-7"].Steps[1].Error, "step is undefined")

	args := res["R-8"].Steps
	require.Len(t, args, 4)
	assert.Equal(t, [][]string{{"grant_type", "client_credentials"}}, args[1].Table)
	assert.Equal(t, &scenario.DocString{Content: `{"a": 1}`, MediaType: "json", Line: 54}, args[2].DocString)
	assert.Equal(t, scenario.Passed, res["R-8"].Status, res["R-8"].Reason)

	for _, r := range res {
		assert.False(t, r.Start.IsZero(), r.ID)
		assert.Positive(t, r.Duration, r.ID)
		for _, st := range r.Steps {
			if st.Status != scenario.Skipped {
				assert.Positive(t, st.Duration, "%s: %s", r.ID, st.Text)
				assert.Less(t, st.Duration, r.Duration, "%s: %s", r.ID, st.Text)
			}
		}
	}
}
