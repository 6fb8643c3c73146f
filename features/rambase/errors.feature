Feature: RamBase errors
  Every error, the mock's own statuses included, has RamBase's error body with httpStatusCode equal
  to the HTTP status.

  @id:RB-13-a @rule:RB-13 @op:getAccessToken
  Scenario: A login error is a RamBase error
    Given "verifier" has the role "rambase.api_client"
    When "verifier" logs in to RamBase with a wrong client secret
    Then the response status is 4xx
    And the response is a RamBase error

  @id:RB-13-b @rule:RB-13 @op:verifyIdVerificationToken
  Scenario: A missing parameter is a RamBase error
    Given "verifier" has the role "rambase.api_client"
    And "verifier" logs in to RamBase with client credentials
    When "verifier" sends "GET /id-verification" to RamBase
    Then the response status is 400
    And the response is a RamBase error

  @id:RB-13-c @rule:RB-13
  Scenario: An unknown path is a RamBase error
    When a RamBase client sends "GET /no-such-resource"
    Then the response status is 404
    And the response is a RamBase error

  @id:RB-13-d @rule:RB-13 @op:getAccessToken
  Scenario: A JSON body where a form is expected is a RamBase error
    When a RamBase client sends "POST /oauth2/access_token" with a JSON body
    Then the response status is 4xx
    And the response is a RamBase error
