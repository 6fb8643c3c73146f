Feature: RamBase ID verification
  A third party verifies an ID verification token with its own access token
  (GET /id-verification): 200 means the token's user is signed in right now.

  Background:
    Given "verifier" has the role "rambase.api_client"

  @id:RB-06-a @rule:RB-06 @rule:RB-08 @op:verifyIdVerificationToken
  Scenario: A signed-in internal user's token verifies to that user
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" reads the current RamBase session
    When "verifier" logs in to RamBase with client credentials
    And "verifier" verifies the ID verification token of "anna"
    Then the response status is 200
    And the verified user is the session user of "anna"
    And the verification names no customer and no supplier

  @id:RB-06-b @rule:RB-06 @op:getUser
  Scenario: The user link points at the user
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" reads the current RamBase session
    And "verifier" logs in to RamBase with client credentials
    And "verifier" verifies the ID verification token of "anna"
    When "verifier" opens the link in "idVerification.user.userLink"
    Then the response status is 200
    And the response field "user.userId" is the user id of "anna"

  @id:RB-07-a @rule:RB-07 @op:verifyIdVerificationToken @op:getCustomer
  Scenario: A client-credentials login bound to a customer verifies with that customer
    Given "portal" has the role "rambase.portal_client"
    And "portal" logs in to RamBase with client credentials for its customer
    And "portal" reads the current RamBase session
    When "verifier" logs in to RamBase with client credentials
    And "verifier" verifies the ID verification token of "portal"
    Then the response status is 200
    And the verified customer is the customer of "portal"
    When "verifier" opens the link in "idVerification.customer.customerLink"
    Then the response status is 200

  @id:RB-07-b @rule:RB-07 @op:verifyIdVerificationToken @op:getSupplier
  Scenario: A client-credentials login bound to a supplier verifies with that supplier
    Given "portal" has the role "rambase.portal_client"
    And "portal" logs in to RamBase with client credentials for its supplier
    And "portal" reads the current RamBase session
    When "verifier" logs in to RamBase with client credentials
    And "verifier" verifies the ID verification token of "portal"
    Then the response status is 200
    And the verified supplier is the supplier of "portal"
    When "verifier" opens the link in "idVerification.supplier.supplierLink"
    Then the response status is 200

  @id:RB-07-c @rule:RB-07 @op:verifyIdVerificationToken
  Scenario: A customer-portal user's token verifies with the customer
    Given "carl" has the role "rambase.customer_portal_user"
    And "carl" logs in to RamBase with a password
    And "carl" reads the current RamBase session
    When "verifier" logs in to RamBase with client credentials
    And "verifier" verifies the ID verification token of "carl"
    Then the response status is 200
    And the verified customer is the customer of "carl"

  @id:RB-07-d @rule:RB-07 @op:verifyIdVerificationToken
  Scenario: A supplier-portal user's token verifies with the supplier
    Given "siri" has the role "rambase.supplier_portal_user"
    And "siri" logs in to RamBase with a password
    And "siri" reads the current RamBase session
    When "verifier" logs in to RamBase with client credentials
    And "verifier" verifies the ID verification token of "siri"
    Then the response status is 200
    And the verified supplier is the supplier of "siri"

  @id:RB-09-a @rule:RB-09 @op:verifyIdVerificationToken
  Scenario: Verifying needs the verifier's own access token
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" reads the current RamBase session
    When the ID verification token of "anna" is verified without an access token
    Then the response status is 401
    And the response is a RamBase error

  @id:RB-10-a @rule:RB-10 @op:verifyIdVerificationToken @policy
  Scenario: An unknown token is not found
    When "verifier" logs in to RamBase with client credentials
    And "verifier" verifies the ID verification token "q6SD0ZhQ0k6DO9-abcdefghijklmn"
    Then the response status is 404
    And the response is a RamBase error
    And the response field "httpStatusCode" is 404

  @id:RB-11-a @rule:RB-11 @op:verifyIdVerificationToken @needs:rambase.session.end
  Scenario: A token stops verifying once its session has ended
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" reads the current RamBase session
    And "verifier" logs in to RamBase with client credentials
    When the RamBase session of "anna" is ended
    And "verifier" verifies the ID verification token of "anna"
    Then the response status is not 200

  @id:RB-11-b @rule:RB-11 @op:verifyIdVerificationToken @needs:clock.advance
  Scenario: One second before its access token expires, the token still verifies
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" reads the current RamBase session
    When the access token of "anna" has 1 second left
    And "verifier" logs in to RamBase with client credentials
    And "verifier" verifies the ID verification token of "anna"
    Then the response status is 200

  @id:RB-11-c @rule:RB-11 @op:verifyIdVerificationToken @needs:clock.advance
  Scenario: When its access token expires, the token stops verifying
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" reads the current RamBase session
    When the access token of "anna" expires
    And "verifier" logs in to RamBase with client credentials
    And "verifier" verifies the ID verification token of "anna"
    Then the response status is not 200

  @id:RB-11-d @rule:RB-11 @op:verifyIdVerificationToken @needs:clock.advance
  Scenario: A second after its access token expired, the token still does not verify
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" reads the current RamBase session
    When the access token of "anna" expires
    And 1 second passes
    And "verifier" logs in to RamBase with client credentials
    And "verifier" verifies the ID verification token of "anna"
    Then the response status is not 200

  @id:RB-12-a @rule:RB-12 @op:verifyIdVerificationToken @policy
  Scenario: A token verifies any number of times while its session lives
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" reads the current RamBase session
    And "verifier" logs in to RamBase with client credentials
    When "verifier" verifies the ID verification token of "anna"
    Then the response status is 200
    When "verifier" verifies the ID verification token of "anna"
    Then the response status is 200
    And the verified user is the session user of "anna"
