package bundeling

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/store"
)

// loginBody is login's 200 body.
type loginBody struct {
	Token string `json:"token"`
}

// login is login (POST /V2/login): a key that needs user authentication logs a user of its
// environment in, and sends the token as BundelingAuth, with the same key, on every later call
// (BU-14). A key without user authentication may not (403). A wrong password and a user of another
// environment are the same 401, and an unknown user costs what a wrong password costs
// (password.Hasher checks it against a digest no password has).
func (m *Mock) login(r *http.Request) (int, any, error) {
	ctx := r.Context()
	c := callerOf(r)
	if !c.key.UserAuthentication {
		return 0, nil, errKeyKind
	}
	var body struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := apihttp.DecodeBody(r, &body); err != nil {
		return 0, nil, fmt.Errorf("decode a validated login body: %w", err)
	}
	_, u, err := store.Lookup[user](ctx, m.env.Store, kindUser, usernameKey(c.key.Environment, body.Username))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, nil, fmt.Errorf("find user: %w", err)
	}
	if !m.env.Passwords.Check(u.PasswordDigest, body.Password) {
		return 0, nil, errLogin
	}
	f, _, err := m.Section.Get(ctx)
	if err != nil {
		return 0, nil, err
	}
	// Two hexadecimal parts joined by a colon, as the vendor's V1 example is.
	tok := randomHex(16) + ":" + randomHex(32)
	expires := m.env.Clock.Now().Add(f.Settings.loginTTL())
	rec := login{User: u.UUID, Key: store.SecretKey(r.Header.Get(apiKeyHeader)), ExpiresAt: expires}
	if err := store.Create(ctx, m.env.Store, kindLogin, store.SecretKey(tok), rec, store.RetainUntil(expires.Add(m.env.Retention))); err != nil {
		return 0, nil, fmt.Errorf("store login: %w", err)
	}
	return http.StatusOK, m.negotiated(loginBody{Token: tok}), nil
}
