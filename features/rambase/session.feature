Feature: RamBase current session
  A signed-in user reads the current session, which carries the ID verification token
  (GET /system/sessions/current, GET /id-verification-token).

  @id:RB-04-a @rule:RB-04 @op:getCurrentSession @policy
  Scenario: The current session needs an access token
    When the current RamBase session is read without an access token
    Then the response status is 401
    And the response is a RamBase error

  @id:RB-05-a @rule:RB-05 @op:getCurrentSession
  Scenario: The session describes the login
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    When "anna" reads the current RamBase session
    Then the response status is 200
    And the session matches the login of "anna"

  @id:RB-06-c @rule:RB-06 @op:getIdVerificationToken
  Scenario: The newer token endpoint gives a token that verifies like the session's
    Given "anna" has the role "rambase.internal_user"
    And "verifier" has the role "rambase.api_client"
    And "anna" logs in to RamBase with a password
    And "anna" reads the current RamBase session
    When "anna" asks RamBase for an ID verification token
    Then the response status is 200
    And the response field "idVerificationToken" is not empty
    When "verifier" logs in to RamBase with client credentials
    And "verifier" verifies the ID verification token of "anna"
    Then the response status is 200
    And the verified user is the session user of "anna"
