Feature: RamBase ID verification
  A third party verifies an ID verification token with its own access token
  (GET /id-verification): 200 means the token's user is signed in right now.

  Background:
    Given "verifier" has the role "rambase.api_client"

  @id:RB-06-a @rule:RB-06 @rule:RB-08 @op:verifyIdVerificationToken
  Scenario: A signed-in internal user's token verifies to that user
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" sends "GET /system/sessions/current"
    And the response field "session.pid" is saved as "pid"
    And the response field "session.ramBaseName" is saved as "system"
    And the response field "session.idVerificationToken" is saved as "idv"
    When "verifier" logs in to RamBase with client credentials
    And "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 200
    And the response field "idVerification.user.userId" is ${pid}
    And the response field "idVerification.ramBaseSystem.name" is ${system}
    And the response field "idVerification.customer.customerId" is null
    And the response field "idVerification.customer.customerLink" is null
    And the response field "idVerification.supplier.supplierId" is null
    And the response field "idVerification.supplier.supplierLink" is null

  @id:RB-06-b @rule:RB-06 @op:getUser
  Scenario: The user link points at the user
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" sends "GET /system/sessions/current"
    And the response field "session.idVerificationToken" is saved as "idv"
    And "verifier" logs in to RamBase with client credentials
    And "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    When "verifier" opens the link in the response field "idVerification.user.userLink"
    Then the response status is 200
    And the response field "user.userId" is ${anna.id}

  @id:RB-07-a @rule:RB-07 @op:verifyIdVerificationToken @op:getCustomer
  Scenario: A client-credentials login bound to a customer verifies with that customer
    Given "portal" has the role "rambase.portal_client"
    And "portal" logs in to RamBase with client credentials for its customer
    And "portal" sends "GET /system/sessions/current"
    And the response field "session.idVerificationToken" is saved as "idv"
    When "verifier" logs in to RamBase with client credentials
    And "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 200
    And the response field "idVerification.customer.customerId" is ${portal.customer_id}
    And the response field "idVerification.customer.customerLink" is not empty
    And the response field "idVerification.supplier.supplierId" is null
    And the response field "idVerification.supplier.supplierLink" is null
    When "verifier" opens the link in the response field "idVerification.customer.customerLink"
    Then the response status is 200
    And the response field "customer.id" is ${portal.customer_id}

  @id:RB-07-b @rule:RB-07 @op:verifyIdVerificationToken @op:getSupplier
  Scenario: A client-credentials login bound to a supplier verifies with that supplier
    Given "portal" has the role "rambase.portal_client"
    And "portal" logs in to RamBase with client credentials for its supplier
    And "portal" sends "GET /system/sessions/current"
    And the response field "session.idVerificationToken" is saved as "idv"
    When "verifier" logs in to RamBase with client credentials
    And "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 200
    And the response field "idVerification.supplier.supplierId" is ${portal.supplier_id}
    And the response field "idVerification.supplier.supplierLink" is not empty
    And the response field "idVerification.customer.customerId" is null
    And the response field "idVerification.customer.customerLink" is null
    When "verifier" opens the link in the response field "idVerification.supplier.supplierLink"
    Then the response status is 200
    And the response field "supplier.id" is ${portal.supplier_id}

  @id:RB-07-c @rule:RB-07 @op:verifyIdVerificationToken
  Scenario: A customer-portal user's token verifies with the customer
    Given "carl" has the role "rambase.customer_portal_user"
    And "carl" logs in to RamBase with a password
    And "carl" sends "GET /system/sessions/current"
    And the response field "session.idVerificationToken" is saved as "idv"
    When "verifier" logs in to RamBase with client credentials
    And "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 200
    And the response field "idVerification.customer.customerId" is ${carl.customer_id}
    And the response field "idVerification.customer.customerLink" is not empty
    And the response field "idVerification.supplier.supplierId" is null

  @id:RB-07-d @rule:RB-07 @op:verifyIdVerificationToken
  Scenario: A supplier-portal user's token verifies with the supplier
    Given "siri" has the role "rambase.supplier_portal_user"
    And "siri" logs in to RamBase with a password
    And "siri" sends "GET /system/sessions/current"
    And the response field "session.idVerificationToken" is saved as "idv"
    When "verifier" logs in to RamBase with client credentials
    And "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 200
    And the response field "idVerification.supplier.supplierId" is ${siri.supplier_id}
    And the response field "idVerification.supplier.supplierLink" is not empty
    And the response field "idVerification.customer.customerId" is null

  @id:RB-09-a @rule:RB-09 @op:verifyIdVerificationToken
  Scenario: Verifying needs the verifier's own access token
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" sends "GET /system/sessions/current"
    And the response field "session.idVerificationToken" is saved as "idv"
    And "verifier" logs in to RamBase with client credentials
    When "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 200
    When a client sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 401
    And the response field "httpStatusCode" equals the response status

  @id:RB-10-a @rule:RB-10 @op:verifyIdVerificationToken
  Scenario: An unknown token is not found
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" sends "GET /system/sessions/current"
    And the response field "session.idVerificationToken" is saved as "idv"
    And "verifier" logs in to RamBase with client credentials
    When "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 200
    When "verifier" sends "GET /id-verification?id_verification_token=q6SD0ZhQ0k6DO9-abcdefghijklmn"
    Then the response status is 404 (policy: any 4xx)
    And the response field "httpStatusCode" equals the response status
    And the response field "message" is not empty

  @id:RB-11-a @rule:RB-11 @op:verifyIdVerificationToken @needs:rambase.session.end
  Scenario: A token stops verifying once its session has ended
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" sends "GET /system/sessions/current"
    And the response field "session.idVerificationToken" is saved as "idv"
    And "verifier" logs in to RamBase with client credentials
    When "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 200
    When the RamBase session of "anna" is ended
    And "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 4xx

  @id:RB-11-b @rule:RB-11 @op:verifyIdVerificationToken @needs:clock.advance
  Scenario: A token verifies until the instant its access token expires, and never after
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" sends "GET /system/sessions/current"
    And the response field "session.idVerificationToken" is saved as "idv"
    When the token of "anna" has 1 second left
    And "verifier" logs in to RamBase with client credentials
    And "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 200
    When 1 second passes
    And "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 4xx
    When 1 second passes
    And "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 4xx

  @id:RB-12-a @rule:RB-12 @op:verifyIdVerificationToken @policy
  Scenario: A token verifies any number of times while its session lives
    Given "anna" has the role "rambase.internal_user"
    And "anna" logs in to RamBase with a password
    And "anna" sends "GET /system/sessions/current"
    And the response field "session.idVerificationToken" is saved as "idv"
    And "verifier" logs in to RamBase with client credentials
    When "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 200
    When "verifier" sends "GET /id-verification?id_verification_token=${idv}"
    Then the response status is 200
    And the response field "idVerification.user.userId" is ${anna.id}
