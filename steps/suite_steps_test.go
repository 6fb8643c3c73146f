package steps_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/steps/scenario"
)

// A scenario that fails before godog runs it still lists its steps, skipped.
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

// A step's error is redacted like the scenario's reason: no credential appears whole.
func TestStepErrorsNeverPrintSecrets(t *testing.T) {
	s := suiteOf(t, `Feature: x

  @id:X-10
  Scenario: a token in an unexpected 200
    Given "anna" has the role "rambase.internal_user"
    When "anna" logs in to RamBase with a password
    And the response field "access_token" is saved as "token"
    Then the response field "access_token" is "${anna.password}"
`)
	res := s.Run(context.Background(), s.Scenarios()[0])
	require.Equal(t, scenario.Failed, res.Status)
	failed := res.Steps[3]
	require.Equal(t, scenario.Failed, failed.Status)
	assert.Contains(t, failed.Error, "[redacted]")
	assert.NotRegexp(t, wholeSecret, failed.Error)
	assert.Equal(t, res.Reason, failed.Error)
}

// Durations are measured: a scenario's is its whole run's, set on the result it returns.
func TestRunMeasuresTheScenario(t *testing.T) {
	s, sc := oneStep(t, "When a client sends \"GET /no-such\"")
	before := time.Now()
	res := s.Run(context.Background(), sc)
	assert.WithinDuration(t, before, res.Start, time.Second)
	assert.Positive(t, res.Duration)
	assert.LessOrEqual(t, res.Duration, time.Since(before))
}
