package mocktest

// RandaVerify's control operations (openapi/control.yaml, x-api: randaverify), each a method named
// after its operationId.

// RandaVerifyInvite is a user RandaVerify's Operations create: an email, and optionally a username
// (default the email's local part), an organisation (default the fixture set's first) and the roles
// GET /me shows (default org_member,IDENTITY).
type RandaVerifyInvite struct {
	Email          string `json:"email"`
	Username       string `json:"username,omitempty"`
	OrganisationID string `json:"organisation_id,omitempty"`
	Roles          string `json:"roles,omitempty"`
}

// RandaVerifyInvited is the user an invitation made. Its one-time password is in the outbox (kind
// one-time-password, to its email); logging in with it asks for a new password (RV-05).
type RandaVerifyInvited struct {
	ID             string `json:"id"`
	Username       string `json:"username"`
	Email          string `json:"email"`
	OrganisationID string `json:"organisation_id"`
}

// InviteRandaVerifyUser creates a RandaVerify user with a one-time password, as Operations do.
func (s *Server) InviteRandaVerifyUser(invite RandaVerifyInvite) (RandaVerifyInvited, error) {
	var u RandaVerifyInvited
	err := s.Control("inviteRandaVerifyUser", nil, invite, &u)
	return u, err
}

// SuspendRandaVerifyUser suspends an account (its principal's ID): its live tokens are refused at
// once (RV-08) and it cannot log in.
func (s *Server) SuspendRandaVerifyUser(id string) error {
	return s.Control("suspendRandaVerifyUser", map[string]string{"id": id}, nil, nil)
}

// ReactivateRandaVerifyUser lets a suspended account log in again; the tokens its suspension revoked
// stay revoked.
func (s *Server) ReactivateRandaVerifyUser(id string) error {
	return s.Control("reactivateRandaVerifyUser", map[string]string{"id": id}, nil, nil)
}

// SetRandaVerifyWallet sets an organisation's unit balance (its principal's organisation_id
// attribute).
func (s *Server) SetRandaVerifyWallet(organisationID string, balance int64) error {
	return s.Control("setRandaVerifyWallet", map[string]string{"id": organisationID}, map[string]int64{"balance": balance}, nil)
}
