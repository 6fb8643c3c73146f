Feature: RamBase login
  API clients log in with client credentials; users log in with their password and, when they have
  OTP on, an emailed one-time password (POST /oauth2/access_token).

  @id:RB-01-a @rule:RB-01 @op:getAccessToken
  Scenario: An API client logs in with client credentials
    Given "verifier" has the role "rambase.api_client"
    When "verifier" logs in to RamBase with client credentials
    Then the response status is 200
    And the response field "access_token" is not empty
    And the response field "expires_in" is a positive integer

  @id:RB-01-b @rule:RB-01 @op:getAccessToken
  Scenario: A user without OTP logs in with a password alone
    Given "anna" has the role "rambase.internal_user"
    When "anna" logs in to RamBase with a password
    Then the response status is 200
    And the response field "access_token" is not empty
    And the response field "expires_in" is a positive integer

  @id:RB-02-a @rule:RB-02 @op:getAccessToken
  Scenario: A wrong client secret gets no token
    Given "verifier" has the role "rambase.api_client"
    When "verifier" logs in to RamBase with client credentials
    Then the response status is 200
    When "verifier" logs in to RamBase with a wrong client secret
    Then the response status is 4xx
    And the response has no field "access_token"

  @id:RB-03-a @rule:RB-03 @op:getAccessToken @needs:outbox
  Scenario: A user with OTP on logs in once with the emailed one-time password
    Given "olav" has the role "rambase.otp_user"
    When "olav" logs in to RamBase with a password
    Then the response status is 400
    And the response field "error_code" is 5
    And the response field "otp_required" is true
    And the response has no field "access_token"
    Given the code of the latest "otp" message to "olav" is saved as "otp"
    When "olav" logs in to RamBase with the one-time password "${otp}"
    Then the response status is 200
    And the response field "access_token" is not empty
    When "olav" logs in to RamBase with the one-time password "${otp}"
    Then the response status is 400
    And the response has no field "access_token"
