package randaverify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/token"
)

// loginResponse is login's 200 body (the seed).
type loginResponse struct {
	AccessToken           string `json:"access_token"`
	TokenType             string `json:"token_type"`
	RequirePasswordChange bool   `json:"require_password_change"`
}

// login is login (POST /login), the OAuth2 password form: good credentials give a JWT that expires
// 60 minutes after issue (RV-01), marked when the password is a one-time password (RV-05). A user who
// does not exist costs what a wrong password costs: password.Hasher checks it against a digest no
// password has.
func (m *Mock) login(r *http.Request) (int, any, error) {
	ctx := r.Context()
	form := apihttp.Form(r)
	u, err := m.findUser(ctx, form.Get("username"))
	var digest []byte
	if err == nil {
		digest = u.PasswordDigest
	}
	if !m.env.Passwords.Check(digest, form.Get("password")) &&
		!(m.env.Broken.Has(ruleOldPassword) && err == nil && m.env.Passwords.Check(u.PreviousDigest, form.Get("password"))) {
		return 0, nil, errIncorrectLogin
	}
	if !u.Active {
		return 0, nil, errSuspended
	}
	tok, err := m.mintAccess(ctx, u)
	if err != nil {
		return 0, nil, fmt.Errorf("mint access token: %w", err)
	}
	return http.StatusOK, loginResponse{AccessToken: tok, TokenType: "bearer", RequirePasswordChange: u.RequirePasswordChange}, nil
}

// findUser finds a user by username or, as the seed's example logs in, by email.
func (m *Mock) findUser(ctx context.Context, name string) (user, error) {
	_, u, err := store.Lookup[user](ctx, m.env.Store, kindUser, usernameKey(name))
	if errors.Is(err, store.ErrNotFound) {
		_, u, err = store.Lookup[user](ctx, m.env.Store, kindUser, emailKey(name))
	}
	return u, err
}

// mintAccess signs an access token for u at its current generation, expiring the fixture set's
// access-token lifetime after now.
func (m *Mock) mintAccess(ctx context.Context, u user) (string, error) {
	f, epoch, err := m.Section.Get(ctx)
	if err != nil {
		return "", err
	}
	ttl := f.Settings.accessTokenTTL()
	if m.env.Broken.Has(ruleTokenLifetime) {
		ttl *= 2
	}
	return m.mint(m.access, epoch, u, ttl)
}

// mint signs a token of an issuer's use for u in the fixtures' epoch, carrying u's generation.
func (m *Mock) mint(iss *token.Issuer, e token.Epoch, u user, ttl time.Duration) (string, error) {
	now := m.env.Clock.Now()
	c := &token.Claims{Generation: u.Generation}
	c.Subject = idKey(u.ID)
	// One reading of the clock for both, so exp is exactly iat + ttl in whole seconds.
	c.IssuedAt, c.ExpiresAt = jwt.NewNumericDate(now), jwt.NewNumericDate(now.Add(ttl))
	return iss.Mint(e, c)
}
