package rampable

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/store"
)

// login is login (POST /v1/auth/login): the right password of an account that has verified once
// (RP-14) gives a verification token and mails a fresh code (RP-04), superseding the user's earlier
// verification token and its code (RP-11). A wrong password and an email no account has get the
// same answer at the same cost (RP-05): password.Hasher checks an unknown one against a digest no
// password has. A refused login supersedes nothing.
func (m *Mock) login(r *http.Request) (int, any, error) {
	ctx := r.Context()
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, fmt.Errorf("decode a validated login: %w", err)
	}
	_, u, err := store.Lookup[user](ctx, m.env.Store, kindUser, emailKey(body.Email))
	var digest []byte
	switch {
	case err == nil:
		digest = u.PasswordDigest
	case !errors.Is(err, store.ErrNotFound):
		return 0, nil, fmt.Errorf("find the user: %w", err)
	}
	if !m.env.Passwords.Check(digest, body.Password) && !(m.env.Broken.Has(rulePasswordChecked) && err == nil) {
		return 0, nil, errCredentials
	}
	if !u.Verified && !m.env.Broken.Has(ruleVerifiedFirst) {
		return 0, nil, errUnverified
	}
	tok, err := m.startVerification(ctx, u)
	if err != nil {
		return 0, nil, err
	}
	message := "ok"
	if m.env.Broken.Has(ruleLoginMessage) {
		message = "success"
	}
	return m.ok(false, message, verificationData{VerificationToken: tok})
}
