Feature: Rampable envelopes and errors
  Success bodies keep the vendor's inconsistent top-level keys: statusCode on register, status on
  login and verify-login. Every error is {statusCode, message, data: null} with statusCode equal to
  the HTTP status, and bad input is refused before anything changes: no account, no mail, no attempt
  counted.

  @id:RP-12-a @rule:RP-12 @op:register @op:login
  Scenario: Register answers statusCode and login answers status
    Given "neo" is a new Rampable user
    And "ada" has the role "rampable.verified_user"
    When "neo" registers with Rampable
    Then the response status is 200
    And the response field "statusCode" is 200
    And the response has no field "status"
    When "ada" logs in to Rampable
    Then the response status is 200
    And the response field "status" is 200
    And the response has no field "statusCode"

  @id:RP-12-b @rule:RP-12 @op:register @op:verifyLogin @op:login @needs:outbox
  Scenario: A new user's whole story keeps each operation's key
    Given "neo" is a new Rampable user
    When "neo" registers with Rampable
    Then the response status is 200
    And the response field "statusCode" is 200
    And the response has no field "status"
    And the code of the latest "otp" message to "neo" is saved as "code"
    When "neo" verifies the Rampable login with the code "${code}"
    Then the response status is 200
    And the response field "status" is 200
    And the response has no field "statusCode"
    When "neo" logs in to Rampable
    Then the response status is 200
    And the response field "status" is 200
    And the response has no field "statusCode"

  @id:RP-13-a @rule:RP-13 @op:login @policy
  Scenario Outline: A login body that is not what the schema says is a 400 naming what is wrong
    Given "ada" has the role "rampable.verified_user"
    When "ada" logs in to Rampable
    Then the response status is 200
    When a client sends "POST /v1/auth/login" with a "application/json" body:
      """
      <body>
      """
    Then the response status is 400
    And the response field "statusCode" is 400
    And the response field "data" is null
    And the response field "message" mentions "<names>"
    And the response has no field "data.verificationToken"

    Examples:
      | id              | body                                                                 | names    |
      | seed-example    | {"email": "${ada.email}" "password": "${ada.password}"}              | JSON     |
      | wrong-type      | {"email": "${ada.email}", "password": 12345678}                      | password |
      | missing-field   | {"email": "${ada.email}"}                                            | password |
      | unknown-field   | {"email": "${ada.email}", "password": "${ada.password}", "otp": "1"} | otp      |
      | not-an-object   | ["${ada.email}", "${ada.password}"]                                  | object   |
      | two-values      | {"email": "${ada.email}", "password": "${ada.password}"} {}          | JSON     |

  @id:RP-13-b @rule:RP-13 @op:register @policy @needs:outbox
  Scenario Outline: A registration with bad input creates nothing and mails nothing
    Given "trinity" is a new Rampable user
    And "neo" is a new Rampable user
    When "trinity" registers with Rampable
    Then the response status is 200
    When a client sends "POST /v1/auth/register" with a "application/json" body:
      """
      <body>
      """
    Then the response status is 400
    And the response field "statusCode" is 400
    And the response field "data" is null
    And the response field "message" mentions "<names>"
    And no "otp" message was sent to "${neo.email}"
    When "neo" registers with Rampable
    Then the response status is 200

    Examples:
      | id                 | body                                                                                                   | names       |
      | empty-full-name    | {"email": "${neo.email}", "password": "${neo.password}", "fullName": ""}                               | fullName    |
      | full-name-a-number | {"email": "${neo.email}", "password": "${neo.password}", "fullName": 7}                                | fullName    |
      | no-password        | {"email": "${neo.email}", "fullName": "${neo.full_name}"}                                              | password    |
      | three-letter-code  | {"email": "${neo.email}", "password": "${neo.password}", "fullName": "${neo.full_name}", "countryCode": "SGP"} | countryCode |
      | a-role-of-my-own   | {"email": "${neo.email}", "password": "${neo.password}", "fullName": "${neo.full_name}", "role": "admin"}      | role        |

  @id:RP-13-c @rule:RP-13 @op:register @policy
  Scenario: An email without @ is refused
    Given "neo" is a new Rampable user
    When "neo" registers with Rampable
    Then the response status is 200
    When a client sends "POST /v1/auth/register" with a "application/json" body:
      """
      {"email": "not-an-email", "password": "${neo.password}", "fullName": "${neo.full_name}"}
      """
    Then the response status is 400
    And the response field "message" mentions "email"

  @id:RP-13-d @rule:RP-13 @op:login @op:verifyLogin @policy @needs:outbox
  Scenario: Malformed verify-login bodies count no attempt and leave the code working
    # Six malformed bodies, more than the 5 wrong codes a token survives: none of them counted.
    Given "ada" has the role "rampable.verified_user"
    When "ada" logs in to Rampable
    And the code of the latest "otp" message to "ada" is saved as "code"
    And "ada" verifies the Rampable login with the code "${code}"
    Then the response status is 200
    When "ada" logs in to Rampable
    And the code of the latest "otp" message to "ada" is saved as "code"
    And a client sends "POST /v1/auth/verify-login" with a "application/json" body:
      """
      {"verificationToken": "${ada.verification_token}"}
      """
    Then the response status is 400
    And the response field "message" mentions "otp"
    When a client sends "POST /v1/auth/verify-login" with a "application/json" body:
      """
      {"verificationToken": "${ada.verification_token}", "otp": "12345"}
      """
    Then the response status is 400
    And the response field "message" mentions "otp"
    When a client sends "POST /v1/auth/verify-login" with a "application/json" body:
      """
      {"verificationToken": "${ada.verification_token}", "otp": 123456}
      """
    Then the response status is 400
    And the response field "message" mentions "otp"
    When a client sends "POST /v1/auth/verify-login" with a "application/json" body:
      """
      {"verificationToken": "${ada.verification_token}", "otp": "${code}", "isDisableExpire": "yes"}
      """
    Then the response status is 400
    And the response field "message" mentions "isDisableExpire"
    When a client sends "POST /v1/auth/verify-login" with a "application/json" body:
      """
      {"verificationToken": "${ada.verification_token}", "otp": "${code}", "remember": true}
      """
    Then the response status is 400
    And the response field "message" mentions "remember"
    When a client sends "POST /v1/auth/verify-login" with a "application/json" body:
      """
      {"otp": "${code}"}
      """
    Then the response status is 400
    And the response field "message" mentions "verificationToken"
    When "ada" verifies the Rampable login with the code "${code}"
    Then the response status is 200

  @id:RP-13-e @rule:RP-13 @op:login @policy
  Scenario: A body that is not JSON is 415
    Given "ada" has the role "rampable.verified_user"
    When "ada" logs in to Rampable
    Then the response status is 200
    When a client sends "POST /v1/auth/login" with the form:
      | email    | ${ada.email}    |
      | password | ${ada.password} |
    Then the response status is 415
    And the response field "statusCode" is 415
    And the response field "data" is null
    When a client sends "POST /v1/auth/login" with a "text/plain" body:
      """
      {"email": "${ada.email}", "password": "${ada.password}"}
      """
    Then the response status is 415
    And the response has no field "data.verificationToken"

  @id:RP-13-f @rule:RP-13 @op:login @policy
  Scenario: A body of 1 MiB is read, and one of a byte more is 413
    Given "ada" has the role "rampable.verified_user"
    When a client sends "POST /v1/auth/login" with a "application/json" body padded with spaces to 1048576 bytes:
      """
      {"email": "${ada.email}", "password": "${ada.password}"}
      """
    Then the response status is 200
    When a client sends "POST /v1/auth/login" with a "application/json" body padded with spaces to 1048577 bytes:
      """
      {"email": "${ada.email}", "password": "${ada.password}"}
      """
    Then the response status is 413
    And the response field "statusCode" is 413
    And the response field "data" is null

  @id:RP-13-g @rule:RP-13 @op:register @policy @needs:outbox
  Scenario: A body that is not UTF-8 is a 400 and creates nothing
    Given "trinity" is a new Rampable user
    And "neo" is a new Rampable user
    When "trinity" registers with Rampable
    Then the response status is 200
    When a client sends "POST /v1/auth/register" with a "application/json" body, its "é" sent as Latin-1:
      """
      {"email": "${neo.email}", "password": "${neo.password}", "fullName": "Zoé Neo"}
      """
    Then the response status is 400
    And the response field "statusCode" is 400
    And the response field "message" mentions "UTF-8"
    And no "otp" message was sent to "${neo.email}"
    When "neo" registers with Rampable
    Then the response status is 200

  @id:RP-13-h @rule:RP-13 @op:login @policy
  Scenario: An unknown route and a wrong method answer the error envelope
    Given "ada" has the role "rampable.verified_user"
    When "ada" logs in to Rampable
    Then the response status is 200
    When a client sends "GET /v1/auth/login"
    Then the response status is 405
    And the response header "Allow" is "POST"
    And the response field "statusCode" is 405
    And the response field "data" is null
    When a client sends "POST /v1/auth/logout" with a "application/json" body:
      """
      {}
      """
    Then the response status is 404
    And the response field "statusCode" is 404
    And the response field "data" is null
