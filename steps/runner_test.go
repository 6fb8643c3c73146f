package steps_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/otp"
	"github.com/idvkit/idvkit/openapi"
	"github.com/idvkit/idvkit/steps"
	"github.com/idvkit/idvkit/steps/report"
	"github.com/idvkit/idvkit/steps/scenario"
	"github.com/idvkit/idvkit/steps/target"
)

func runAll(t *testing.T, cfg steps.Config) *report.Report {
	t.Helper()
	s, err := steps.New(cfg)
	require.NoError(t, err)
	r := steps.NewReport(cfg)
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

// An implementation that breaks RB-11 (a token outlives its session) fails exactly the scenarios
// that check RB-11, at the step that expects a client error, and everything else passes.
func TestSuiteCatchesABrokenRule(t *testing.T) {
	r := runAll(t, steps.Config{API: "rambase", Target: target.InProcess(mocktest.WithBrokenRules("RB-11"))})
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

// Against a target without a control API, scenarios that need a capability are skipped with the
// reason, and roles come from the principals file; without one, those scenarios are skipped too.
func TestCapabilitiesAndPrincipalsGateScenarios(t *testing.T) {
	m := mocktest.New(t)
	r := runAll(t, steps.Config{API: "rambase", Target: target.URL(m.APIURL("rambase"), target.WithoutControl())})
	res := byID(r)
	assert.Equal(t, scenario.Skipped, res["RB-11-b"].Status)
	assert.Equal(t, "target lacks capability clock.advance", res["RB-11-b"].Reason)
	assert.Equal(t, scenario.Skipped, res["RB-01-a"].Status)
	assert.Contains(t, res["RB-01-a"].Reason, "no credentials for role rambase.api_client")

	principals := principalsOf(t, m)
	r = runAll(t, steps.Config{API: "rambase", Target: target.URL(m.APIURL("rambase"), target.WithoutControl()), Principals: principals})
	res = byID(r)
	assert.Equal(t, scenario.Passed, res["RB-06-a"].Status, res["RB-06-a"].Reason)
	assert.Equal(t, scenario.Passed, res["RB-07-a"].Status, "attributes come from the file: %s", res["RB-07-a"].Reason)
	assert.Equal(t, scenario.Skipped, res["RB-03-a"].Status, "needs the outbox")
	assert.True(t, r.Conformant())
	assert.Positive(t, r.Counts().Skipped)
}

// A control API guarded by a token is used when the suite has the token, and is as good as absent
// without it.
func TestControlTokenIsSent(t *testing.T) {
	m := mocktest.New(t, mocktest.WithControlToken("s3cret-control"))
	r := runAll(t, steps.Config{API: "rambase", Target: target.URL(m.APIURL("rambase"), target.WithControl("", "s3cret-control"))})
	assert.Equal(t, scenario.Passed, byID(r)["RB-11-b"].Status, byID(r)["RB-11-b"].Reason)
	r = runAll(t, steps.Config{API: "rambase", Target: target.URL(m.APIURL("rambase"), target.WithControl("", "wrong"))})
	assert.Equal(t, scenario.Skipped, byID(r)["RB-11-b"].Status)
}

// tokenRequest is a step that calls RamBase's token endpoint without any principal.
const tokenRequest = `When a client sends "POST /oauth2/access_token" with the form:
      | grant_type | client_credentials |`

// A response that breaks the spec fails the step that saw it, whatever the step checks.
func TestEveryResponseIsCheckedAgainstTheSpec(t *testing.T) {
	liar := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"detail":"not RamBase's shape"}`))
	})
	s, sc := oneStepAt(t, newHTTPServer(t, liar), tokenRequest+`
    Then the response status is 401`)
	res := s.Run(context.Background(), sc)
	assert.Equal(t, scenario.Failed, res.Status)
	assert.Contains(t, res.Reason, "breaks the rambase spec (getAccessToken)")
}

// suiteOf is a suite of in-memory RamBase features.
func suiteOf(t *testing.T, feature string) *steps.Suite {
	t.Helper()
	s, err := steps.New(steps.Config{Features: fstest.MapFS{"rambase/x.feature": {Data: []byte(feature)}}, Target: target.InProcess()})
	require.NoError(t, err)
	return s
}

func oneStep(t *testing.T, step string) (*steps.Suite, scenario.Scenario) {
	s := suiteOf(t, "Feature: x\n\n  @id:X-1\n  Scenario: y\n    "+step+"\n")
	return s, s.Scenarios()[0]
}

// A scenario godog does not select never counts as passed.
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

// Each example row of an outline is a scenario of its own: run once, alone, with its own ID (its
// id column, else its number).
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

// rand.Text tokens and secrets: 26 base32 characters.
var wholeSecret = regexp.MustCompile(`[A-Z2-7]{26}`)

// A failing step never prints a credential whole: not a password, not a client secret, not a token
// it saw in a body.
func TestFailuresNeverPrintSecrets(t *testing.T) {
	s := suiteOf(t, `Feature: x

  @id:X-4
  Scenario: a token in an unexpected 200
    Given "anna" has the role "rambase.internal_user"
    When "anna" logs in to RamBase with a password
    Then the response status is 401

  @id:X-6
  Scenario: a token in a body no step kept
    Given "anna" has the role "rambase.internal_user"
    When a client sends "POST /oauth2/access_token" with the form:
      | grant_type    | password               |
      | client_id     | ${anna.client_id}      |
      | client_secret | ${anna.client_secret}  |
      | username      | ${anna.username}       |
      | password      | ${anna.password}       |
    Then the response status is 401

  @id:X-5
  Scenario: a saved token compared with a password
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And the response field "access_token" is saved as "token"
    Then the response field "access_token" is "${anna.password}"
`)
	for _, sc := range s.Scenarios() {
		res := s.Run(context.Background(), sc)
		require.Equal(t, scenario.Failed, res.Status, sc.ID)
		assert.NotRegexp(t, wholeSecret, res.Reason, sc.ID)
		assert.NotRegexp(t, wholeSecret, res.Output, sc.ID)
		assert.Contains(t, res.Reason, "[redacted]", sc.ID)
	}
}

// A rule that names a client error is never passed by a server error.
func TestAServerErrorNeverPassesA4xxRule(t *testing.T) {
	broken := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"httpStatusCode":500,"httpStatusDescription":"Internal Server Error","message":"boom"}`))
	})
	s, sc := oneStepAt(t, newHTTPServer(t, broken), tokenRequest+`
    Then the response status is 4xx`)
	res := s.Run(context.Background(), sc)
	assert.Equal(t, scenario.Failed, res.Status)
	assert.Equal(t, "the response status is 4xx", res.FailedStep)
	assert.Contains(t, res.Reason, "expected a 4xx status, got 500")
}

// Credentials go only to the target's origin, even when a step names another URL.
func TestCredentialsNeverLeaveTheTarget(t *testing.T) {
	seen := make(chan string, 10)
	other := newHTTPServer(t, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case seen <- r.Header.Get("Authorization") + " " + r.URL.RawQuery:
		default:
		}
	}))
	s, sc := oneStep(t, `Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    When "anna" sends "GET `+other+`/steal"`)
	res := s.Run(context.Background(), sc)
	assert.Equal(t, scenario.Failed, res.Status)
	assert.Contains(t, res.Reason, "refusing to send the credentials")
	assert.Empty(t, seen)

	// Nor as a value written into an anonymous request's form or URL.
	for _, step := range []string{
		`When a client sends "POST ` + other + `/steal" with the form:
      | password | ${anna.password} |`,
		`When a client sends "GET ` + other + `/steal?secret=${anna.client_secret}"`,
	} {
		s, sc = oneStep(t, `Given "anna" has the role "rambase.internal_user"
    `+step)
		res = s.Run(context.Background(), sc)
		assert.Equal(t, scenario.Failed, res.Status, step)
		assert.Contains(t, res.Reason, "refusing to send a credential", step)
		assert.Empty(t, seen, step)
	}
}

// Under go test against a URL, a failed @policy scenario, or one whose status of our choosing was
// relaxed, is reported as skipped with its failure, not as a failure of the run
// (IDVKIT_STRICT_POLICY=1 makes it count).
func TestRunTReportsPolicyFailuresAgainstAURLWithoutFailing(t *testing.T) {
	m := mocktest.New(t)
	feature := "Feature: x\n\n  @id:X-7 @policy\n  Scenario: a policy the target breaks\n" +
		"    When a client sends \"GET /no-such\"\n    Then the response status is 200\n\n" +
		"  @id:X-10\n  Scenario: a status of ours the target does not use\n" +
		"    When a client sends \"GET /no-such\"\n    Then the response status is 400 (policy: any 4xx)\n"
	cfg := steps.Config{Features: fstest.MapFS{"rambase/x.feature": {Data: []byte(feature)}},
		Target: target.URL(m.APIURL("rambase"))}
	r := steps.RunT(t, steps.Plan{Config: cfg})
	require.Len(t, r.Results, 2)
	assert.Equal(t, scenario.Failed, r.Results[0].Status)
	assert.Equal(t, scenario.Passed, r.Results[1].Status)
	assert.Equal(t, report.OutcomePolicyFailed, r.Outcome(r.Results[1]))
	assert.True(t, r.Conformant())
}

// The generic steps read JSON and XML bodies by the same paths (a repeated XML element that occurs
// once is item [0] too), headers and a body's first bytes; each check fails when its value is wrong.
func TestGenericStepsReadJSONXMLHeadersAndBodies(t *testing.T) {
	srv := newHTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Test", "yes")
		switch r.URL.Path {
		case "/doc.json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"items":[{"id":"a"},{"id":"b","n":2}],"none":null,"empty":{},"list":[],` +
				`"created":"2030-01-01T00:00:00Z","expires":"2030-01-08T00:00:00Z"}`))
		case "/doc.xml":
			w.Header().Set("Content-Type", "application/xml")
			_, _ = w.Write([]byte(`<?xml version="1.0"?><r><items><item><id>a</id></item><item><id>b</id><n>2</n></item></items><one><item><id>c</id></item></one></r>`))
		case "/doc.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			_, _ = w.Write([]byte("%PDF-1.7\n..."))
		}
	}))
	cases := []struct {
		doc, step string
		pass      bool
	}{
		{"json", `the response field "items[1].id" is "b"`, true},
		{"json", `the response field "items[1].id" is "a"`, false},
		{"json", `the response field "items[1].n" is 2`, true},
		{"json", `the response field "items[1].n" is 3`, false},
		{"json", `the response field "none" is null`, true},
		{"json", `the response has no field "items[2]"`, true},
		{"json", `the response has no field "items[0]"`, false},
		{"json", `the response field "empty" is {}`, true},
		{"json", `the response field "items[0]" is {}`, false},
		{"json", `the response field "list" is []`, true},
		{"json", `the response field "items" is []`, false},
		{"json", `the response field "empty" is []`, false},
		{"json", `the response field "items" has 2 items`, true},
		{"json", `the response field "items" has 3 items`, false},
		{"json", `the response field "items[1]" has 2 items`, true},
		{"json", `the response field "none" has 0 items`, false},
		{"json", `the response field "expires" is 604800 seconds after the response field "created"`, true},
		{"json", `the response field "expires" is 604799 seconds after the response field "created"`, false},
		{"json", `the response field "created" is 604800 seconds after the response field "expires"`, false},
		{"json", `the response field "items" is 1 second after the response field "created"`, false},
		{"xml", `the response field "items.item[1].id" is "b"`, true},
		{"xml", `the response field "items.item[1].n" is 2`, true},
		{"xml", `the response field "items.item[0].id" is "b"`, false},
		{"xml", `the response field "one.item[0].id" is "c"`, true},
		{"xml", `the response has no field "one.item[1]"`, true},
		{"xml", `the response header "X-Test" is "yes"`, true},
		{"xml", `the response header "X-Test" is "no"`, false},
		{"pdf", `the response body starts with "%PDF"`, true},
		{"xml", `the response body starts with "%PDF"`, false},
	}
	for _, c := range cases {
		s, sc := oneStepAt(t, srv, `When a client sends "GET /doc.`+c.doc+`"
    Then `+c.step)
		res := s.Run(context.Background(), sc)
		if c.pass {
			assert.Equal(t, scenario.Passed, res.Status, "%s: %s", c.step, res.Reason)
		} else {
			assert.Equal(t, scenario.Failed, res.Status, c.step)
		}
	}
	s, sc := oneStepAt(t, srv, `When a client sends "GET /doc.xml"
    And the response field "items.item[0].id" is saved as "first"
    Then the response field "items.item[0].id" is ${first}`)
	res := s.Run(context.Background(), sc)
	assert.Equal(t, scenario.Passed, res.Status, res.Reason)
}

// oneStepAt is a one-scenario suite against a URL target of a test's own.
func oneStepAt(t *testing.T, base, body string) (*steps.Suite, scenario.Scenario) {
	t.Helper()
	feature := "Feature: x\n\n  @id:X-8\n  Scenario: y\n    " + body + "\n"
	s, err := steps.New(steps.Config{Features: fstest.MapFS{"rambase/x.feature": {Data: []byte(feature)}},
		Target: target.URL(base)})
	require.NoError(t, err)
	return s, s.Scenarios()[0]
}

// Against a shared target our own policy rules are reported but do not fail the run, under go test
// as under conform, unless policy is made strict; in-process they always count.
func TestPolicyCountsOnlyInProcessOrWhenStrict(t *testing.T) {
	failed := scenario.Result{Scenario: scenario.Scenario{Policy: true}, Status: scenario.Failed}
	url := target.URL("http://127.0.0.1:1")
	assert.False(t, steps.NewReport(steps.Config{Target: url}).Counted(failed))
	assert.True(t, steps.NewReport(steps.Config{Target: url, StrictPolicy: true}).Counted(failed))
	assert.True(t, steps.NewReport(steps.Config{Target: target.InProcess()}).Counted(failed))
	failed.Policy = false
	assert.True(t, steps.NewReport(steps.Config{Target: url}).Counted(failed))
}

// Every rule an API can break on purpose is caught: with it broken, at least one scenario that
// checks it fails, so the suite would catch an implementation that breaks it. RandaVerify and eeID can
// break every one of their rules. Only the rule's own scenarios run, at once, without the @slow ones
// (they run in TestFeatures) and waiting 2 s for a webhook that does not come: a broken retry rule
// leaves deliveries missing, and each would otherwise be waited for 15 s.
func TestEveryBreakableRuleIsCaught(t *testing.T) {
	for _, api := range mocktest.APIs() {
		spec, err := openapi.Load(api)
		require.NoError(t, err)
		breakable := 0
		for _, rule := range spec.Rules() {
			m, err := mocktest.Start(mocktest.WithBrokenRules(rule.ID))
			if err != nil {
				continue // not breakable
			}
			m.Close()
			breakable++
			t.Run(rule.ID, func(t *testing.T) {
				t.Parallel()
				s, err := steps.New(steps.Config{API: api, Target: target.InProcess(mocktest.WithBrokenRules(rule.ID)),
					Webhook: steps.Webhook{Wait: 2 * time.Second}})
				require.NoError(t, err)
				scenarios, err := steps.Plan{Tags: "@rule:" + rule.ID + " && ~@slow"}.Select(s.Scenarios())
				require.NoError(t, err)
				require.NotEmpty(t, scenarios)
				results := make([]scenario.Result, len(scenarios))
				var wg sync.WaitGroup
				for i, sc := range scenarios {
					wg.Go(func() { results[i] = s.Run(context.Background(), sc) })
				}
				wg.Wait()
				var caught []string
				for _, res := range results {
					if res.Status == scenario.Failed {
						caught = append(caught, res.ID)
					}
				}
				assert.NotEmpty(t, caught, "no scenario of %s failed with it broken", rule.ID)
			})
		}
		if api != "rambase" {
			assert.Equal(t, len(spec.Rules()), breakable, "every %s rule can be broken", api)
		}
	}
}

// A target without a control API can declare what it offers, and fix in its test data the one-time
// code its sandbox accepts: RB-03-a then runs on the principals file and the fixed code.
func TestDeclaredCapabilitiesAndTestData(t *testing.T) {
	m := mocktest.New(t, mocktest.WithCodes(otp.Sequence("424242")))
	principals := principalsOf(t, m)
	run := func(caps []string, data map[string]string) scenario.Result {
		r := runAll(t, steps.Config{API: "rambase", Target: target.URL(m.APIURL("rambase"), target.WithoutControl()),
			Principals: principals, Capabilities: caps, TestData: data})
		return byID(r)["RB-03-a"]
	}
	assert.Equal(t, scenario.Skipped, run(nil, nil).Status, "no outbox, nothing declared")
	res := run([]string{"outbox"}, map[string]string{"otp": "424242"})
	assert.Equal(t, scenario.Passed, res.Status, res.Reason)
	res = run([]string{"outbox"}, map[string]string{"otp": "000000"})
	assert.Equal(t, scenario.Failed, res.Status, "a wrong fixed code is refused by the target")
}

// A run's report lists its APIs as the registry does, so the summary reads in the order the mock
// serves and documents them.
func TestReportsListTheAPIsInRegistryOrder(t *testing.T) {
	assert.Equal(t, mocktest.APIs(), steps.NewReport(steps.Config{Target: target.InProcess()}).APIs)
	assert.Equal(t, mocktest.APIs(), steps.Plan{Config: steps.Config{Target: target.InProcess()}}.NewReport().APIs)
}
