package randaverify

import "time"

// user is a RandaVerify user. Its token generation revokes tokens: every token carries the generation
// it was issued at, and a password change, a reset or a suspension bumps it, so every earlier token
// is refused at once (one invariant, one record).
type user struct {
	ID                    int64
	Role                  string // the fixture role it was made from
	Username              string
	Email                 string
	PasswordDigest        []byte
	PreviousDigest        []byte // the password before the last change; only RV-07 broken on purpose reads it
	OrganisationID        int64
	Roles                 string // what /me calls role: "org_admin,IDENTITY,WALLET"
	Active                bool
	RequirePasswordChange bool
	Generation            int64
}

// organisation is a user's organisation, and holds its wallet: a verification debits it in one
// atomic update, so concurrent calls never spend a unit twice.
// It has the fixture's fields, which are also the organisation /me shows.
type organisation OrganisationFixture

// verification is a successful NIN lookup, kept for requeries by its reference, owned by the
// organisation that paid for it.
type verification struct {
	Reference      string
	OrganisationID int64
	Data           ninData
	CreatedAt      time.Time
}
