package steps_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/steps/report"
	"github.com/idvkit/idvkit/steps/scenario"
	"github.com/idvkit/idvkit/steps/suite"
	"github.com/idvkit/idvkit/steps/target"
)

func byID(r *report.Report) map[string]scenario.Result {
	m := map[string]scenario.Result{}
	for _, res := range r.Results {
		m[res.ID] = res
	}
	return m
}

const tokenRequest = `When a client sends "POST /oauth2/access_token" with the form:
      | grant_type | client_credentials |`

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

var wholeSecret = regexp.MustCompile(`[A-Z2-7]{26}`)

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

func oneStepAt(t *testing.T, base, body string) (*suite.Suite, scenario.Scenario) {
	t.Helper()
	feature := "Feature: x\n\n  @id:X-8\n  Scenario: y\n    " + body + "\n"
	s, err := suite.New(suite.Config{Features: fstest.MapFS{"rambase/x.feature": {Data: []byte(feature)}},
		Target: target.URL(base)})
	require.NoError(t, err)
	return s, s.Scenarios()[0]
}

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
