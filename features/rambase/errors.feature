Feature: RamBase errors
  Every error, the mock's own statuses included, has RamBase's error body with httpStatusCode equal
  to the HTTP status.

  @id:RB-13-a @rule:RB-13 @op:getAccessToken
  Scenario: A login error is a RamBase error
    Given "verifier" has the role "rambase.api_client"
    When "verifier" logs in to RamBase with client credentials
    Then the response status is 200
    When "verifier" logs in to RamBase with a wrong client secret
    Then the response status is 400
    And the response field "httpStatusCode" equals the response status
    And the response field "message" is not empty

  @id:RB-13-b @rule:RB-13 @op:verifyIdVerificationToken @op:getUser
  Scenario Outline: A bad request is a RamBase error
    Given "verifier" has the role "rambase.api_client"
    And "verifier" logs in to RamBase with client credentials
    When "verifier" sends "<good>"
    Then the response status is 200
    When "verifier" sends "<request>"
    Then the response status is <status>
    And the response field "httpStatusCode" equals the response status
    And the response field "message" is not empty

    Examples:
      | id                | good                             | request                        | status |
      | missing-parameter | GET /id-verification-token       | GET /id-verification           | 400    |
      | bad-id            | GET /system/users/${verifier.id} | GET /system/users/abc          | 400    |
      | unknown-path      | GET /system/sessions/current     | GET /no-such-resource          | 404    |
      | unknown-user      | GET /system/users/${verifier.id} | GET /system/users/999999999999 | 404    |
      | wrong-method      | GET /system/sessions/current     | DELETE /system/sessions/current | 405    |

  @id:RB-13-c @rule:RB-13 @op:getAccessToken
  Scenario: A JSON body where a form is expected is a RamBase error
    Given "verifier" has the role "rambase.api_client"
    When a client sends "POST /oauth2/access_token" with the form:
      | grant_type    | client_credentials        |
      | client_id     | ${verifier.client_id}     |
      | client_secret | ${verifier.client_secret} |
    Then the response status is 200
    When a client sends "POST /oauth2/access_token" with a "application/json" body:
      """
      {"grant_type": "client_credentials", "client_id": "${verifier.client_id}", "client_secret": "${verifier.client_secret}"}
      """
    Then the response status is 4xx
    And the response field "httpStatusCode" equals the response status
