Feature: RamBase current session
  A signed-in user reads the current session, which carries the ID verification token
  (GET /system/sessions/current, GET /id-verification-token).

  @id:RB-04-a @rule:RB-04 @op:getCurrentSession
  Scenario: The current session needs an access token
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    When "anna" sends "GET /system/sessions/current"
    Then the response status is 200
    When a client sends "GET /system/sessions/current"
    Then the response status is 401 (policy: any 4xx)
    And the response field "httpStatusCode" equals the response status

  @id:RB-05-a @rule:RB-05 @op:getCurrentSession
  Scenario: The session describes the login
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    When "anna" sends "GET /system/sessions/current"
    Then the response status is 200
    And the response field "session.pid" is ${anna.id}
    And the response field "session.apiClientId" is ${anna.client_id}
    And the response field "session.ramBaseName" is ${anna.system}
    And the response field "session.database" is ${anna.database}

  @id:RB-06-c @rule:RB-06 @op:getIdVerificationToken
  Scenario: The newer token endpoint gives a token that verifies like the session's
    Given "anna" has the role "rambase.internal_user"
    And "verifier" has the role "rambase.api_client"
    And "anna" logs in to RamBase with a password
    When "anna" sends "GET /id-verification-token"
    Then the response status is 200
    And the response field "idVerificationToken" is saved as "idv"
    When "verifier" logs in to RamBase with client credentials
    And "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 200
    And the response field "idVerification.user.userId" is ${anna.id}
