Feature: RandaVerify NIN verification
  The verification calls authentication gates: a standard lookup costs one unit of the
  organisation's wallet; a requery of its reference is free.

  @id:RV-12-a @rule:RV-12 @op:verifyNin @op:getMe
  Scenario: A NIN that is not 11 digits is refused with 400 and costs nothing
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    When "ada" sends "POST /verify-nin" with a "application/json" body:
      """
      {"nin": "12345678901", "reason": "bankKyc"}
      """
    Then the response status is 200
    When "ada" sends "GET /me"
    Then the response field "organisation.wallet_balance" is saved as "balance"
    When "ada" sends "POST /verify-nin" with a "application/json" body:
      """
      {"nin": "1234567890", "reason": "bankKyc"}
      """
    Then the response status is 400
    And the response field "detail" is not empty
    When "ada" sends "GET /me"
    Then the response field "organisation.wallet_balance" is ${balance}

  @id:RV-12-b @rule:RV-12 @op:verifyNin
  Scenario Outline: Malformed NINs and unknown reasons are refused with 400
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    When "ada" sends "POST /verify-nin" with a "application/json" body:
      """
      {"nin": "<nin>", "reason": "<reason>"}
      """
    Then the response status is 400

    Examples:
      | id             | nin          | reason     |
      | twelve-digits  | 123456789012 | bankKyc    |
      | letters        | 1234567890a  | bankKyc    |
      | unknown-reason | 12345678901  | curiosity  |

  @id:RV-13-a @rule:RV-13 @op:verifyNin @needs:randaverify.wallet.set
  Scenario: The last unit pays for one verification; then the wallet refuses with 402
    Given "ada" has the role "randaverify.org_admin"
    And the RandaVerify wallet of "ada" holds 1 unit
    And "ada" logs in to RandaVerify
    When "ada" sends "POST /verify-nin" with a "application/json" body:
      """
      {"nin": "10987654321", "reason": "corporate"}
      """
    Then the response status is 200
    When "ada" sends "POST /verify-nin" with a "application/json" body:
      """
      {"nin": "10987654321", "reason": "corporate"}
      """
    Then the response status is 402
    And the response field "detail" is not empty

  @id:RV-13-b @rule:RV-13 @op:verifyNin @op:getMe
  Scenario: An organisation with an empty wallet gets 402
    Given "treasurer" has the role "randaverify.empty_wallet_user"
    And "treasurer" logs in to RandaVerify
    When "treasurer" sends "GET /me"
    Then the response field "organisation.wallet_balance" is 0
    When "treasurer" sends "POST /verify-nin" with a "application/json" body:
      """
      {"nin": "12345678901", "reason": "bankKyc"}
      """
    Then the response status is 402

  @id:RV-14-a @rule:RV-14 @op:verifyNin @op:requeryNin @op:getMe
  Scenario: A verification costs exactly one unit; its requery returns the same data for free
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    When "ada" sends "GET /me"
    Then the response field "organisation.wallet_balance" is saved as "before"
    When "ada" sends "POST /verify-nin" with a "application/json" body:
      """
      {"nin": "12345678901", "reason": "bankKyc"}
      """
    Then the response status is 200
    And the response field "data.nin" is "12345678901"
    And the response field "data.fname" is "Adaeze"
    And the response field "data.reference_id" is saved as "reference"
    And the response field "data.tracking_id" is saved as "tracking"
    When "ada" sends "GET /me"
    Then the response field "organisation.wallet_balance" is ${before} minus 1
    When "ada" sends "POST /verify-nin/requery" with a "application/json" body:
      """
      {"reference_id": "${reference}"}
      """
    Then the response status is 200
    And the response field "status" is "success"
    And the response field "data.reference_id" is ${reference}
    And the response field "data.tracking_id" is ${tracking}
    And the response field "data.fname" is "Adaeze"
    When "ada" sends "GET /me"
    Then the response field "organisation.wallet_balance" is ${before} minus 1

  @id:RV-14-b @rule:RV-14 @op:verifyNin
  Scenario: Any other valid NIN is a generated person, the same on every call
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    When "ada" sends "POST /verify-nin" with a "application/json" body:
      """
      {"nin": "55512345678", "reason": "telecommunicationSimReg"}
      """
    Then the response status is 200
    And the response field "data.fname" is saved as "first"
    And the response field "data.dob" is saved as "born"
    And the response field "data.reference_id" is saved as "reference"
    When "ada" sends "POST /verify-nin" with a "application/json" body:
      """
      {"nin": "55512345678", "reason": "telecommunicationSimReg"}
      """
    Then the response field "data.fname" is ${first}
    And the response field "data.dob" is ${born}

  @id:RV-15-a @rule:RV-15 @op:requeryNin @op:verifyNin
  Scenario: A reference is case-sensitive, and another organisation's is not found
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    And "other" has the role "randaverify.empty_wallet_user"
    And "other" logs in to RandaVerify
    When "ada" sends "POST /verify-nin" with a "application/json" body:
      """
      {"nin": "12345678901", "reason": "bankKyc"}
      """
    Then the response field "data.reference_id" is saved as "reference"
    When "ada" sends "POST /verify-nin/requery" with a "application/json" body:
      """
      {"reference_id": "${reference}"}
      """
    Then the response status is 200
    When "ada" sends "POST /verify-nin/requery" with a "application/json" body:
      """
      {"reference_id": "${reference|lower}"}
      """
    Then the response status is 404
    When "other" sends "POST /verify-nin/requery" with a "application/json" body:
      """
      {"reference_id": "${reference}"}
      """
    Then the response status is 404

  @id:RV-12-c @rule:RV-12 @op:listNimcReasons @op:verifyNin
  Scenario: The reasons a lookup may be made for are listed, and each is accepted
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    When "ada" sends "GET /nimc-reasons"
    Then the response status is 200
    And the response field "data[0].key" is saved as "reason"
    When "ada" sends "POST /verify-nin" with a "application/json" body:
      """
      {"nin": "12345678901", "reason": "${reason}"}
      """
    Then the response status is 200
