Feature: eeID identification
  The person opens the request's link and identifies themselves (ID card, Smart-ID, Mobile-ID); the
  request is then completed, once: its result says who they are, how that compares with the claims
  the service required, and a proof of identity PDF exists. A link nobody completes expires after
  7 days. Tests play the person's part through the control API.

  Background:
    Given "svc" has the role "eeid.service_a"
    And "svc" gets an eeID access token
    And "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": [{"type": "sub", "value": "EE30303039914"}, {"type": "name", "value": "OK TESTNUMBER"}], "reference": "contact-4711"}
      """
    And the response field "id" is saved as "id"

  @id:EE-08-a @rule:EE-08 @op:getProofOfIdentity @needs:eeid.request.complete
  Scenario: A pending request has no proof of identity; a completed one has
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}/proof_of_identity"
    Then the response status is 404 (policy: any 4xx)
    And the response field "error" is not empty
    Given the person completes the eeID identification "${id}"
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}/proof_of_identity"
    Then the response status is 200

  @id:EE-09-a @rule:EE-09 @op:getIdentificationRequest @op:getProofOfIdentity @needs:eeid.request.complete
  Scenario: A completed request says who identified, that the claims matched, and has a PDF proof
    Given the person completes the eeID identification "${id}"
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response status is 200
    And the response field "status" is "completed"
    And the response field "completed_at" is not empty
    And the response field "result.sub" is "EE30303039914"
    And the response field "result.given_name" is "OK"
    And the response field "result.family_name" is "TESTNUMBER"
    And the response field "result.auth_time" is a positive integer
    And the response field "claims_matched" is true
    And the response field "mismatched_claims" is {}
    And the response field "claims_comparison_errors" is []
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}/proof_of_identity"
    Then the response status is 200
    And the response header "Content-Type" is "application/pdf"
    And the response body starts with "%PDF" (policy)

  @id:EE-10-a @rule:EE-10 @op:getIdentificationRequest @needs:eeid.request.complete
  Scenario: Someone else identifying completes the request, with the mismatch said
    Given the person completes the eeID identification "${id}" as "EE38001085718"
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response status is 200
    And the response field "status" is "completed"
    And the response field "result.sub" is "EE38001085718"
    And the response field "claims_matched" is false
    And the response field "mismatched_claims.sub.expected" is "EE30303039914"
    And the response field "mismatched_claims.sub.actual" is "EE38001085718"
    And the response field "claims_comparison_errors[0]" is not empty

  @id:EE-10-b @rule:EE-10 @op:createIdentificationRequest @op:getIdentificationRequest @needs:eeid.request.complete
  Scenario: A claim with an empty value is not compared
    When "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": [{"type": "sub", "value": ""}, {"type": "country", "value": "EE"}]}
      """
    And the response field "id" is saved as "anyone"
    And the person completes the eeID identification "${anyone}" as "EE38001085718"
    And "svc" sends "GET /api/ident/v1/identification_requests/${anyone}"
    Then the response field "status" is "completed"
    And the response field "claims_matched" is true
    And the response field "mismatched_claims" is {}

  @id:EE-14-a @rule:EE-14 @op:getIdentificationRequest @needs:eeid.request.complete
  Scenario: A second identification on a completed link is refused and changes nothing
    Given the person completes the eeID identification "${id}"
    And "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    And the response field "completed_at" is saved as "completed_at"
    And 60 seconds pass
    And "svc" gets an eeID access token
    Then the person cannot complete the eeID identification "${id}"
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response status is 200
    And the response field "status" is "completed"
    And the response field "completed_at" is "${completed_at}"
    And the response field "result.sub" is "EE30303039914"

  @id:EE-14-b @rule:EE-14 @op:getIdentificationRequest @needs:eeid.request.complete
  Scenario: A cancelled identification leaves the request pending and its link working
    Given the person cancels the eeID identification "${id}"
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response field "status" is "pending"
    And the response field "completed_at" is null
    Given the person completes the eeID identification "${id}"
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response field "status" is "completed"

  @id:EE-15-a @rule:EE-15 @op:getIdentificationRequest @policy @needs:clock.advance @needs:eeid.request.complete
  Scenario: A pending request is pending 1 s before its link expires, expired at and after, and can no longer be completed
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    And the response field "link_expires_at" is saved as "expires"
    Given the clock is 1 second before "${expires}"
    And "svc" gets an eeID access token
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response field "status" is "pending"
    Given 1 second passes
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response status is 200
    And the response field "status" is "expired"
    And the response field "completed_at" is null
    Given 1 second passes
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response field "status" is "expired"
    And the person cannot complete the eeID identification "${id}"

  @id:EE-15-b @rule:EE-15 @op:getIdentificationRequest @policy @needs:clock.advance @needs:eeid.request.complete
  Scenario: A request completed before its link expires stays completed
    Given the person completes the eeID identification "${id}"
    And 604800 seconds pass
    And "svc" gets an eeID access token
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response field "status" is "completed"
