package rambase

import "time"

// system is the RamBase system this mock stands in for.
type system struct {
	Name       string `json:"name"`
	Database   string `json:"database"`
	TestSystem bool   `json:"test_system"`
}

// user is a RamBase user; portal users carry their customer or supplier.
type user struct {
	Role         string `json:"role"`
	UserID       int64  `json:"user_id"`
	Username     string `json:"username"`
	PasswordHash []byte `json:"password_hash"`
	Name         string `json:"name"`
	Email        string `json:"email,omitempty"`
	CustomerID   *int64 `json:"customer_id,omitempty"`
	SupplierID   *int64 `json:"supplier_id,omitempty"`
	OTP          bool   `json:"otp,omitempty"`
}

type login struct {
	UserID int64 `json:"user_id"`
}

type party struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// session is one login. It holds its ID verification token (minted on first read), so the token is
// valid exactly while the session is alive: one invariant, one record.
type session struct {
	Key        string    `json:"key"`
	UserID     int64     `json:"user_id"`
	ClientID   string    `json:"client_id"`
	CustomerID *int64    `json:"customer_id"`
	SupplierID *int64    `json:"supplier_id"`
	System     string    `json:"system"`
	Database   string    `json:"database"`
	IssuedAt   time.Time `json:"issued_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Ended      bool      `json:"ended,omitempty"`
	IDVToken   string    `json:"idv_token"`
}

// aliveAt reports whether the session may be used at now; at ExpiresAt it is already dead.
func (s *session) aliveAt(now time.Time) bool { return !s.Ended && now.Before(s.ExpiresAt) }

// otpChallenge is the one-time password last emailed to a user.
type otpChallenge struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
	Attempts  int       `json:"attempts"`
	Used      bool      `json:"used,omitempty"`
}

// idvIndex finds the session of an ID verification token. Verifying a token is looking it up among
// the sessions the mock issued: only a token the mock minted verifies, and only while its session
// lives, with no JWT parsing on the verification path.
type idvIndex struct {
	Session string `json:"session"`
}
