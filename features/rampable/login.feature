Feature: Rampable login
  A partner's back end logs a user in with an email and a password (POST /v1/auth/login). The answer
  is a verification token, and a fresh 6-digit code is emailed; the token and the code together get
  an access token (POST /v1/auth/verify-login). A newer login kills the earlier token.

  @id:RP-04-a @rule:RP-04 @op:login
  Scenario: Good credentials give a verification token
    Given "ada" has the role "rampable.verified_user"
    When "ada" logs in to Rampable
    Then the response status is 200
    And the response field "status" is 200
    And the response field "message" is "ok"
    And the response field "data.verificationToken" is not empty
    And the response field "data.verificationToken" is a JWT signed with HS256

  @id:RP-05-a @rule:RP-05 @op:login
  Scenario: A wrong password and an unknown email get the same refusal, and no verification token
    # A login with a wrong password failing is the vendor's; the 401, and the same answer for an
    # email no account has, are ours.
    Given "ada" has the role "rampable.verified_user"
    When "ada" logs in to Rampable
    Then the response status is 200
    When "ada" logs in to Rampable with the password "${ada.password}-wrong"
    Then the response status is 401 (policy: any 4xx)
    And the response has no field "data.verificationToken"
    And the response field "statusCode" is 401 (policy)
    And the response field "message" is saved as "refusal"
    When a client sends "POST /v1/auth/login" with a "application/json" body:
      """
      {"email": "nobody-${ada.email}", "password": "${ada.password}"}
      """
    Then the response status is 401 (policy: any 4xx)
    And the response has no field "data.verificationToken"
    And the response field "message" is ${refusal} (policy)

  @id:RP-11-a @rule:RP-11 @op:login @op:verifyLogin @policy @needs:outbox
  Scenario: A newer login kills the earlier verification token, with its own code and with the new one
    Given "ada" has the role "rampable.verified_user"
    When "ada" logs in to Rampable
    And the code of the latest "otp" message to "ada" is saved as "code"
    And "ada" verifies the Rampable login with the code "${code}"
    Then the response status is 200
    When "ada" logs in to Rampable
    And the value "${ada.verification_token}" is saved as "older_token"
    And the code of the latest "otp" message to "ada" is saved as "older_code"
    And "ada" logs in to Rampable
    And the code of the latest "otp" message to "ada" is saved as "newer_code"
    And a client sends "POST /v1/auth/verify-login" with a "application/json" body:
      """
      {"verificationToken": "${older_token}", "otp": "${older_code}"}
      """
    Then the response status is 401
    And the response has no field "data.accessToken"
    When a client sends "POST /v1/auth/verify-login" with a "application/json" body:
      """
      {"verificationToken": "${older_token}", "otp": "${newer_code}"}
      """
    Then the response status is 401
    When "ada" verifies the Rampable login with the code "${newer_code}"
    Then the response status is 200
    And the response field "data.accessToken" is not empty

  @id:RP-11-b @rule:RP-11 @op:login @op:verifyLogin @policy @needs:outbox
  Scenario: A refused login kills nothing
    Given "ada" has the role "rampable.verified_user"
    When "ada" logs in to Rampable
    Then the response status is 200
    And the code of the latest "otp" message to "ada" is saved as "code"
    When "ada" logs in to Rampable with the password "${ada.password}-wrong"
    Then the response status is 401
    When a client sends "POST /v1/auth/login" with a "application/json" body:
      """
      {"email": "${ada.email}"}
      """
    Then the response status is 400
    When "ada" verifies the Rampable login with the code "${code}"
    Then the response status is 200
