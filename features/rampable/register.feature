Feature: Rampable registration
  A partner's back end registers a user with an email, a password and a full name
  (POST /v1/auth/register). The answer is a verification token, and a 6-digit code is emailed; the
  new account logs in only once that code has been verified (POST /v1/auth/verify-login).

  @id:RP-01-a @rule:RP-01 @op:register
  Scenario: A registration with the required fields gives a verification token
    Given "neo" is a new Rampable user
    When "neo" registers with Rampable
    Then the response status is 200
    And the response field "statusCode" is 200
    And the response field "message" is "User Created"
    And the response field "data.verificationToken" is not empty
    And the response field "data.verificationToken" is a JWT signed with HS256

  @id:RP-01-b @rule:RP-01 @op:register @op:verifyLogin @needs:outbox
  Scenario: A registration with every field mails a code that verifies the registered user
    # The seed's own example, written as valid JSON (the seed's lacks a comma in its login example).
    Given "neo" is a new Rampable user
    When a client sends "POST /v1/auth/register" with a "application/json" body:
      """
      {"fullName": "${neo.full_name}", "nationalID": "123123", "countryCode": "SG", "country": "Singapore",
       "password": "${neo.password}", "email": "${neo.email}"}
      """
    Then the response status is 200
    And the response field "statusCode" is 200
    And the response field "data.verificationToken" is saved as "registration"
    And the code of the latest "otp" message to "neo" is saved as "code"
    When a client sends "POST /v1/auth/verify-login" with a "application/json" body:
      """
      {"verificationToken": "${registration}", "otp": "${code}"}
      """
    Then the response status is 200
    And the response field "data.user.email" is "${neo.email}"
    And the response field "data.user.name" is "${neo.full_name}" (policy)
    And the response field "data.user.legalFullName" is "${neo.full_name}" (policy)
    And the response field "data.user.country" is "Singapore" (policy)
    And the response field "data.user.countryCode" is "SG" (policy)

  @id:RP-02-a @rule:RP-02 @op:register
  Scenario: A registration without a full name is refused and creates no account
    # The seed requires fullName; the 400 and its message are ours. The last registration of the same
    # email succeeding shows the refused one created nothing.
    Given "trinity" is a new Rampable user
    And "neo" is a new Rampable user
    When "trinity" registers with Rampable
    Then the response status is 200
    When a client sends "POST /v1/auth/register" with a "application/json" body:
      """
      {"email": "${neo.email}", "password": "${neo.password}"}
      """
    Then the response status is 400 (policy: any 4xx)
    And the response has no field "data.verificationToken"
    And the response field "data" is null (policy)
    And the response field "message" mentions "fullName" (policy)
    When "neo" registers with Rampable
    Then the response status is 200

  @id:RP-03-a @rule:RP-03 @op:register @op:verifyLogin @op:login @policy @needs:outbox
  Scenario: A second registration of an email is 409 in any case of its letters, and changes nothing
    Given "neo" is a new Rampable user
    When "neo" registers with Rampable
    Then the response status is 200
    And the code of the latest "otp" message to "neo" is saved as "code"
    When a client sends "POST /v1/auth/register" with a "application/json" body:
      """
      {"email": "${neo.email}", "password": "another-password", "fullName": "Someone Else"}
      """
    Then the response status is 409
    And the response field "statusCode" is 409
    And the response field "data" is null
    When a client sends "POST /v1/auth/register" with a "application/json" body:
      """
      {"email": "${neo.email|upper}", "password": "another-password", "fullName": "Someone Else"}
      """
    Then the response status is 409
    When "neo" verifies the Rampable login with the code "${code}"
    Then the response status is 200
    And the response field "data.user.name" is "${neo.full_name}"
    And the response field "data.user.email" is "${neo.email}"
    When "neo" logs in to Rampable with the password "another-password"
    Then the response status is 401
    When a client sends "POST /v1/auth/login" with a "application/json" body:
      """
      {"email": "${neo.email|upper}", "password": "${neo.password}"}
      """
    Then the response status is 200

  @id:RP-03-b @rule:RP-03 @op:register @op:login @policy
  Scenario: The email of an account that has verified cannot be registered again
    Given "ada" has the role "rampable.verified_user"
    When "ada" logs in to Rampable
    Then the response status is 200
    When a client sends "POST /v1/auth/register" with a "application/json" body:
      """
      {"email": "${ada.email}", "password": "a-password-of-my-own", "fullName": "Ada Again"}
      """
    Then the response status is 409
    And the response has no field "data.verificationToken"
    When "ada" logs in to Rampable
    Then the response status is 200

  @id:RP-14-a @rule:RP-14 @op:register @op:login @op:verifyLogin @policy @needs:outbox
  Scenario: A registered account logs in only after its first verification
    # The refused login keeps the registration's verification token alive: it is the way in.
    Given "ada" has the role "rampable.verified_user"
    And "neo" is a new Rampable user
    When "ada" logs in to Rampable
    Then the response status is 200
    When "neo" registers with Rampable
    Then the response status is 200
    And the code of the latest "otp" message to "neo" is saved as "code"
    When "neo" logs in to Rampable
    Then the response status is 403
    And the response field "statusCode" is 403
    And the response field "data" is null
    When "neo" verifies the Rampable login with the code "${code}"
    Then the response status is 200
    When "neo" logs in to Rampable
    Then the response status is 200
    And the response field "data.verificationToken" is not empty

  @id:RP-14-b @rule:RP-14 @op:login @policy
  Scenario: An account that has never verified gets 403 only with its right password
    Given "ada" has the role "rampable.verified_user"
    And "una" has the role "rampable.unverified_user"
    When "ada" logs in to Rampable
    Then the response status is 200
    When "una" logs in to Rampable with the password "${una.password}-wrong"
    Then the response status is 401
    And the response has no field "data.verificationToken"
    When "una" logs in to Rampable
    Then the response status is 403
    And the response has no field "data.verificationToken"
    And the response field "message" mentions "verified"
