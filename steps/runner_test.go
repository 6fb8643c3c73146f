package steps_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/provider"
	"github.com/idvkit/idvkit/steps"
)

func runAll(t *testing.T, cfg steps.Config) *steps.Report {
	t.Helper()
	s, err := steps.New(cfg)
	require.NoError(t, err)
	r := &steps.Report{}
	for _, sc := range s.Scenarios() {
		r.Results = append(r.Results, s.Run(context.Background(), sc))
	}
	return r
}

func byID(r *steps.Report) map[string]steps.Result {
	m := map[string]steps.Result{}
	for _, res := range r.Results {
		m[res.ID] = res
	}
	return m
}

// An implementation that breaks RB-11 (a token outlives its session) fails exactly the scenarios
// that check RB-11, naming the step.
func TestSuiteCatchesABrokenRule(t *testing.T) {
	r := runAll(t, steps.Config{API: "rambase", Target: steps.InProcess(mocktest.WithBrokenRules("RB-11"))})
	for id, res := range byID(r) {
		if strings.HasPrefix(id, "RB-11-") && id != "RB-11-b" {
			assert.Equal(t, steps.Failed, res.Status, id)
			assert.Contains(t, res.FailedStep, "the response status is not 200", id)
		} else {
			assert.Equal(t, steps.Passed, res.Status, "%s: %s", id, res.Reason)
		}
	}
	assert.False(t, r.Conformant())
	for _, cov := range r.Coverage() {
		assert.NotContains(t, cov.Verified, "RB-11")
		assert.Contains(t, cov.Verified, "RB-06")
	}
}

// Against a target without a control API, scenarios that need a capability are skipped with the
// reason, and roles come from the principals file; without one, those scenarios are skipped too.
func TestCapabilitiesAndPrincipalsGateScenarios(t *testing.T) {
	m := mocktest.New(t)
	noControl := m.URL + "/no-control-api"

	r := runAll(t, steps.Config{API: "rambase", Target: steps.URL(m.APIURL("rambase"), noControl)})
	res := byID(r)
	assert.Equal(t, steps.Skipped, res["RB-11-b"].Status)
	assert.Equal(t, "target lacks capability clock.advance", res["RB-11-b"].Reason)
	assert.Equal(t, steps.Skipped, res["RB-01-a"].Status)
	assert.Contains(t, res["RB-01-a"].Reason, "no credentials for role rambase.api_client")
	assert.Equal(t, steps.Passed, res["RB-04-a"].Status, "needs no principal")

	principals := map[string]provider.Principal{}
	for _, p := range mockserver.DefaultFixtures().Principals() {
		principals[p.Role] = p
	}
	r = runAll(t, steps.Config{API: "rambase", Target: steps.URL(m.APIURL("rambase"), noControl), Principals: principals})
	res = byID(r)
	assert.Equal(t, steps.Passed, res["RB-06-a"].Status, res["RB-06-a"].Reason)
	assert.Equal(t, steps.Skipped, res["RB-03-a"].Status, "needs the outbox")
	assert.True(t, r.Conformant())
	assert.Positive(t, r.Counts().Skipped)
}

// A response that breaks the spec fails the step that saw it, whatever the step checks.
func TestEveryResponseIsCheckedAgainstTheSpec(t *testing.T) {
	liar := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"detail":"not RamBase's shape"}`))
	})
	srv := newHTTPServer(t, liar)
	r := runAll(t, steps.Config{API: "rambase", Target: steps.URL(srv, srv+"/_mock")})
	res := byID(r)["RB-04-a"]
	assert.Equal(t, steps.Failed, res.Status)
	assert.Contains(t, res.Reason, "breaks the rambase spec (getCurrentSession)")
}

// oneStepSuite is a suite of one scenario with one step, from features held in memory.
func oneStepSuite(t *testing.T, step string) (*steps.Suite, steps.Scenario) {
	t.Helper()
	feature := "Feature: x\n\n  @id:X-1\n  Scenario: y\n    " + step + "\n"
	s, err := steps.New(steps.Config{Features: fstest.MapFS{"rambase/x.feature": {Data: []byte(feature)}}, Target: steps.InProcess()})
	require.NoError(t, err)
	return s, s.Scenarios()[0]
}

// A scenario godog does not select never counts as passed.
func TestAScenarioThatDoesNotRunFails(t *testing.T) {
	s, sc := oneStepSuite(t, "Then the response status is 200")
	sc.Path = "rambase/x.feature:99"
	res := s.Run(context.Background(), sc)
	assert.Equal(t, steps.Failed, res.Status)
	assert.Contains(t, res.Reason, "godog ran no step")
}

func TestUndefinedStepsFailInStrictMode(t *testing.T) {
	s, sc := oneStepSuite(t, "Then something nobody defined")
	res := s.Run(context.Background(), sc)
	assert.Equal(t, steps.Failed, res.Status)
	assert.Contains(t, res.Reason, "step is undefined", "failed by strict mode, not by the ran-no-step guard")
}
