Feature: RandaVerify login
  A user exchanges a username and password for a bearer JWT (POST /login, the OAuth2 password form).
  Tokens expire 60 minutes after issue; there is no refresh route.

  @id:RV-01-a @rule:RV-01 @op:login
  Scenario: Good credentials give a bearer JWT that lives 60 minutes
    Given "ada" has the role "randaverify.org_admin"
    When "ada" logs in to RandaVerify
    Then the response status is 200
    And the response field "token_type" is "bearer"
    And the response field "require_password_change" is false
    And the response field "access_token" is a JWT that expires 3600 seconds after it was issued

  @id:RV-01-b @rule:RV-01 @op:login
  Scenario: The email logs in as well as the username, and a wrong password does not
    Given "ada" has the role "randaverify.org_admin"
    When a client sends "POST /login" with the form:
      | username | ${ada.email}    |
      | password | ${ada.password} |
    Then the response status is 200
    When a client sends "POST /login" with the form:
      | username | ${ada.email}          |
      | password | ${ada.password}-wrong |
    Then the response status is 401 (policy: any 4xx)
    And the response field "detail" is not empty
    And the response has no field "access_token"

  @id:RV-02-a @rule:RV-02 @op:login @policy
  Scenario: The login fields sent as JSON instead of a form are refused as FastAPI refuses them
    Given "ada" has the role "randaverify.org_admin"
    When a client sends "POST /login" with the form:
      | username | ${ada.username} |
      | password | ${ada.password} |
    Then the response status is 200
    When a client sends "POST /login" with a "application/json" body:
      """
      {"username": "${ada.username}", "password": "${ada.password}"}
      """
    Then the response status is 422
    And the response field "detail[0].loc[0]" is "body"
    And the response field "detail[0].loc[1]" is "username"
    And the response field "detail[0].type" is "missing"
    And the response has no field "access_token"

  @id:RV-02-b @rule:RV-02 @op:login
  Scenario Outline: A login form without a field is a FastAPI validation error naming it
    # No login without both fields is the seed's; the 422 and FastAPI's detail are ours.
    Given "ada" has the role "randaverify.org_admin"
    When a client sends "POST /login" with the form:
      | <field> | ${ada.<field>} |
    Then the response status is 422 (policy: any 4xx)
    And the response has no field "access_token"
    And the response field "detail[0].loc[1]" is "<missing>" (policy)
    And the response field "detail[0].msg" is "Field required" (policy)

    Examples:
      | id               | field    | missing  |
      | without-password | username | password |
      | without-username | password | username |

  @id:RV-03-a @rule:RV-03 @op:getMe @op:login @needs:clock.advance
  Scenario: A token works at 59:59 and stops at 60:00 and after
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    And the token of "ada" has 1 second left
    When "ada" sends "GET /me"
    Then the response status is 200
    Given 1 second passes
    When "ada" sends "GET /me"
    Then the response status is 401 (policy: any 4xx)
    Given 1 second passes
    When "ada" sends "GET /me"
    Then the response status is 401 (policy: any 4xx)
    And the response field "detail" is not empty

  @id:RV-04-a @rule:RV-04 @op:getMe
  Scenario: There is no refresh route; a new login is the way to a new token
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    When "ada" sends "GET /me"
    Then the response status is 200
    When "ada" sends "POST /refresh"
    Then the response status is 404
    When "ada" sends "POST /token/refresh"
    Then the response status is 404
