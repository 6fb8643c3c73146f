package steps_test

import (
	"context"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/steps"
	"github.com/idvkit/idvkit/steps/scenario"
	"github.com/idvkit/idvkit/steps/suite"
	"github.com/idvkit/idvkit/steps/target"
)

// webhooksFeature drives the generic webhook steps. No API of the mock sends webhooks here, so the
// scenarios play the implementation themselves: a client POSTs to the receiver's URL.
const webhooksFeature = `Feature: Webhook steps

  @id:W-1
  Scenario: the receiver answers as told and records what it got
    Given the value "identification_requests" is saved as "what"
    And the webhook receiver's URL for "/eeid/webhooks/${what}" is saved as "hook"
    And the webhook receiver answers 500 for the next 2 deliveries
    And exactly 0 webhook deliveries were received
    When a client sends "POST ${hook}" with a "application/json" body:
      """
      {"identification_request_id":"r1","client_id":"svc"}
      """
    Then the response status is 500
    And exactly 1 webhook delivery was received
    When a client sends "POST ${hook}" with a "application/json" body:
      """
      {"identification_request_id":"r2","client_id":"svc"}
      """
    And a client sends "POST ${hook}" with a "application/json" body:
      """
      {"identification_request_id":"r3","client_id":"svc","n":7,"ok":true}
      """
    Then the response status is 200
    When a client sends "GET /no-such"
    Then exactly 3 webhook deliveries were received
    And the latest webhook delivery was "POST /eeid/webhooks/${what}"
    And the latest webhook delivery's body is compact JSON
    And the latest webhook delivery's field "identification_request_id" is "r3"
    And the latest webhook delivery's field "n" is 7
    And the latest webhook delivery's field "ok" is true
    And the latest webhook delivery's field "client_id" is not empty
    And the latest webhook delivery's field "client_id" is saved as "client"
    And the latest webhook delivery's field "client_id" is ${client}
    And the latest webhook delivery's header "Content-Type" is "application/json"
    And the response status is 404

  @id:W-2
  Scenario: refused, then accepted again
    Given the webhook receiver's URL for "/hook" is saved as "hook"
    And the webhook receiver refuses connections
    And the webhook receiver accepts connections again
    When a client sends "POST ${hook}" with a "application/json" body:
      """
      {}
      """
    Then the response status is 200
    And exactly 1 webhook delivery was received

  @id:W-3
  Scenario: too many deliveries
    Given the webhook receiver's URL for "/hook" is saved as "hook"
    When a client sends "POST ${hook}" with a "application/json" body:
      """
      {}
      """
    Then exactly 0 webhook deliveries were received

  @id:W-4
  Scenario: a body with whitespace
    Given the webhook receiver's URL for "/hook" is saved as "hook"
    When a client sends "POST ${hook}" with a "application/json" body:
      """
      {"a": 1}
      """
    Then the latest webhook delivery's body is compact JSON

  @id:W-5
  Scenario: a field that differs
    Given the webhook receiver's URL for "/hook" is saved as "hook"
    When a client sends "POST ${hook}" with a "application/json" body:
      """
      {"a":1}
      """
    Then the latest webhook delivery's field "a" is 2

  @id:W-6
  Scenario: too few deliveries, waited for as long as webhook.wait says
    Given the webhook receiver's URL for "/hook" is saved as "hook"
    When a client sends "POST ${hook}" with a "application/json" body:
      """
      {}
      """
    Then exactly 2 webhook deliveries were received
`

func TestTheWebhookSteps(t *testing.T) {
	s, err := suite.New(suite.Config{Features: fstest.MapFS{"rambase/webhooks.feature": {Data: []byte(webhooksFeature)}},
		Target: target.InProcess(), Webhook: steps.Webhook{Wait: 300 * time.Millisecond}})
	require.NoError(t, err)
	res := map[string]scenario.Result{}
	for _, sc := range s.Scenarios() {
		res[sc.ID] = s.Run(context.Background(), sc)
	}
	for _, id := range []string{"W-1", "W-2"} {
		assert.Equal(t, scenario.Passed, res[id].Status, "%s: %s\n%s", id, res[id].Reason, res[id].Output)
	}
	for id, want := range map[string]string{
		"W-3": "1 webhook deliveries were received, not 0: POST /hook answered 200",
		"W-4": `the latest webhook delivery's body is JSON with whitespace outside its strings`,
		"W-5": "the latest webhook delivery: expected a to be 2, got 1",
		"W-6": "1 webhook deliveries were received within 300ms, not 2",
	} {
		assert.Equal(t, scenario.Failed, res[id].Status, id)
		assert.Contains(t, res[id].Reason, want, id)
	}
}
