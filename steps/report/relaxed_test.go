package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
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

// relaxedRun runs, against a target that answers 401 where our policy chose 403, a scenario whose
// exact status is relaxed where policy does not count, and returns its non-strict report.
func relaxedRun(t *testing.T) (*report.Report, scenario.Result) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"detail":"answered 401"}`))
	}))
	t.Cleanup(srv.Close)
	feature := `Feature: x

  @id:X-9
  Scenario: y
    When a client sends "GET /status/401"
    Then the response status is 403 (policy: any 4xx)
    And the response field "detail" is "answered 401"
`
	cfg := suite.Config{Features: fstest.MapFS{"rambase/x.feature": {Data: []byte(feature)}}, Target: target.URL(srv.URL)}
	s, err := suite.New(cfg)
	require.NoError(t, err)
	r := suite.NewReport(cfg)
	r.Results = append(r.Results, s.Run(context.Background(), s.Scenarios()[0]))
	return r, r.Results[0]
}

// The reports show a relaxed check where the reader looks for what failed: JUnit skips the scenario
// with the policy message naming the step and lists the step as "relaxed"; Cucumber marks the step
// failed, its message saying it is not counted, and the steps after it ran.
func TestReportsShowWhatWasRelaxed(t *testing.T) {
	r, res := relaxedRun(t)
	require.Equal(t, report.OutcomePolicyFailed, r.Outcome(res), res.Reason)

	var junit bytes.Buffer
	require.NoError(t, report.WriteJUnit(&junit, r))
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
	require.NoError(t, report.WriteCucumber(&cuke, r))
	require.NoError(t, validateCucumber(t, cuke.Bytes()), cuke.String())
	var cdoc cukeDoc
	require.NoError(t, json.Unmarshal(cuke.Bytes(), &cdoc))
	st := cdoc[0].Elements[0].Steps
	assert.Equal(t, "failed", st[1].Result.Status)
	assert.Regexp(t, `^policy rule failed \(not counted against this target; --strict-policy counts it\): expected status 403, got 401`, st[1].Result.ErrorMessage)
	assert.Equal(t, "passed", st[2].Result.Status)

	assert.NoError(t, validateJUnit(t, junit.Bytes()))
}
