Feature: eeID webhooks
  When a person identifies, eeID POSTs identificationRequestCompleted to the service's webhook URL:
  compact JSON signed with X-HMAC-Signature, the hex HMAC-SHA256 of the body keyed with the service's
  client secret. 200, 201 or 204 within 10 s acknowledges it; anything else is retried, at most 4
  deliveries in all.

  Background:
    Given "svc" has the role "eeid.service_a"
    And the eeID webhooks of "svc" go to the webhook receiver
    And "svc" gets an eeID access token
    And "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": [{"type": "sub", "value": "EE30303039914"}], "reference": "contact-4711"}
      """
    And the response field "id" is saved as "id"

  @id:EE-11-a @rule:EE-11 @needs:eeid.request.complete @needs:eeid.webhook.set
  Scenario: A completion sends one signed webhook naming the request and the service
    When the person completes the eeID identification "${id}"
    Then exactly 1 webhook delivery was received
    And the latest webhook delivery was "POST /eeid/webhooks/identification_requests"
    And the latest webhook delivery's header "Content-Type" is "application/json"
    And the latest webhook delivery's field "identification_request_id" is "${id}"
    And the latest webhook delivery's field "client_id" is "${svc.client_id}"
    And the latest webhook delivery's field "reference" is "contact-4711"
    And the latest webhook delivery is signed with the client secret of "svc"
    Given 60 seconds pass
    Then exactly 1 webhook delivery was received

  @id:EE-11-b @rule:EE-11 @needs:eeid.request.complete @needs:eeid.webhook.set
  Scenario: A mismatched identification sends the webhook too
    When the person completes the eeID identification "${id}" as "EE38001085718"
    Then exactly 1 webhook delivery was received
    And the latest webhook delivery's field "identification_request_id" is "${id}"
    And the latest webhook delivery is signed with the client secret of "svc"

  @id:EE-11-c @rule:EE-11 @needs:eeid.request.complete @needs:eeid.webhook.set
  Scenario: A request that is never completed sends nothing; a refused second completion sends nothing more
    Given 1 second passes
    Then exactly 0 webhook deliveries were received
    When the person completes the eeID identification "${id}"
    Then exactly 1 webhook delivery was received
    Given the person cannot complete the eeID identification "${id}"
    And 60 seconds pass
    Then exactly 1 webhook delivery was received

  @id:EE-12-a @rule:EE-12 @policy @needs:eeid.request.complete @needs:eeid.webhook.set
  Scenario: The body is compact JSON, so eeID's own receiver, which strips whitespace, verifies it
    When the person completes the eeID identification "${id}"
    Then the latest webhook delivery's body is compact JSON
    And the latest webhook delivery is signed with the client secret of "svc"
    And the latest webhook delivery verifies as eeID's own receiver checks it, with the client secret of "svc"

  @id:EE-13-a @rule:EE-13 @needs:eeid.request.complete @needs:clock.advance @needs:eeid.webhook.set
  Scenario: A receiver answering 500 gets the webhook again until it acknowledges it, and then no more
    Given the webhook receiver answers 500 for the next 3 deliveries
    When the person completes the eeID identification "${id}"
    Then exactly 1 webhook delivery was received
    Given 3600 seconds pass
    Then exactly 4 webhook deliveries were received
    And the latest webhook delivery's field "identification_request_id" is "${id}"
    And the latest webhook delivery is signed with the client secret of "svc"
    Given 3600 seconds pass
    Then exactly 4 webhook deliveries were received

  @id:EE-19-a @rule:EE-19 @policy @needs:eeid.request.complete @needs:clock.advance @needs:eeid.webhook.set
  Scenario: Retries come 1 s, 2 s and 4 s after each failure
    # Half a second either side of each retry: a served target's clock also runs in real time while
    # the scenario runs. The exact edges are pinned in process, on a fake clock
    # (mockserver/eeid: TestRetriesComeAtTheirSecondExactly).
    Given the webhook receiver answers 500 for the next 4 deliveries
    When the person completes the eeID identification "${id}"
    Then exactly 1 webhook delivery was received
    Given 500 milliseconds pass
    Then exactly 1 webhook delivery was received
    Given 1000 milliseconds pass
    Then exactly 2 webhook deliveries were received
    Given 1000 milliseconds pass
    Then exactly 2 webhook deliveries were received
    Given 1000 milliseconds pass
    Then exactly 3 webhook deliveries were received
    Given 3000 milliseconds pass
    Then exactly 3 webhook deliveries were received
    Given 1000 milliseconds pass
    Then exactly 4 webhook deliveries were received

  @id:EE-13-b @rule:EE-13 @needs:eeid.request.complete @needs:clock.advance @needs:eeid.webhook.set
  Scenario: A receiver that never acknowledges gets 4 deliveries in all
    Given the webhook receiver answers 503 for the next 10 deliveries
    When the person completes the eeID identification "${id}"
    And 3600 seconds pass
    Then exactly 4 webhook deliveries were received

  @id:EE-13-c @rule:EE-13 @needs:eeid.request.complete @needs:clock.advance @needs:eeid.webhook.set
  Scenario Outline: Only 200, 201 and 204 acknowledge a delivery
    Given the webhook receiver answers <status> for the next 1 delivery
    When the person completes the eeID identification "${id}"
    And 60 seconds pass
    Then exactly <deliveries> webhook deliveries were received

    Examples:
      | id  | status | deliveries |
      | 200 | 200    | 1          |
      | 201 | 201    | 1          |
      | 204 | 204    | 1          |
      | 202 | 202    | 2          |
      | 302 | 302    | 2          |
      | 404 | 404    | 2          |
      | 500 | 500    | 2          |

  @id:EE-13-d @rule:EE-13 @needs:eeid.request.complete @needs:clock.advance @needs:eeid.webhook.set
  Scenario: A receiver refusing connections gets the webhook once it listens again
    Given the webhook receiver refuses connections
    When the person completes the eeID identification "${id}"
    And 1 second passes
    Then exactly 0 webhook deliveries were received
    Given the webhook receiver accepts connections again
    And 2 seconds pass
    Then exactly 1 webhook delivery was received
    And the latest webhook delivery is signed with the client secret of "svc"

  @id:EE-13-e @rule:EE-13 @slow @needs:eeid.request.complete @needs:clock.advance @needs:webhook.timing @needs:eeid.webhook.set
  Scenario: A receiver silent for 10 s gets the webhook again
    Given the webhook receiver stays silent for the next 1 delivery
    When the person completes the eeID identification "${id}"
    Then exactly 1 webhook delivery was received
    Given 1 second passes
    Then exactly 2 webhook deliveries were received
    And the latest webhook delivery is signed with the client secret of "svc"
