package rambase

import (
	"time"

	"github.com/idvkit/idvkit/mockserver/token"
)

// user is a RamBase user: one who logs in with a username, or the service user of an API client.
// Portal users carry their customer or supplier.
type user struct {
	Role           string
	UserID         int64
	Username       string // empty for a client's service user
	PasswordDigest []byte
	Name           string
	Email          string
	CustomerID     *int64
	SupplierID     *int64
	OTP            bool
}

// session is one login. Its access token carries it, and it is stored only once it changes
// (session.go): then its record holds its ID verification token (minted on first read) beside its
// end, so the token is valid exactly while the session is alive: one invariant, one record.
type session struct {
	Key        string
	UserID     int64
	ClientID   string
	CustomerID *int64
	SupplierID *int64
	System     string
	Database   string
	IssuedAt   time.Time
	ExpiresAt  time.Time
	Ended      bool
	IDVToken   string
	// Epoch is the fixture seed the session's access token was sealed under; its ID verification
	// token is minted in it. A session of an earlier seed is dead, whatever its record says: a first
	// change that raced a reset may have stored it, with its ID verification token, in the store the
	// reset made.
	Epoch token.Epoch
}

// aliveAt reports whether the session may be used at now; at ExpiresAt it is already dead.
func (s *session) aliveAt(now time.Time) bool { return !s.Ended && now.Before(s.ExpiresAt) }

// idvIndex finds the session of an ID verification token. Verifying a token is looking it up among
// the sessions the mock issued: only a token the mock minted verifies, and only while its session
// lives, with no JWT parsing on the verification path.
type idvIndex struct {
	Session string
}
