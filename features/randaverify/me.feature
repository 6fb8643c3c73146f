Feature: RandaVerify's current user
  GET /me returns the user and their organisation: the token's sanity check.

  @id:RV-10-a @rule:RV-10 @op:getMe
  Scenario: A valid token reads the user and their organisation
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    When "ada" sends "GET /me"
    Then the response status is 200
    And the response field "id" is ${ada.id}
    And the response field "username" is ${ada.username}
    And the response field "is_active" is true
    And the response field "organisation.slug" is ${ada.organisation_slug}
    And the response field "organisation.subscription_status" is not empty
    And the response field "organisation.lifetime_badge.name" is not empty

  @id:RV-11-a @rule:RV-11 @op:getMe
  Scenario Outline: No token, or a malformed one, is 401 {detail}
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    When "ada" sends "GET /me"
    Then the response status is 200
    When a client sends "GET /me" with the header "Authorization" set to "<authorization>"
    Then the response status is 401 (policy: any 4xx)
    And the response field "detail" is not empty

    Examples:
      | id           | authorization          |
      | empty        |                        |
      | bearer-only  | Bearer                 |
      | basic        | Basic YWRhOnNlY3JldA== |
      | not-a-jwt    | Bearer not-a-jwt       |
      | forged       | Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMiIsInVzZSI6ImFjY2VzcyJ9.c2lnbmF0dXJl |
