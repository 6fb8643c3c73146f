package steps_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/steps"
	"github.com/idvkit/idvkit/steps/scenario"
	"github.com/idvkit/idvkit/steps/target"
)

// statusServer answers GET /status/<code> with that status and a small JSON body.
func statusServer(t *testing.T) string {
	return newHTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		if err != nil {
			code = http.StatusNotFound
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]any{"detail": "answered " + strconv.Itoa(code)})
	}))
}

// shared is a target that is not isolated, as a URL or a container is, over any other.
type shared struct{ target.Target }

func (shared) Isolated() bool { return false }

// runOne runs a one-scenario feature (its tags given) against base, strict or not.
func runOne(t *testing.T, base, tags, body string, strict bool) (*steps.Report, scenario.Result) {
	t.Helper()
	feature := "Feature: x\n\n  @id:X-9 " + tags + "\n  Scenario: y\n    " + body + "\n"
	cfg := steps.Config{Features: fstest.MapFS{"rambase/x.feature": {Data: []byte(feature)}}, Target: shared{target.URL(base)},
		StrictPolicy: strict}
	s, err := steps.New(cfg)
	require.NoError(t, err)
	r := steps.NewReport(cfg)
	res := s.Run(context.Background(), s.Scenarios()[0])
	r.Results = append(r.Results, res)
	return r, res
}

// A status step whose exact code is ours checks the class in every run and the code where policy
// counts: another status of the class is relaxed, a success or a 5xx fails; a detail of ours
// (policy) is relaxed too, unless the response was a 5xx.
func TestOurPartIsRelaxedAndTheVendorsIsNot(t *testing.T) {
	base := statusServer(t)
	cases := []struct {
		got, step string
		strict    bool
		outcome   steps.Outcome
	}{
		{"403", `the response status is 403 (policy: any 4xx)`, false, steps.OutcomePassed},
		{"401", `the response status is 403 (policy: any 4xx)`, false, steps.OutcomePolicyFailed},
		{"401", `the response status is 403 (policy: any 4xx)`, true, steps.OutcomeFailed},
		{"200", `the response status is 403 (policy: any 4xx)`, false, steps.OutcomeFailed},
		{"204", `the response status is 403 (policy: any 4xx)`, false, steps.OutcomeFailed},
		{"302", `the response status is 403 (policy: any 4xx)`, false, steps.OutcomeFailed},
		{"500", `the response status is 403 (policy: any 4xx)`, false, steps.OutcomeFailed},
		{"503", `the response status is 403 (policy: any 4xx)`, false, steps.OutcomeFailed},
		{"200", `the response status is 200 (policy: any 4xx)`, false, steps.OutcomePassed},
		{"401", `the response status is 200 (policy: any 4xx)`, false, steps.OutcomePolicyFailed},
		{"201", `the response status is 200 (policy: any 4xx)`, false, steps.OutcomeFailed},
		{"401", `the response field "detail" is "answered 401" (policy)`, false, steps.OutcomePassed},
		{"401", `the response field "detail" is "answered 403" (policy)`, false, steps.OutcomePolicyFailed},
		{"401", `the response field "detail" is "answered 403" (policy)`, true, steps.OutcomeFailed},
		{"500", `the response field "detail" is "answered 403" (policy)`, false, steps.OutcomeFailed},
	}
	for _, c := range cases {
		r, res := runOne(t, base, "", `When a client sends "GET /status/`+c.got+`"
    Then `+c.step+`
    And the value "after" is saved as "reached"`, c.strict)
		assert.Equal(t, c.outcome, r.Outcome(res), "%s, got %s, strict %v: %s", c.step, c.got, c.strict, res.Reason)
		if c.outcome == steps.OutcomePolicyFailed {
			require.Len(t, res.Relaxed, 1)
			assert.Equal(t, c.step, res.Relaxed[0].Step)
			assert.Equal(t, scenario.Passed, res.Steps[2].Status, "the scenario went on to the vendor's part")
		}
	}
}

// A failed @policy scenario is forgiven where policy does not count, unless the target answered a
// 5xx: a 5xx is never our policy.
func TestAServerErrorFailsAPolicyScenarioInEveryRun(t *testing.T) {
	base := statusServer(t)
	r, res := runOne(t, base, "@policy", `When a client sends "GET /status/404"
    Then the response status is 200`, false)
	assert.Equal(t, steps.OutcomePolicyFailed, r.Outcome(res), res.Reason)
	assert.Empty(t, res.ServerError)

	r, res = runOne(t, base, "@policy", `When a client sends "GET /status/500"
    Then the response status is 200`, false)
	assert.Equal(t, steps.OutcomeFailed, r.Outcome(res), res.Reason)
	assert.Equal(t, "GET /status/500 answered 500", res.ServerError)
	var out bytes.Buffer
	r.WriteLine(&out, res)
	assert.Contains(t, out.String(), "counted although @policy: GET /status/500 answered 500, and a 5xx is never our policy")

	// A 5xx earlier in the scenario counts too, whatever step then failed.
	r, res = runOne(t, base, "@policy", `When a client sends "GET /status/502"
    And a client sends "GET /status/404"
    Then the response status is 200`, false)
	assert.Equal(t, steps.OutcomeFailed, r.Outcome(res), res.Reason)
}

// The reports show a relaxed check where the reader looks for what failed: JUnit skips the scenario
// with the policy message naming the step and lists the step as "relaxed"; Cucumber marks the step
// failed, its message saying it is not counted, and the steps after it ran.
func TestReportsShowWhatWasRelaxed(t *testing.T) {
	r, res := runOne(t, statusServer(t), "", `When a client sends "GET /status/401"
    Then the response status is 403 (policy: any 4xx)
    And the response field "detail" is "answered 401"`, false)
	require.Equal(t, steps.OutcomePolicyFailed, r.Outcome(res), res.Reason)

	var junit bytes.Buffer
	require.NoError(t, steps.WriteJUnit(&junit, r))
	var doc junitDoc
	require.NoError(t, xml.Unmarshal(junit.Bytes(), &doc))
	tc := doc.Suites[0].Cases[0]
	assert.Nil(t, tc.Failure)
	require.NotNil(t, tc.Skipped)
	assert.True(t, strings.HasPrefix(tc.Skipped.Message, "policy rule failed (not counted against this target; --strict-policy counts it): "+
		"at step Then the response status is 403 (policy: any 4xx) (line 6): expected status 403, got 401"), tc.Skipped.Message)
	assert.Regexp(t, `(?m)^relaxed +\S+ +Then the response status is 403 \(policy: any 4xx\) \(line 6\)\n +expected status 403, got 401`, tc.SystemOut)
	assert.Regexp(t, `(?m)^passed +\S+ +And the response field "detail" is "answered 401" \(line 7\)$`, tc.SystemOut)

	var cuke bytes.Buffer
	require.NoError(t, steps.WriteCucumber(&cuke, r))
	require.NoError(t, validateCucumber(t, cuke.Bytes()), cuke.String())
	var cdoc cukeDoc
	require.NoError(t, json.Unmarshal(cuke.Bytes(), &cdoc))
	st := cdoc[0].Elements[0].Steps
	assert.Equal(t, "failed", st[1].Result.Status)
	assert.Regexp(t, `^policy rule failed \(not counted against this target; --strict-policy counts it\): expected status 403, got 401`, st[1].Result.ErrorMessage)
	assert.Equal(t, "passed", st[2].Result.Status)

	assert.NoError(t, validateJUnit(t, junit.Bytes()))
}
