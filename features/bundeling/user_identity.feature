Feature: Bundeling user identity
  A manager puts {{useridentity}} in an AppCMS link; Bundeling writes a one-time token for the user who
  opens it in its place; the third party's site trades the token for the user's uuid with its API key,
  reads the user and logs them in by the external reference it keeps. A token lives 5 minutes, is
  redeemed once, and only by a key of the user's own environment (club).

  Background:
    Given "partner" has the role "bundeling.integration_key"
    And "member" has the role "bundeling.member"

  @id:BU-01-a @rule:BU-01 @rule:BU-06 @op:createUserIdentity @op:getUser @needs:bundeling.link.render
  Scenario: The app link's token logs its user in at the third party's site (the seed's eight steps)
    # 1. A manager creates an AppCMS link holding {{useridentity}}; 2. Bundeling puts the user's token in its place.
    Given a Bundeling link for "member" is rendered from "https://thirdparty.example/tickets?bundeling_token={{useridentity}}" and saved as "link"
    # 3. The user follows the link to the third party's site, which reads the token from it.
    And the query parameter "bundeling_token" of "${link}" is saved as "token"
    # 4. The site sends the token to Bundeling; 5. Bundeling answers with the user's uuid.
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${token}"}
      """
    Then the response status is 200
    And the response field "user_uuid" is "${member.id}"
    And the response field "user_uuid" is saved as "user_uuid"
    # 6. The site asks for the user; 7. Bundeling answers with the user, its external reference included.
    When "partner" sends "GET /V2/users/${user_uuid}"
    Then the response status is 200
    And the response field "uuid" is "${member.id}"
    # 8. The site finds its own reference and logs the user in.
    And the response field "external_reference" is "${member.external_reference}"

  @id:BU-01-b @rule:BU-01 @op:createUserIdentity @needs:bundeling.token.mint
  Scenario: A freshly minted token gives the uuid of its user
    Given a Bundeling token for "member" is saved as "token"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${token}"}
      """
    Then the response status is 200
    And the response field "user_uuid" is "${member.id}"

  @id:BU-02-a @rule:BU-02 @op:createUserIdentity @needs:bundeling.token.mint
  Scenario: The token that worked is refused the second time
    Given a Bundeling token for "member" is saved as "token"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${token}"}
      """
    Then the response status is 200
    And the response field "user_uuid" is "${member.id}"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${token}"}
      """
    Then the response status is 400 (policy: any 4xx)
    And the response has no field "user_uuid"
    And the response field "error.code" is 400 (policy)

  @id:BU-03-a @rule:BU-03 @op:createUserIdentity @needs:bundeling.token.mint @needs:clock.advance
  Scenario: A token is refused once its time has passed
    Given a Bundeling token for "member" is saved as "now"
    And a Bundeling token for "member" is saved as "tomorrow"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${now}"}
      """
    Then the response status is 200
    When 86400 seconds pass
    And "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${tomorrow}"}
      """
    Then the response status is 400 (policy: any 4xx)
    And the response has no field "user_uuid"

  @id:BU-03-b @rule:BU-03 @op:createUserIdentity @needs:bundeling.token.mint @needs:clock.advance @policy
  Scenario: A token lives 5 minutes: redeemed at 4:59, refused at 5:00 and at 5:01
    Given a Bundeling token for "member" is saved as "first"
    And a Bundeling token for "member" is saved as "second"
    And a Bundeling token for "member" is saved as "third"
    When 299 seconds pass
    And "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${first}"}
      """
    Then the response status is 200
    And the response field "user_uuid" is "${member.id}"
    When 1 second passes
    And "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${second}"}
      """
    Then the response status is 400
    And the response has no field "user_uuid"
    When 1 second passes
    And "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${third}"}
      """
    Then the response status is 400
    And the response has no field "user_uuid"

  @id:BU-04-a @rule:BU-04 @op:createUserIdentity @needs:bundeling.token.mint
  Scenario: Without an Api-Key a token is not redeemed
    Given a Bundeling token for "member" is saved as "first"
    And a Bundeling token for "member" is saved as "second"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${first}"}
      """
    Then the response status is 200
    When a client sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${second}"}
      """
    Then the response status is 401 (policy: any 4xx)
    And the response has no field "user_uuid"

  @id:BU-05-a @rule:BU-05 @op:createUserIdentity @needs:bundeling.token.mint @policy
  Scenario Outline: A body without a token, or with an empty one, is 400
    Given a Bundeling token for "member" is saved as "token"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${token}"}
      """
    Then the response status is 200
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      <body>
      """
    Then the response status is 400
    And the response has no field "user_uuid"
    And the response field "error.code" is 400
    And the response field "error.message" is not empty

    Examples:
      | id          | body                 |
      | empty-body  |                      |
      | no-token    | {}                   |
      | other-field | {"user_token": "x"}  |
      | empty-token | {"token": ""}        |
      | null-token  | {"token": null}      |
      | number      | {"token": 1234}      |
      | not-json    | {"token": "x"        |

  @id:BU-10-a @rule:BU-10 @op:createUserIdentity @needs:bundeling.token.mint
  Scenario: Tokens minted for two users redeem to the two users, each once
    Given "other" has the role "bundeling.other_member"
    And a Bundeling token for "member" is saved as "mine"
    And a Bundeling token for "other" is saved as "theirs"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${mine}"}
      """
    Then the response status is 200
    And the response field "user_uuid" is "${member.id}"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${theirs}"}
      """
    Then the response status is 200
    And the response field "user_uuid" is "${other.id}"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${mine}"}
      """
    Then the response status is 400 (policy: any 4xx)
    And the response has no field "user_uuid"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${theirs}"}
      """
    Then the response status is 400 (policy: any 4xx)
    And the response has no field "user_uuid"

  @id:BU-12-a @rule:BU-12 @op:createUserIdentity @needs:bundeling.token.mint @policy
  Scenario: A key of another environment gets the answer an unknown token gets, and the token stays redeemable
    Given "rival" has the role "bundeling.other_club_key"
    And a Bundeling token for "member" is saved as "token"
    When "rival" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "not-a-token-of-anyone"}
      """
    Then the response status is 400
    And the response field "error.message" is saved as "unknown"
    When "rival" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${token}"}
      """
    Then the response status is 400
    And the response field "error.message" is "${unknown}"
    And the response has no field "user_uuid"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${token}"}
      """
    Then the response status is 200
    And the response field "user_uuid" is "${member.id}"

  @id:BU-12-b @rule:BU-12 @op:createUserIdentity @needs:bundeling.token.mint @policy
  Scenario: A redemption refused for its key does not use the token up
    Given a Bundeling token for "member" is saved as "token"
    When a client sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${token}"}
      """
    Then the response status is 401
    When a client sends "POST /V2/user_identity" with the header "Api-Key" set to "not-a-key-of-anyone" and a "application/json" body:
      """
      {"token": "${token}"}
      """
    Then the response status is 401
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${token}"}
      """
    Then the response status is 200
    And the response field "user_uuid" is "${member.id}"

  @id:BU-13-a @rule:BU-13 @op:createUserIdentity @needs:bundeling.token.mint @policy
  Scenario: A newer token leaves the older unused one redeemable
    Given a Bundeling token for "member" is saved as "older"
    And a Bundeling token for "member" is saved as "newer"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${older}"}
      """
    Then the response status is 200
    And the response field "user_uuid" is "${member.id}"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${newer}"}
      """
    Then the response status is 200
    And the response field "user_uuid" is "${member.id}"
