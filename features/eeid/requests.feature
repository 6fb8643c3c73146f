Feature: eeID identification requests
  A service creates identification requests for the claims it needs, each with a link the person
  opens within 7 days, and reads back its own requests: one at a time or a page at a time, newest
  first. Another service's requests do not exist for it.

  Background:
    Given "svc" has the role "eeid.service_a"
    And "svc" gets an eeID access token

  @id:EE-04-a @rule:EE-04 @op:createIdentificationRequest
  Scenario Outline: A request without claims, with none, or with a claim of an unknown type is refused with 422
    When "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": [{"type": "sub", "value": "EE30303039914"}]}
      """
    Then the response status is 201
    When "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      <body>
      """
    Then the response status is 422
    And the response field "error" is not empty
    And the response has no field "id"

    Examples:
      | id             | body                                                         |
      | missing        | {"reference": "no-claims"}                                   |
      | empty          | {"claims_required": []}                                      |
      | unknown-type   | {"claims_required": [{"type": "iban", "value": "EE38220"}]} |
      | not-a-list     | {"claims_required": {"type": "sub", "value": "EE30303039914"}} |
      | claim-no-value | {"claims_required": [{"type": "sub"}]}                       |
      | not-json       | {"claims_required": [                                        |

  @id:EE-04-b @rule:EE-04 @op:createIdentificationRequest
  Scenario Outline: Name, birthdate or country claims alone, or a sub with an empty value, are accepted
    When "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": <claims>}
      """
    Then the response status is 201
    And the response field "status" is "pending"
    And the response field "claims_required" has <count> items

    Examples:
      | id        | count | claims                                                                                                                               |
      | name      | 1     | [{"type": "name", "value": "OK TESTNUMBER"}]                                                                                         |
      | birthdate | 1     | [{"type": "birthdate", "value": "1903-03-03"}]                                                                                       |
      | country   | 1     | [{"type": "country", "value": "EE"}]                                                                                                 |
      | empty-sub | 1     | [{"type": "sub", "value": ""}]                                                                                                       |
      | all-four  | 4     | [{"type": "sub", "value": "EE30303039914"}, {"type": "name", "value": "OK TESTNUMBER"}, {"type": "birthdate", "value": "1903-03-03"}, {"type": "country", "value": "EE"}] |

  @id:EE-05-a @rule:EE-05 @op:createIdentificationRequest
  Scenario: A valid request is pending, with a link that lives 7 days and the reference echoed
    When "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": [{"type": "sub", "value": "EE30303039914"}], "reference": "contact-4711",
       "reason": "Verify the registrant", "reason_translations": {"et": "Registreerija tuvastamine"}}
      """
    Then the response status is 201
    And the response field "status" is "pending"
    And the response field "completed_at" is null
    And the response field "result" is {}
    And the response field "link" is not empty
    And the response field "link_expires_at" is 604800 seconds after the response field "created_at"
    And the response field "reference" is "contact-4711"
    And the response field "client_id" is "${svc.client_id}"
    And the response field "reason" is "Verify the registrant"
    And the response field "reason_translations.et" is "Registreerija tuvastamine"
    And the response field "claims_matched" is null
    And the response field "mismatched_claims" is {}
    And the response field "claims_comparison_errors" is []

  @id:EE-06-a @rule:EE-06 @op:createIdentificationRequest @op:getIdentificationRequest
  Scenario: The request just created reads back with the same id and claims
    When "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": [{"type": "sub", "value": "EE30303039914"}, {"type": "country", "value": "EE"}]}
      """
    And the response field "id" is saved as "id"
    And the response field "link" is saved as "link"
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response status is 200
    And the response field "id" is "${id}"
    And the response field "link" is "${link}"
    And the response field "status" is "pending"
    And the response field "claims_required" has 2 items
    And the response field "claims_required[0].type" is "sub"
    And the response field "claims_required[0].value" is "EE30303039914"
    And the response field "claims_required[1].type" is "country"
    And the response field "claims_required[1].value" is "EE"

  @id:EE-07-a @rule:EE-07 @op:createIdentificationRequest @op:getIdentificationRequest
  Scenario Outline: An id that is no request of the service's is 404
    When "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": [{"type": "sub", "value": "EE30303039914"}]}
      """
    And the response field "id" is saved as "id"
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response status is 200
    When "svc" sends "GET /api/ident/v1/identification_requests/<id>"
    Then the response status is 404
    And the response field "error" is not empty

    Examples:
      | id          |
      | 6f1b0c2e-3d4a-4b5c-9d8e-7f6a5b4c3d2e |
      | not-a-uuid  |

  @id:EE-16-a @rule:EE-16 @op:createIdentificationRequest @op:getIdentificationRequests
  Scenario: The list without parameters is a page of 10 counting every request of the service's
    When "svc" sends "GET /api/ident/v1/identification_requests"
    Then the response status is 200
    And the response field "total" is saved as "before"
    When "svc" creates 11 eeID identification requests
    And "svc" sends "GET /api/ident/v1/identification_requests"
    Then the response status is 200
    And the response field "page_size" is 10
    And the response field "page" is 0
    And the response field "items" has 10 items
    And the response field "total" is ${before} plus 11
    And the response field "items[0].client_id" is "${svc.client_id}"

  @id:EE-16-b @rule:EE-16 @op:createIdentificationRequest @op:getIdentificationRequests @needs:users.create
  Scenario: Another service's requests never appear in the list, nor count in its total
    Given "other" has the role "eeid.service_b"
    And "other" gets an eeID access token
    And "other" creates 3 eeID identification requests
    When "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": [{"type": "sub", "value": "EE30303039914"}], "reference": "mine"}
      """
    And the response field "id" is saved as "mine"
    And "svc" sends "GET /api/ident/v1/identification_requests"
    Then the response status is 200
    And the response field "total" is 1
    And the response field "items" has 1 item
    And the response field "items[0].id" is "${mine}"
    When "other" sends "GET /api/ident/v1/identification_requests"
    Then the response field "total" is 3
    And the response field "items" has 3 items

  @id:EE-18-a @rule:EE-18 @op:getIdentificationRequests @policy @needs:users.create
  Scenario Outline: Pages are numbered from 1, newest first, and the response's page counts from 0
    Given "svc" creates 12 eeID identification requests
    When "svc" sends "GET /api/ident/v1/identification_requests?<query>"
    Then the response status is 200
    And the response field "page" is <page>
    And the response field "page_size" is <page_size>
    And the response field "items" has <items> items
    And the response field "total" is 12

    Examples:
      | id              | query                      | page | page_size | items |
      | first-page      | page=1&page_size=5         | 0    | 5         | 5     |
      | last-page       | page=3&page_size=5         | 2    | 5         | 2     |
      | past-the-end    | page=4&page_size=5         | 3    | 5         | 0     |
      | size-one        | page=12&page_size=1        | 11   | 1         | 1     |
      | size-one-past   | page=13&page_size=1        | 12   | 1         | 0     |
      | size-100        | page_size=100              | 0    | 100       | 12    |
      | size-101-capped | page_size=101              | 0    | 100       | 12    |
      | last-page-cap   | page=1000000               | 999999 | 10      | 0     |

  @id:EE-18-b @rule:EE-18 @op:getIdentificationRequests @policy
  Scenario Outline: A page or page size below 1, a page above 1000000, or one that is not a number is 422
    When "svc" sends "GET /api/ident/v1/identification_requests?page=1&page_size=1"
    Then the response status is 200
    When "svc" sends "GET /api/ident/v1/identification_requests?<query>"
    Then the response status is 422
    And the response field "error" is not empty

    Examples:
      | id            | query          |
      | page-zero     | page=0         |
      | page-negative | page=-1        |
      | page-too-big  | page=1000001   |
      | size-zero     | page_size=0    |
      | page-text     | page=two       |
      | size-fraction | page_size=2.5  |

  @id:EE-18-c @rule:EE-18 @op:getIdentificationRequests @policy @needs:users.create
  Scenario: The newest request is listed first
    Given "svc" creates 2 eeID identification requests
    When "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": [{"type": "name", "value": "OK TESTNUMBER"}], "reference": "newest"}
      """
    And the response field "id" is saved as "newest"
    And "svc" sends "GET /api/ident/v1/identification_requests"
    Then the response field "items[0].id" is "${newest}"
    And the response field "items[0].reference" is "newest"
    And the response field "items[2].reference" is "bulk-1"

  @id:EE-17-a @rule:EE-17 @op:createIdentificationRequest @op:getIdentificationRequest @op:getProofOfIdentity @needs:eeid.request.complete
  Scenario: Another service's request, and its proof, are 404, as an unknown one's
    Given "other" has the role "eeid.service_b"
    And "other" gets an eeID access token
    When "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": [{"type": "sub", "value": "EE30303039914"}]}
      """
    And the response field "id" is saved as "id"
    And the person completes the eeID identification "${id}"
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response status is 200
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}/proof_of_identity"
    Then the response status is 200
    When "other" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response status is 404 (policy: any 4xx)
    And the response field "error" is not empty
    When "other" sends "GET /api/ident/v1/identification_requests/${id}/proof_of_identity"
    Then the response status is 404 (policy: any 4xx)
    And the response field "error" is not empty
