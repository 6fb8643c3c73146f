Feature: Bundeling in JSON and XML
  Every call answers in JSON or XML, errors included, as Accept asks (JSON by default, 406 for neither),
  and reads a body as its Content-Type says. XML that declares a document type or entities, is not
  well-formed or is not UTF-8 is refused with 400, in XML when XML was asked for, and changes nothing.

  Background:
    Given "partner" has the role "bundeling.integration_key"
    And "member" has the role "bundeling.member"

  @id:BU-15-a @rule:BU-15 @op:getUser @policy
  Scenario Outline: The answer is JSON or XML as Accept rates them, and 406 for neither
    When "partner" sends "GET /V2/users/${member.id}"
    Then the response status is 200
    When "partner" sends "GET /V2/users/${member.id}" with the header "Accept" set to "<accept>"
    Then the response status is <status>
    And the response header "Content-Type" is "<type>"

    Examples:
      | id               | accept                                       | status | type                            |
      | xml              | application/xml                              | 200    | application/xml; charset=utf-8  |
      | json             | application/json                             | 200    | application/json                |
      | any              | */*                                          | 200    | application/json                |
      | any-application  | application/*                                | 200    | application/json                |
      | xml-rated-lower  | application/xml;q=0.9, application/json      | 200    | application/json                |
      | xml-rated-higher | application/json;q=0.5, application/xml      | 200    | application/xml; charset=utf-8  |
      | tie-xml-first    | application/xml, application/json            | 200    | application/xml; charset=utf-8  |
      | xml-beside-html  | text/html, application/xml;q=0.1             | 200    | application/xml; charset=utf-8  |
      | wildcard-below   | application/xml;q=0.9, */*                   | 200    | application/json                |
      | html             | text/html                                    | 406    | application/json                |
      | both-refused     | application/json;q=0, application/xml;q=0    | 406    | application/json                |

  @id:BU-15-b @rule:BU-15 @op:createUserIdentity @needs:bundeling.token.mint @policy
  Scenario: An XML body is read by its Content-Type, and answered as Accept asks
    Given a Bundeling token for "member" is saved as "first"
    And a Bundeling token for "member" is saved as "second"
    When "partner" sends "POST /V2/user_identity" with a "application/xml" body:
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <user_identity><token>${first}</token></user_identity>
      """
    Then the response status is 200
    And the response header "Content-Type" is "application/json"
    And the response field "user_uuid" is "${member.id}"
    Given "partner" accepts "application/xml"
    When "partner" sends "POST /V2/user_identity" with a "application/xml" body:
      """
      <user_identity>
        <token>${second}</token>
      </user_identity>
      """
    Then the response status is 200
    And the response header "Content-Type" is "application/xml; charset=utf-8"
    And the response field "user_uuid" is "${member.id}"

  @id:BU-15-c @rule:BU-15 @op:createUserIdentity @needs:bundeling.token.mint @policy
  Scenario Outline: XML that is refused is 400 in XML, and leaves the token redeemable
    Given a Bundeling token for "member" is saved as "token"
    And "partner" accepts "application/xml"
    When "partner" sends "POST /V2/user_identity" with a "application/xml" body:
      """
      <body>
      """
    Then the response status is 400
    And the response header "Content-Type" is "application/xml; charset=utf-8"
    And the response field "error.code" is 400
    And the response field "error.message" is not empty
    And the response has no field "user_uuid"
    When "partner" sends "POST /V2/user_identity" with a "application/xml" body:
      """
      <user_identity><token>${token}</token></user_identity>
      """
    Then the response status is 200
    And the response field "user_uuid" is "${member.id}"

    Examples:
      | id                | body |
      | billion-laughs    | <?xml version="1.0"?><!DOCTYPE user_identity [<!ENTITY a "${token}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]><user_identity><token>&i;</token></user_identity> |
      | entity-for-token  | <!DOCTYPE user_identity [<!ENTITY t "${token}">]><user_identity><token>&t;</token></user_identity> |
      | external-entity   | <!DOCTYPE user_identity [<!ENTITY t SYSTEM "file:///etc/passwd">]><user_identity><token>&t;</token></user_identity> |
      | undeclared-entity | <user_identity><token>&t;</token></user_identity> |
      | not-closed        | <user_identity><token>${token}</token> |
      | another-encoding  | <?xml version="1.0" encoding="ISO-8859-1"?><user_identity><token>${token}</token></user_identity> |
      | another-root      | <identity><token>${token}</token></identity> |
      | token-twice       | <user_identity><token>${token}</token><token>${token}</token></user_identity> |
      | empty-token       | <user_identity><token></token></user_identity> |
      | no-token          | <user_identity/> |
      | json-as-xml       | {"token": "${token}"} |

  @id:BU-15-d @rule:BU-15 @op:createUserIdentity @needs:bundeling.token.mint @policy
  Scenario Outline: A body that is neither JSON nor XML is 415, and leaves the token redeemable
    Given a Bundeling token for "member" is saved as "first"
    And a Bundeling token for "member" is saved as "second"
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${first}"}
      """
    Then the response status is 200
    When "partner" sends "POST /V2/user_identity" with a "<type>" body:
      """
      token=${second}
      """
    Then the response status is 415
    And the response field "error.code" is 415
    When "partner" sends "POST /V2/user_identity" with a "application/json" body:
      """
      {"token": "${second}"}
      """
    Then the response status is 200

    Examples:
      | id       | type                              |
      | form     | application/x-www-form-urlencoded |
      | text     | text/plain                        |
      | text-xml | text/xml                          |
