Feature: Bundeling users
  A key reads the users of its own environment: one by its uuid, with the external reference the third
  party keeps and, for keys without user authentication, its labels; or a page of them, oldest first.

  Background:
    Given "partner" has the role "bundeling.integration_key"
    And "member" has the role "bundeling.member"

  @id:BU-06-a @rule:BU-06 @op:createUserIdentity @op:getUser @needs:bundeling.token.mint @needs:bundeling.external_reference.set
  Scenario: The user of a redeemed token carries the external reference stored last
    Given the external reference of "member" is set to "TP-4711"
    And a Bundeling token for "member" is saved as "token"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${token}"}
      """
    Then the response status is 200
    And the response field "user_uuid" is saved as "user_uuid"
    When "partner" sends "GET /V2/users/${user_uuid}"
    Then the response status is 200
    And the response field "uuid" is "${member.id}"
    And the response field "external_reference" is "TP-4711"

  @id:BU-07-a @rule:BU-07 @op:getUser
  Scenario Outline: A uuid that is no user of the key's environment is 404
    Given "stranger" has the role "bundeling.other_club_member"
    When "partner" sends "GET /V2/users/${member.id}"
    Then the response status is 200
    When "partner" sends "GET /V2/users/<uuid>"
    Then the response status is 404 (policy: any 4xx)
    And the response field "error.code" is 404 (policy)
    And the response has no field "uuid"

    Examples:
      | id          | uuid                             |
      | unknown     | 0123456789abcdef0123456789abcdef |
      | upper-case  | ${member.id\|upper}              |
      | dashed      | eeb763c4-1c05-4dcc-8f6d-9362f24ee9b2 |
      | other-club  | ${stranger.id}                   |

  @id:BU-08-a @rule:BU-08 @op:getUser
  Scenario: The user in XML carries the values of its JSON form
    When "partner" sends "GET /V2/users/${member.id}"
    Then the response status is 200
    And the response header "Content-Type" is "application/json" (policy)
    And the response is saved as "json"
    When "partner" sends "GET /V2/users/${member.id}" with the header "Accept" set to "application/xml"
    Then the response status is 200
    And the response header "Content-Type" is "application/xml; charset=utf-8" (policy)
    And the response body starts with "<?xml" (policy)
    And the response carries the same values as the response saved as "json"
    And the response field "uuid" is "${member.id}"
    And the response field "external_reference" is "${member.external_reference}"
    And the response field "deactivated" is false
    And the response has the field "labels"

  @id:BU-08-b @rule:BU-08 @op:listUsers
  Scenario Outline: A page of users in XML carries the values of its JSON form, a page of one too
    When "partner" sends "GET /V2/users?page_size=<size>"
    Then the response status is 200
    And the response is saved as "json"
    When "partner" sends "GET /V2/users?page_size=<size>" with the header "Accept" set to "application/xml"
    Then the response status is 200
    And the response header "Content-Type" is "application/xml; charset=utf-8" (policy)
    And the response carries the same values as the response saved as "json"
    And the response field "data" has <size> items
    And the response field "pagination.per_page" is <size>
    And the response field "pagination.current_page" is 1

    Examples:
      | id  | size |
      | one | 1    |
      | two | 2    |

  @id:BU-09-a @rule:BU-09 @op:getUser @op:login
  Scenario: Labels are shown to a key without user authentication, not to a key that needs it
    Given "app" has the role "bundeling.user_key"
    And "app" logs in to Bundeling as "member"
    When "partner" sends "GET /V2/users/${member.id}"
    Then the response status is 200
    And the response has the field "labels"
    When "app" sends "GET /V2/users/${member.id}"
    Then the response status is 200
    And the response field "uuid" is "${member.id}"
    And the response has no field "labels"

  @id:BU-11-a @rule:BU-11 @op:listUsers @needs:bundeling.account.create
  Scenario: page_size=3&page=2 is the 4th to 6th users
    Given 6 Bundeling users are created in the environment of "partner"
    When "partner" sends "GET /V2/users?page_size=6&page=1"
    Then the response status is 200
    And the response field "data" has 6 items
    And the response field "data[3].uuid" is saved as "fourth"
    And the response field "data[4].uuid" is saved as "fifth"
    And the response field "data[5].uuid" is saved as "sixth"
    When "partner" sends "GET /V2/users?page_size=3&page=2"
    Then the response status is 200
    And the response field "data" has 3 items
    And the response field "data[0].uuid" is "${fourth}"
    And the response field "data[1].uuid" is "${fifth}"
    And the response field "data[2].uuid" is "${sixth}"
    And the response field "pagination.current_page" is 2
    And the response field "pagination.per_page" is 3

  @id:BU-16-a @rule:BU-16 @op:listUsers @policy
  Scenario: Without parameters the list is the first page of 100
    When "partner" sends "GET /V2/users"
    Then the response status is 200
    And the response field "pagination.current_page" is 1
    And the response field "pagination.per_page" is 100
    And the response field "pagination.total" is a positive integer

  @id:BU-16-b @rule:BU-16 @op:listUsers @policy
  Scenario: The last page holds the last user and a page past the end holds none
    When "partner" sends "GET /V2/users?page_size=1"
    Then the response status is 200
    And the response field "pagination.total" is saved as "total"
    And the response field "pagination.total_pages" is ${total}
    When "partner" sends "GET /V2/users?page_size=1&page=${total}"
    Then the response status is 200
    And the response field "data" has 1 item
    And the response field "pagination.current_page" is ${total}
    When "partner" sends "GET /V2/users?page_size=1000&page=1000000"
    Then the response status is 200
    And the response field "data" is []
    And the response field "pagination.current_page" is 1000000
    And the response field "pagination.total" is ${total}

  @id:BU-16-c @rule:BU-16 @op:listUsers @policy
  Scenario Outline: page and page_size are held to their bounds
    When "partner" sends "GET /V2/users?page_size=1&page=1"
    Then the response status is 200
    When "partner" sends "GET /V2/users?<query>"
    Then the response status is <status>

    Examples:
      | id                  | query                       | status |
      | size-below          | page_size=0                 | 400    |
      | size-lowest         | page_size=1                 | 200    |
      | size-highest        | page_size=1000              | 200    |
      | size-above          | page_size=1001              | 400    |
      | size-not-a-number   | page_size=ten               | 400    |
      | page-below          | page=0                      | 400    |
      | page-highest        | page=1000000                | 200    |
      | page-above          | page=1000001                | 400    |
      | page-negative       | page=-1                     | 400    |
