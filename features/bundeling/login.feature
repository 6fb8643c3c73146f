Feature: Bundeling keys that need user authentication
  A key that needs user authentication logs a user of its environment in with POST /V2/login and sends
  the token it gets as Authorization: BundelingAuth <token>, with the same key, on every other call. It
  may not list users; a key without user authentication may not log in.

  Background:
    Given "app" has the role "bundeling.user_key"
    And "member" has the role "bundeling.member"

  @id:BU-14-a @rule:BU-14 @op:login @op:getUser @policy
  Scenario: A user key is answered with its login's token and refused without one
    Given "bare" has the role "bundeling.user_key"
    When "app" logs in to Bundeling as "member"
    Then the response status is 200
    And the response field "token" is not empty
    When "app" sends "GET /V2/users/${member.id}"
    Then the response status is 200
    And the response field "uuid" is "${member.id}"
    When "bare" sends "GET /V2/users/${member.id}"
    Then the response status is 401
    And the response has no field "uuid"
    When "bare" sends "GET /V2/users/${member.id}" with the header "Authorization" set to "BundelingAuth ${app.token}"
    Then the response status is 401
    And the response has no field "uuid"

  @id:BU-14-b @rule:BU-14 @op:login @policy
  Scenario: A wrong password, or a user of another environment, does not log in
    Given "stranger" has the role "bundeling.other_club_member"
    When "app" logs in to Bundeling as "member"
    Then the response status is 200
    When "app" logs in to Bundeling as "member" with a wrong password
    Then the response status is 401
    And the response has no field "token"
    When "app" logs in to Bundeling as "stranger"
    Then the response status is 401
    And the response has no field "token"

  @id:BU-14-c @rule:BU-14 @op:login @op:listUsers @policy
  Scenario: A user key may not list users, and a key without user authentication may not log in
    Given "partner" has the role "bundeling.integration_key"
    When "partner" sends "GET /V2/users"
    Then the response status is 200
    When "app" logs in to Bundeling as "member"
    Then the response status is 200
    When "app" sends "GET /V2/users"
    Then the response status is 403
    And the response has no field "data"
    When "partner" logs in to Bundeling as "member"
    Then the response status is 403
    And the response has no field "token"
