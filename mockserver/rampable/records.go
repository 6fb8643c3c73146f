package rampable

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"

	"github.com/idvkit/idvkit/mockserver/otp"
	"github.com/idvkit/idvkit/mockserver/store"
)

// Record kinds.
const (
	kindUser     = "rampable.user"      // by id; unique "email:<email in lower case>"
	kindNextCode = "rampable.next-code" // a code fixed through the control API, by email in lower case
)

// user is a Rampable account. It holds its pending verification too, the one invariant of a login
// (which verification token is live, with which code, how many wrong tries), so that a newer login
// supersedes the older in the same atomic update that sets it, and a verify-login judges and
// consumes it in one.
type user struct {
	ID               string // 24 lower-case hex digits, as the vendor's object ids
	Email            string // as registered; found in any case
	PasswordDigest   []byte
	FullName         string
	NationalID       string // kept, never shown, as in the vendor's sample
	OrganizationID   string
	OrganizationName string
	Policy           string
	UserRole         string // what data.user.role says: admin
	Verified         bool   // has verified once; only then may it log in (RP-14)
	Country          string
	CountryCode      string
	TransfiID        string
	IsKYC            bool
	KYCURL           string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Pending          pending
}

// pending is the user's live verification: the verification token it is bound to, by the token's
// jti, and the code mailed with it. The token carries neither the code nor a digest of it: a JWT's
// payload is readable by anyone, and six digits are guessed offline in a moment.
type pending struct {
	TokenID string
	otp.Challenge
}

func emailKey(email string) string { return "email:" + store.FoldedKey(email) }

// createUser stores a new user with its email claimed in the same step: a taken id or email gives
// store.ErrAlreadyExists and stores nothing.
func createUser(ctx context.Context, s store.Store, u user) error {
	return store.Create(ctx, s, kindUser, u.ID, u, store.Unique(emailKey(u.Email)))
}

// objectID is a new id in the shape of the vendor's (MongoDB's): 24 lower-case hex digits, random.
func objectID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails: it crashes the program if the system's random source does
	return hex.EncodeToString(b)
}

// newTransfiID is a user's transfiId: UX- and 5 digits, as the vendor's sample.
func newTransfiID() string {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return fmt.Sprintf("UX-%05d", n.Int64())
}
