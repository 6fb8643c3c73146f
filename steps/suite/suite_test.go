package suite_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/otp"
	"github.com/idvkit/idvkit/steps"
	"github.com/idvkit/idvkit/steps/report"
	"github.com/idvkit/idvkit/steps/scenario"
	"github.com/idvkit/idvkit/steps/suite"
	"github.com/idvkit/idvkit/steps/target"
)

// asTarget is the option of a mock the conformance suite runs against: the suite sends requests
// that break the contract on purpose (bad input, a missing token), which its test allows.
var asTarget = mocktest.AllowViolations("*")

func runAll(t *testing.T, cfg suite.Config) *report.Report {
	t.Helper()
	s, err := suite.New(cfg)
	require.NoError(t, err)
	r := suite.NewReport(cfg)
	for _, sc := range s.Scenarios() {
		r.Results = append(r.Results, s.Run(context.Background(), sc))
	}
	return r
}

func byID(r *report.Report) map[string]scenario.Result {
	m := map[string]scenario.Result{}
	for _, res := range r.Results {
		m[res.ID] = res
	}
	return m
}

func suiteOf(t *testing.T, feature string) *suite.Suite {
	t.Helper()
	s, err := suite.New(suite.Config{Features: fstest.MapFS{"rambase/x.feature": {Data: []byte(feature)}}, Target: target.InProcess()})
	require.NoError(t, err)
	return s
}

func oneStep(t *testing.T, step string) (*suite.Suite, scenario.Scenario) {
	s := suiteOf(t, "Feature: x\n\n  @id:X-1\n  Scenario: y\n    "+step+"\n")
	return s, s.Scenarios()[0]
}

func TestSuiteCatchesABrokenRule(t *testing.T) {
	r := runAll(t, suite.Config{API: "rambase", Target: target.InProcess(mocktest.WithBrokenRules("RB-11"))})
	for id, res := range byID(r) {
		if strings.HasPrefix(id, "RB-11-") {
			assert.Equal(t, scenario.Failed, res.Status, id)
			assert.Equal(t, "the response status is 4xx", res.FailedStep, id)
			assert.Contains(t, res.Reason, "expected a 4xx status, got 200", id)
		} else {
			assert.Equal(t, scenario.Passed, res.Status, "%s: %s", id, res.Reason)
		}
	}
	assert.False(t, r.Conformant())
	for _, cov := range r.Coverage() {
		assert.NotContains(t, cov.Verified, "RB-11")
		assert.Contains(t, cov.Verified, "RB-06")
	}
}

func TestCapabilitiesAndPrincipalsGateScenarios(t *testing.T) {
	m := mocktest.New(t, asTarget)
	r := runAll(t, suite.Config{API: "rambase", Target: target.URL(m.APIURL("rambase"), target.WithoutControl())})
	res := byID(r)
	assert.Equal(t, scenario.Skipped, res["RB-11-b"].Status)
	assert.Equal(t, "target lacks capability clock.advance", res["RB-11-b"].Reason)
	assert.Equal(t, scenario.Skipped, res["RB-01-a"].Status)
	assert.Contains(t, res["RB-01-a"].Reason, "no credentials for role rambase.api_client")

	principals := principalsOf(t, m)
	r = runAll(t, suite.Config{API: "rambase", Target: target.URL(m.APIURL("rambase"), target.WithoutControl()), Principals: principals})
	res = byID(r)
	assert.Equal(t, scenario.Passed, res["RB-06-a"].Status, res["RB-06-a"].Reason)
	assert.Equal(t, scenario.Passed, res["RB-07-a"].Status, "attributes come from the file: %s", res["RB-07-a"].Reason)
	assert.Equal(t, scenario.Skipped, res["RB-03-a"].Status, "needs the outbox")
	assert.True(t, r.Conformant())
	assert.Positive(t, r.Counts().Skipped)
}

func TestControlTokenIsSent(t *testing.T) {
	m := mocktest.New(t, asTarget, mocktest.WithControlToken("s3cret-control"))
	r := runAll(t, suite.Config{API: "rambase", Target: target.URL(m.APIURL("rambase"), target.WithControl("", "s3cret-control"))})
	assert.Equal(t, scenario.Passed, byID(r)["RB-11-b"].Status, byID(r)["RB-11-b"].Reason)
	r = runAll(t, suite.Config{API: "rambase", Target: target.URL(m.APIURL("rambase"), target.WithControl("", "wrong"))})
	assert.Equal(t, scenario.Skipped, byID(r)["RB-11-b"].Status)
}

func TestAScenarioThatDoesNotRunFails(t *testing.T) {
	s, sc := oneStep(t, "Then the response status is 200")
	sc.Path = "rambase/x.feature:99"
	res := s.Run(context.Background(), sc)
	assert.Equal(t, scenario.Failed, res.Status)
	assert.Contains(t, res.Reason, "godog ran 0 scenarios")
}

func TestUndefinedStepsFailInStrictMode(t *testing.T) {
	s, sc := oneStep(t, "Then something nobody defined")
	res := s.Run(context.Background(), sc)
	assert.Equal(t, scenario.Failed, res.Status)
	assert.Contains(t, res.Reason, "step is undefined", "failed by strict mode, not by the ran-no-step guard")
}

func TestOutlineRowsRunOnceEachWithTheirOwnIDs(t *testing.T) {
	s := suiteOf(t, `Feature: x

  @id:X-2
  Scenario Outline: rows
    When a client sends "GET /no-such-<n>"
    Then the response status is <status>

    Examples:
      | id     | n | status |
      | passes | 1 | 404    |
      | fails  | 2 | 200    |

  @id:X-3
  Scenario Outline: numbered
    When a client sends "GET /no-such-<n>"
    Then the response status is 404

    Examples:
      | n |
      | 1 |
      | 2 |
`)
	var ids []string
	results := map[string]scenario.Result{}
	for _, sc := range s.Scenarios() {
		ids = append(ids, sc.ID)
		results[sc.ID] = s.Run(context.Background(), sc)
	}
	assert.Equal(t, []string{"X-2/passes", "X-2/fails", "X-3/1", "X-3/2"}, ids)
	assert.Equal(t, scenario.Passed, results["X-2/passes"].Status, "the failing row did not run with it: %s", results["X-2/passes"].Reason)
	assert.Equal(t, scenario.Failed, results["X-2/fails"].Status)
	assert.Contains(t, results["X-2/fails"].Reason, "expected status 200, got 404")
	assert.Equal(t, scenario.Passed, results["X-3/2"].Status, results["X-3/2"].Reason)
}

func TestRunTReportsPolicyFailuresAgainstAURLWithoutFailing(t *testing.T) {
	m := mocktest.New(t, asTarget)
	feature := "Feature: x\n\n  @id:X-7 @policy\n  Scenario: a policy the target breaks\n" +
		"    When a client sends \"GET /no-such\"\n    Then the response status is 200\n\n" +
		"  @id:X-10\n  Scenario: a status of ours the target does not use\n" +
		"    When a client sends \"GET /no-such\"\n    Then the response status is 400 (policy: any 4xx)\n"
	cfg := suite.Config{Features: fstest.MapFS{"rambase/x.feature": {Data: []byte(feature)}},
		Target: target.URL(m.APIURL("rambase"))}
	r := suite.RunT(t, suite.Plan{Config: cfg})
	require.Len(t, r.Results, 2)
	assert.Equal(t, scenario.Failed, r.Results[0].Status)
	assert.Equal(t, scenario.Passed, r.Results[1].Status)
	assert.Equal(t, report.OutcomePolicyFailed, r.Outcome(r.Results[1]))
	assert.True(t, r.Conformant())
}

func TestPolicyCountsOnlyInProcessOrWhenStrict(t *testing.T) {
	failed := scenario.Result{Scenario: scenario.Scenario{Policy: true}, Status: scenario.Failed}
	url := target.URL("http://127.0.0.1:1")
	assert.False(t, suite.NewReport(suite.Config{Target: url}).Counted(failed))
	assert.True(t, suite.NewReport(suite.Config{Target: url, StrictPolicy: true}).Counted(failed))
	assert.True(t, suite.NewReport(suite.Config{Target: target.InProcess()}).Counted(failed))
	failed.Policy = false
	assert.True(t, suite.NewReport(suite.Config{Target: url}).Counted(failed))
}

func TestDeclaredCapabilitiesAndTestData(t *testing.T) {
	m := mocktest.New(t, asTarget, mocktest.WithCodes(otp.Sequence("424242")))
	principals := principalsOf(t, m)
	run := func(caps []string, data map[string]string) scenario.Result {
		r := runAll(t, suite.Config{API: "rambase", Target: target.URL(m.APIURL("rambase"), target.WithoutControl()),
			Principals: principals, Capabilities: caps, TestData: data})
		return byID(r)["RB-03-a"]
	}
	assert.Equal(t, scenario.Skipped, run(nil, nil).Status, "no outbox, nothing declared")
	res := run([]string{"outbox"}, map[string]string{"otp": "424242"})
	assert.Equal(t, scenario.Passed, res.Status, res.Reason)
	res = run([]string{"outbox"}, map[string]string{"otp": "000000"})
	assert.Equal(t, scenario.Failed, res.Status, "a wrong fixed code is refused by the target")
}

func TestReportsListTheAPIsInRegistryOrder(t *testing.T) {
	assert.Equal(t, mocktest.APIs(), suite.NewReport(suite.Config{Target: target.InProcess()}).APIs)
	assert.Equal(t, mocktest.APIs(), suite.Plan{Config: suite.Config{Target: target.InProcess()}}.NewReport().APIs)
}

func TestAScenarioThatNeverRanListsItsSteps(t *testing.T) {
	s := suiteOf(t, "Feature: x\n\n  @id:X-9\n  Scenario: y\n    When a client sends \"GET /\"\n    Then the response status is 200\n")
	sc := s.Scenarios()[0]
	res := s.Run(context.Background(), sc)
	require.Len(t, res.Steps, 2)

	sc.Path = "rambase/x.feature:99" // godog selects nothing
	res = s.Run(context.Background(), sc)
	assert.Equal(t, scenario.Failed, res.Status)
	assert.Equal(t, "rambase/x.feature", res.Source.File)
	assert.Equal(t, 99, res.Source.Line)
	assert.Empty(t, res.Steps, "not a scenario of the suite: nothing known of its steps")
}

func TestRunMeasuresTheScenario(t *testing.T) {
	s, sc := oneStep(t, "When a client sends \"GET /no-such\"")
	before := time.Now()
	res := s.Run(context.Background(), sc)
	assert.WithinDuration(t, before, res.Start, time.Second)
	assert.Positive(t, res.Duration)
	assert.LessOrEqual(t, res.Duration, time.Since(before))
}

// principalsOf is the mock's fixture principals by role, as a principals file gives them: read
// through their JSON, the control API's Principal, as the suite reads a target's.
func principalsOf(t *testing.T, m *mocktest.Server) map[string]steps.Principal {
	t.Helper()
	raw, err := json.Marshal(m.Principals())
	require.NoError(t, err)
	var list []steps.Principal
	require.NoError(t, json.Unmarshal(raw, &list))
	out := map[string]steps.Principal{}
	for _, p := range list {
		out[p.Role] = p
	}
	return out
}
