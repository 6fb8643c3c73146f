package steps_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/steps/scenario"
	"github.com/idvkit/idvkit/steps/suite"
	"github.com/idvkit/idvkit/steps/target"
)

// bundeling runs one scenario of Bundeling's, its steps after a key and a member, against a mock of
// its own.
func bundeling(t *testing.T, steps string) scenario.Result {
	t.Helper()
	feature := `Feature: x

  @id:X-20
  Scenario: y
    Given "partner" has the role "bundeling.integration_key"
    And "member" has the role "bundeling.member"
    ` + steps + "\n"
	s, err := suite.New(suite.Config{Features: fstest.MapFS{"bundeling/x.feature": {Data: []byte(feature)}}, Target: target.InProcess()})
	require.NoError(t, err)
	return s.Run(context.Background(), s.Scenarios()[0])
}

// An XML answer is read by its schema, as the mock validates it: its field paths name the JSON keys,
// and its numbers, booleans and arrays (of one too) are what its JSON form's are.
func TestXMLAnswersReadAsTheirJSONForm(t *testing.T) {
	user := `When "partner" sends "GET /V2/users/${member.id}" with the header "Accept" set to "application/xml"
    Then the response header "Content-Type" is "application/xml; charset=utf-8"
    And `
	page := `When "partner" sends "GET /V2/users?page_size=1" with the header "Accept" set to "application/xml"
    Then `
	for _, c := range []struct {
		steps string
		pass  bool
	}{
		{user + `the response field "deactivated" is false`, true},
		{user + `the response field "deactivated" is "false"`, false},
		{user + `the response field "labels" has 2 items`, true},
		{user + `the response field "labels[1]" is "9f8e7d6c5b4a39281706f5e4d3c2b1a0"`, true},
		{user + `the response field "metadata.team" is "Heren 1"`, true},
		{user + `the response field "uuid" is "${member.id}"`, true},
		{user + `the response has no field "user"`, true},
		{page + `the response field "data" has 1 item`, true},
		{page + `the response field "data[0].uuid" is not empty`, true},
		{page + `the response field "pagination.current_page" is 1`, true},
		{page + `the response field "pagination.current_page" is "1"`, false},
	} {
		res := bundeling(t, c.steps)
		if c.pass {
			assert.Equal(t, scenario.Passed, res.Status, "%s: %s", c.steps, res.Reason)
		} else {
			assert.Equal(t, scenario.Failed, res.Status, c.steps)
		}
	}
}

// A response saved is compared with a later one, value by value: the XML form of a user carries its
// JSON form's values; another user differs, named by the first path, a credential's without values.
func TestResponsesCompareByTheirValues(t *testing.T) {
	res := bundeling(t, `When "partner" sends "GET /V2/users/${member.id}"
    And the response is saved as "json"
    And "partner" sends "GET /V2/users/${member.id}" with the header "Accept" set to "application/xml"
    Then the response carries the same values as the response saved as "json"`)
	assert.Equal(t, scenario.Passed, res.Status, res.Reason)

	res = bundeling(t, `Given "other" has the role "bundeling.member"
    When "partner" sends "GET /V2/users/${member.id}"
    And the response is saved as "json"
    And "partner" sends "GET /V2/users/${other.id}" with the header "Accept" set to "application/xml"
    Then the response carries the same values as the response saved as "json"`)
	require.Equal(t, scenario.Failed, res.Status)
	assert.Contains(t, res.Reason, `the response differs from the one saved as "json" at external_reference (`)

	res = bundeling(t, `Given "app" has the role "bundeling.user_key"
    When "app" logs in to Bundeling as "member"
    And the response is saved as "first"
    And "app" logs in to Bundeling as "member"
    Then the response carries the same values as the response saved as "first"`)
	require.Equal(t, scenario.Failed, res.Status)
	assert.Contains(t, res.Reason, "at token (values not shown: a credential)")

	res = bundeling(t, `Then the response carries the same values as the response saved as "nothing"`)
	assert.Equal(t, scenario.Failed, res.Status)
}

// A link's query parameter is saved as the site reads it, and kept out of what a failing step prints.
func TestAQueryParameterOfALinkIsSaved(t *testing.T) {
	res := bundeling(t, `Given a Bundeling link for "member" is rendered from "https://x.example/t?a=1&bundeling_token={{useridentity}}" and saved as "link"
    And the query parameter "bundeling_token" of "${link}" is saved as "token"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${token}"}
      """
    Then the response field "user_uuid" is "${member.id}"
    And the query parameter "missing" of "${token}" is saved as "x"`)
	require.Equal(t, scenario.Failed, res.Status)
	assert.Contains(t, res.FailedStep, `the query parameter "missing"`, "the steps before it passed")
	assert.Contains(t, res.Reason, "has no query parameter \"missing\"")
	assert.Contains(t, res.Reason, "[redacted]", "the token it names is masked")
	assert.NotRegexp(t, `[0-9a-f]{128}`, res.Reason)
}

// A principal that accepts a media type asks for it on every request that does not ask itself; a
// header a step sets goes on top of the principal's credentials.
func TestAcceptAndHeadersGoOnTopOfCredentials(t *testing.T) {
	res := bundeling(t, `Given "partner" accepts "application/xml"
    When "partner" sends "GET /V2/users/${member.id}"
    Then the response header "Content-Type" is "application/xml; charset=utf-8"
    When "partner" sends "GET /V2/users/${member.id}" with the header "Accept" set to "application/json"
    Then the response header "Content-Type" is "application/json"
    When "partner" sends "GET /V2/users/${member.id}" with the header "Api-Key" set to "not-a-key"
    Then the response status is 401
    When a client sends "POST /V2/user_identity" with the header "Api-Key" set to "${partner.api_key}" and a "application/json" body:
      """
      {"token": "unknown"}
      """
    Then the response status is 400
    And the response has the field "error.message"`)
	assert.Equal(t, scenario.Passed, res.Status, res.Reason)

	res = bundeling(t, `When "partner" sends "GET /V2/users/${member.id}" with the header "Api-Key" set to "not-a-key"
    Then the response has the field "uuid"`)
	assert.Equal(t, scenario.Failed, res.Status, "a header of the step's replaces the key")

	res = bundeling(t, `When "member" sends "GET /V2/users/${member.id}"`)
	require.Equal(t, scenario.Failed, res.Status)
	assert.Contains(t, res.Reason, `"member" is a user, not a key`)
}
