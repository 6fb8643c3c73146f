package scenario

import (
	"strings"
	"time"
)

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
	// (steps/policy.go); the steps passed, and the reports show them in the policy bucket.
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

// Relaxation is a check of our own part of a rule that a run not counting policy forgave.
type Relaxation struct {
	Step  string // the step's text
	Line  int    // in the feature file, when known
	Error string // what the check found, redacted like Result.Reason
}

// Violation reports whether the scenario saw a response that broke the API's spec.
func (res Result) Violation() bool {
	return strings.Contains(res.Reason, "breaks the "+res.API+" spec")
}

// Failure is the step and the error that failed a scenario: its failed step, or for a scenario that
// passed the vendor's part, its first relaxed check of our own.
func (res Result) Failure() (step, reason string) {
	if res.Status == Passed && len(res.Relaxed) > 0 {
		return res.Relaxed[0].Step, res.Relaxed[0].Error
	}
	return res.FailedStep, res.Reason
}
