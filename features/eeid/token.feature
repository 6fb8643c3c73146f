Feature: eeID access tokens
  A service exchanges its client credentials (HTTP Basic, no body, as eeID's own client sends them)
  for a Bearer token that lives 120 seconds; every identification call carries it.

  @id:EE-01-a @rule:EE-01 @op:createToken
  Scenario: Good client credentials give a Bearer token that lives 120 seconds
    Given "svc" has the role "eeid.service_a"
    When "svc" gets an eeID access token
    Then the response status is 201
    And the response field "token_type" is "Bearer"
    And the response field "expires_in" is 120
    And the response field "access_token" is a JWT that expires 120 seconds after it was issued

  @id:EE-02-a @rule:EE-02 @op:createToken
  Scenario: A wrong client secret gets 401 and no token
    Given "svc" has the role "eeid.service_a"
    When "svc" gets an eeID access token
    Then the response status is 201
    When "svc" gets an eeID access token with the secret "${svc.client_secret}-wrong"
    Then the response status is 401
    And the response field "error" is not empty
    And the response has no field "access_token"

  @id:EE-02-b @rule:EE-02 @op:createToken
  Scenario Outline: No Basic credentials, or credentials that are not id:secret, get 401
    Given "svc" has the role "eeid.service_a"
    When "svc" gets an eeID access token
    Then the response status is 201
    When a client sends "POST /api/auth/v1/token" with the header "Authorization" set to "<authorization>"
    Then the response status is 401
    And the response field "error" is not empty
    And the response has no field "access_token"

    Examples:
      | id              | authorization          |
      | bearer          | Bearer ${svc.token}    |
      | not-base64      | Basic !!!              |
      | no-colon        | Basic c2VydmljZS1h     |
      | empty-secret    | Basic c2VydmljZS1hOg== |
      | empty-id-secret | Basic Og==             |
      | scheme-only     | Basic                  |

  @id:EE-02-c @rule:EE-02 @op:createToken
  Scenario: No Authorization header gets 401
    Given "svc" has the role "eeid.service_a"
    When "svc" gets an eeID access token
    Then the response status is 201
    When a client sends "POST /api/auth/v1/token"
    Then the response status is 401
    And the response field "error" is not empty

  @id:EE-03-a @rule:EE-03 @op:getIdentificationRequests @op:getIdentificationRequest @op:createIdentificationRequest @op:getProofOfIdentity @needs:clock.advance @needs:eeid.request.complete
  Scenario: A token works on every identification route 119 s after issue, and on none at 120 s or 121 s
    Given "svc" has the role "eeid.service_a"
    And "svc" gets an eeID access token
    And "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": [{"type": "sub", "value": "EE30303039914"}]}
      """
    And the response field "id" is saved as "id"
    And the person completes the eeID identification "${id}"
    # Each route gets a token of its own at its last second, so that against a served mock, whose
    # clock runs in real time, only one request has to fit in that second.
    And the token of "svc" has 1 second left
    When "svc" sends "GET /api/ident/v1/identification_requests"
    Then the response status is 200
    Given "svc" gets an eeID access token
    And the token of "svc" has 1 second left
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response status is 200
    Given "svc" gets an eeID access token
    And the token of "svc" has 1 second left
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}/proof_of_identity"
    Then the response status is 200
    Given "svc" gets an eeID access token
    And the token of "svc" has 1 second left
    When "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": [{"type": "sub", "value": "EE30303039914"}]}
      """
    Then the response status is 201
    Given 1 second passes
    When "svc" sends "GET /api/ident/v1/identification_requests"
    Then the response status is 401
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response status is 401
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}/proof_of_identity"
    Then the response status is 401
    When "svc" sends "POST /api/ident/v1/identification_requests" with a "application/json" body:
      """
      {"claims_required": [{"type": "sub", "value": "EE30303039914"}]}
      """
    Then the response status is 401
    Given 1 second passes
    When "svc" sends "GET /api/ident/v1/identification_requests"
    Then the response status is 401
    And the response field "error" is not empty
    When "svc" sends "GET /api/ident/v1/identification_requests/${id}/proof_of_identity"
    Then the response status is 401
    When "svc" gets an eeID access token
    And "svc" sends "GET /api/ident/v1/identification_requests/${id}"
    Then the response status is 200

  @id:EE-03-b @rule:EE-03 @op:getIdentificationRequests @needs:clock.advance
  Scenario: Each token lives its own 120 seconds: a second one outlives the first
    Given "first" has the role "eeid.service_a"
    And "first" gets an eeID access token
    And 60 seconds pass
    And "second" has the role "eeid.service_a"
    And "second" gets an eeID access token
    And 60 seconds pass
    When "first" sends "GET /api/ident/v1/identification_requests"
    Then the response status is 401
    When "second" sends "GET /api/ident/v1/identification_requests"
    Then the response status is 200
