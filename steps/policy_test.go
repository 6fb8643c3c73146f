package steps_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/steps/report"
	"github.com/idvkit/idvkit/steps/scenario"
	"github.com/idvkit/idvkit/steps/suite"
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
func runOne(t *testing.T, base, tags, body string, strict bool) (*report.Report, scenario.Result) {
	t.Helper()
	feature := "Feature: x\n\n  @id:X-9 " + tags + "\n  Scenario: y\n    " + body + "\n"
	cfg := suite.Config{Features: fstest.MapFS{"rambase/x.feature": {Data: []byte(feature)}}, Target: shared{target.URL(base)},
		StrictPolicy: strict}
	s, err := suite.New(cfg)
	require.NoError(t, err)
	r := suite.NewReport(cfg)
	res := s.Run(context.Background(), s.Scenarios()[0])
	r.Results = append(r.Results, res)
	return r, res
}

// A status step whose exact code is ours checks the class in every run and the code where policy
// counts: another status of the class is relaxed, a success or a 5xx fails; a detail or a header of
// ours (policy) is relaxed too, unless the response was a 5xx.
func TestOurPartIsRelaxedAndTheVendorsIsNot(t *testing.T) {
	base := statusServer(t)
	cases := []struct {
		got, step string
		strict    bool
		outcome   report.Outcome
	}{
		{"403", `the response status is 403 (policy: any 4xx)`, false, report.OutcomePassed},
		{"401", `the response status is 403 (policy: any 4xx)`, false, report.OutcomePolicyFailed},
		{"401", `the response status is 403 (policy: any 4xx)`, true, report.OutcomeFailed},
		{"200", `the response status is 403 (policy: any 4xx)`, false, report.OutcomeFailed},
		{"204", `the response status is 403 (policy: any 4xx)`, false, report.OutcomeFailed},
		{"302", `the response status is 403 (policy: any 4xx)`, false, report.OutcomeFailed},
		{"500", `the response status is 403 (policy: any 4xx)`, false, report.OutcomeFailed},
		{"503", `the response status is 403 (policy: any 4xx)`, false, report.OutcomeFailed},
		{"200", `the response status is 200 (policy: any 4xx)`, false, report.OutcomePassed},
		{"401", `the response status is 200 (policy: any 4xx)`, false, report.OutcomePolicyFailed},
		{"201", `the response status is 200 (policy: any 4xx)`, false, report.OutcomeFailed},
		{"401", `the response field "detail" is "answered 401" (policy)`, false, report.OutcomePassed},
		{"401", `the response field "detail" is "answered 403" (policy)`, false, report.OutcomePolicyFailed},
		{"401", `the response field "detail" is "answered 403" (policy)`, true, report.OutcomeFailed},
		{"500", `the response field "detail" is "answered 403" (policy)`, false, report.OutcomeFailed},
		{"200", `the response header "Content-Type" is "application/json" (policy)`, false, report.OutcomePassed},
		{"200", `the response header "Content-Type" is "application/xml" (policy)`, false, report.OutcomePolicyFailed},
		{"200", `the response header "Content-Type" is "application/xml" (policy)`, true, report.OutcomeFailed},
		{"500", `the response header "Content-Type" is "application/xml" (policy)`, false, report.OutcomeFailed},
	}
	for _, c := range cases {
		r, res := runOne(t, base, "", `When a client sends "GET /status/`+c.got+`"
    Then `+c.step+`
    And the value "after" is saved as "reached"`, c.strict)
		assert.Equal(t, c.outcome, r.Outcome(res), "%s, got %s, strict %v: %s", c.step, c.got, c.strict, res.Reason)
		if c.outcome == report.OutcomePolicyFailed {
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
	assert.Equal(t, report.OutcomePolicyFailed, r.Outcome(res), res.Reason)
	assert.Empty(t, res.ServerError)

	r, res = runOne(t, base, "@policy", `When a client sends "GET /status/500"
    Then the response status is 200`, false)
	assert.Equal(t, report.OutcomeFailed, r.Outcome(res), res.Reason)
	assert.Equal(t, "GET /status/500 answered 500", res.ServerError)
	var out bytes.Buffer
	r.WriteLine(&out, res)
	assert.Contains(t, out.String(), "counted although @policy: GET /status/500 answered 500, and a 5xx is never our policy")

	// A 5xx earlier in the scenario counts too, whatever step then failed.
	r, res = runOne(t, base, "@policy", `When a client sends "GET /status/502"
    And a client sends "GET /status/404"
    Then the response status is 200`, false)
	assert.Equal(t, report.OutcomeFailed, r.Outcome(res), res.Reason)
}
