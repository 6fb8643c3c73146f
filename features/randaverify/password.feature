Feature: RandaVerify passwords
  Operations hand out a one-time password; logging in with it forces a password change before any
  verification call. Changing the password, resetting it and suspending the account revoke every
  token issued before, at once. Scenarios that change a principal's password need a principal of
  their own (users.create): a target's shared test accounts are never changed.

  @id:RV-05-a @rule:RV-05 @op:login @op:verifyNin @op:changePassword @op:getMe @needs:users.create
  Scenario: A first login with a one-time password must change it before verifying
    # The refusal is the seed's, its 403 ours; that /me answers meanwhile is ours too.
    Given "newcomer" has the role "randaverify.first_login_user"
    When "newcomer" logs in to RandaVerify
    Then the response status is 200
    And the response field "require_password_change" is true
    When "newcomer" sends "POST /verify-nin" with a "application/json" body:
      """
      {"nin": "12345678901", "reason": "bankKyc"}
      """
    Then the response status is 403 (policy: any 4xx)
    And the response field "detail" is not empty
    When "newcomer" sends "GET /me"
    Then the response status is 200 (policy: any 4xx)
    When "newcomer" changes the RandaVerify password to "a-password-of-my-own"
    Then the response status is 200
    When "newcomer" logs in to RandaVerify
    Then the response field "require_password_change" is false
    When "newcomer" sends "POST /verify-nin" with a "application/json" body:
      """
      {"nin": "12345678901", "reason": "bankKyc"}
      """
    Then the response status is 200

  @id:RV-05-b @rule:RV-05 @op:login @op:listNimcReasons @op:requeryNin @needs:randaverify.user.invite @needs:outbox
  Scenario: A user Operations invited gets the one-time password by email, and every verification call refuses it until it is changed
    Given "invitee" is invited to RandaVerify by operations
    And the code of the latest "one-time-password" message to "invitee" is saved as "otp"
    When "invitee" logs in to RandaVerify with the password "${otp}"
    Then the response status is 200
    And the response field "require_password_change" is true
    When "invitee" sends "GET /nimc-reasons"
    Then the response status is 403 (policy: any 4xx)
    When "invitee" sends "POST /verify-nin/requery" with a "application/json" body:
      """
      {"reference_id": "REF-000000000000"}
      """
    Then the response status is 403 (policy: any 4xx)
    When "invitee" changes the RandaVerify password to "chosen-by-me"
    And "invitee" logs in to RandaVerify
    And "invitee" sends "GET /nimc-reasons"
    Then the response status is 200

  @id:RV-06-a @rule:RV-06 @op:changePassword @op:getMe @needs:users.create
  Scenario: A password change revokes the token that made it and every older one, at once
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    And the response field "access_token" is saved as "older_token"
    And "ada" logs in to RandaVerify
    When a client sends "GET /me" with the header "Authorization" set to "Bearer ${older_token}"
    Then the response status is 200
    When "ada" sends "GET /me"
    Then the response status is 200
    When "ada" changes the RandaVerify password to "new-password-1"
    Then the response status is 200
    When "ada" sends "GET /me"
    Then the response status is 401
    When a client sends "GET /me" with the header "Authorization" set to "Bearer ${older_token}"
    Then the response status is 401

  @id:RV-06-b @rule:RV-06 @op:changePassword
  Scenario: A wrong current password changes nothing
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    When "ada" sends "POST /change-password" with a "application/json" body:
      """
      {"current_password": "${ada.password}-wrong", "new_password": "whatever-1"}
      """
    Then the response status is 400 (policy: any 4xx)
    When "ada" sends "GET /me"
    Then the response status is 200

  @id:RV-06-c @rule:RV-06 @op:changePassword @policy
  Scenario: The same password again is refused and changes nothing
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    When "ada" sends "POST /change-password" with a "application/json" body:
      """
      {"current_password": "${ada.password}", "new_password": "${ada.password}"}
      """
    Then the response status is 400
    When "ada" sends "GET /me"
    Then the response status is 200

  @id:RV-07-a @rule:RV-07 @op:login @op:changePassword @needs:users.create
  Scenario: After a change the old password fails and the new one logs in without a forced change
    Given "ada" has the role "randaverify.org_admin"
    And the value "${ada.password}" is saved as "old_password"
    And "ada" logs in to RandaVerify
    When "ada" changes the RandaVerify password to "new-password-2"
    Then the response status is 200
    When "ada" logs in to RandaVerify with the password "${old_password}"
    Then the response status is 401 (policy: any 4xx)
    When "ada" logs in to RandaVerify with the password "new-password-2"
    Then the response status is 200
    And the response field "require_password_change" is false

  @id:RV-08-a @rule:RV-08 @op:getMe @op:login @needs:randaverify.account.suspend
  Scenario: Suspending an account revokes its live tokens at once; reactivating does not bring them back
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    And the response field "access_token" is saved as "live_token"
    When "ada" sends "GET /me"
    Then the response status is 200
    Given the RandaVerify account of "ada" is suspended
    When "ada" sends "GET /me"
    Then the response status is 401
    When "ada" logs in to RandaVerify
    Then the response status is 403 (policy: any 4xx)
    Given the RandaVerify account of "ada" is reactivated
    When a client sends "GET /me" with the header "Authorization" set to "Bearer ${live_token}"
    Then the response status is 401
    When "ada" logs in to RandaVerify
    Then the response status is 200

  @id:RV-09-a @rule:RV-09 @op:forgotPassword @needs:outbox
  Scenario: A reset request answers the same for a known and an unknown email, and mails only the known one
    Given "ada" has the role "randaverify.org_admin"
    When a client sends "POST /forgot-password" with a "application/json" body:
      """
      {"email": "nobody-${ada.email}"}
      """
    Then the response status is 200
    And the response field "detail" is saved as "answer"
    And no "password-reset" message was sent to "nobody-${ada.email}"
    When a client sends "POST /forgot-password" with a "application/json" body:
      """
      {"email": "${ada.email}"}
      """
    Then the response status is 200
    And the response field "detail" is ${answer}
    And the link of the latest "password-reset" message to "ada" is saved as "reset"

  @id:RV-09-b @rule:RV-09 @op:forgotPassword @op:getMe @needs:outbox
  Scenario: The reset link sets a new password once, and revokes the tokens issued before
    Given "ada" has the role "randaverify.org_admin"
    And "ada" logs in to RandaVerify
    When a client sends "POST /forgot-password" with a "application/json" body:
      """
      {"email": "${ada.email}"}
      """
    Then the link of the latest "password-reset" message to "ada" is saved as "reset"
    When a client sends "GET ${reset}"
    Then the response status is 200
    When a client sends "POST ${reset}" with the form:
      | new_password | reset-password-3 |
    Then the response status is 200
    When "ada" sends "GET /me"
    Then the response status is 401
    When a client sends "POST ${reset}" with the form:
      | new_password | another-one-4 |
    Then the response status is 400 (policy: any 4xx)
    When "ada" logs in to RandaVerify with the password "reset-password-3"
    Then the response status is 200
