package bundeling

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
)

// userIdentity is createUserIdentity's 200 body (the seed).
type userIdentity struct {
	UserUUID string `json:"user_uuid"`
}

// createUserIdentity is createUserIdentity (POST /V2/user_identity): the token Bundeling put in place
// of {{useridentity}} in the link the user followed, traded once for the user's uuid (BU-01, BU-02),
// before it expires (BU-03), by a key of the user's environment (BU-12). An unknown, used, expired or
// foreign token gets the same 400, and a refused one is not used up.
func (m *Mock) createUserIdentity(r *http.Request) (int, any, error) {
	var body struct {
		Token string `json:"token"`
	}
	if err := apihttp.DecodeBody(r, &body); err != nil {
		return 0, nil, fmt.Errorf("decode a validated user_identity body: %w", err)
	}
	uuid, err := m.redeem(r.Context(), body.Token, callerOf(r).key.Environment)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, m.negotiated(userIdentity{UserUUID: uuid}), nil
}

// redeem uses a token up for a key of an environment ("" for any, BU-04 broken) and returns its user:
// the token is judged and marked used in one atomic update, so of any number of concurrent
// redemptions exactly one succeeds, and a refusal writes nothing.
func (m *Mock) redeem(ctx context.Context, tok, env string) (string, error) {
	now := m.env.Clock.Now()
	t, err := mockapi.Change(ctx, m.env.Store, kindToken, store.SecretKey(tok), errTokenRefused, func(t *token) error {
		switch {
		case t.Used && !m.env.Broken.Has(ruleOneTime),
			!now.Before(t.ExpiresAt) && !m.env.Broken.Has(ruleTokenTTL),
			env != "" && t.Environment != env && !m.env.Broken.Has(ruleEnvironment):
			return errTokenRefused
		}
		t.Used = true
		return nil
	})
	if err != nil {
		return "", err
	}
	return m.redeemedUser(ctx, t)
}

// redeemedUser is the uuid a redeemed token answers: its user's, unless the mock breaks a rule on
// purpose.
func (m *Mock) redeemedUser(ctx context.Context, t token) (string, error) {
	switch {
	case m.env.Broken.Has(ruleOlderTokens):
		u, err := store.Get[user](ctx, m.env.Store, kindUser, t.User)
		if err == nil && t.Generation < u.Generation {
			return "", errTokenRefused
		}
	case m.env.Broken.Has(ruleTwoUsers):
		if e, err := store.Get[environment](ctx, m.env.Store, kindEnvironment, t.Environment); err == nil && e.LastMinted != "" {
			return e.LastMinted, nil
		}
	case m.env.Broken.Has(ruleRightUser):
		return reverse(t.User), nil
	}
	return t.User, nil
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// redeemWithoutKey is BU-04 broken on purpose: a request without an Api-Key redeems its token, for
// any environment. false when the body holds no token to redeem.
func (m *Mock) redeemWithoutKey(r *http.Request) (apihttp.Error, bool) {
	var body struct {
		Token string `json:"token"`
	}
	if apihttp.DecodeBody(r, &body) != nil || body.Token == "" {
		return apihttp.Error{}, false
	}
	uuid, err := m.redeem(r.Context(), body.Token, "")
	if err != nil {
		return apihttp.Error{}, false
	}
	return apihttp.Error{Status: http.StatusOK, Body: userIdentity{UserUUID: uuid}}, true
}

// issued is a token minted for a user: the control API's BundelingToken.
type issued struct {
	Token     string    `json:"token"`
	UserUUID  string    `json:"user_uuid"`
	ExpiresAt time.Time `json:"expires_at"`
}

// errUnknownUser is mint's answer for a uuid that is no user; its callers answer it in their shape.
var errUnknownUser = errors.New("bundeling: no such user")

// mint makes a new user-identity token for a user, as Bundeling does when it renders an app link:
// 64 random bytes in hexadecimal, redeemable by a key of the user's environment for the fixture
// set's token lifetime. Tokens minted earlier stay valid (BU-13).
func (m *Mock) mint(ctx context.Context, userUUID string) (issued, error) {
	u, err := store.Get[user](ctx, m.env.Store, kindUser, userUUID)
	if errors.Is(err, store.ErrNotFound) {
		return issued{}, errUnknownUser
	}
	if err != nil {
		return issued{}, err
	}
	f, _, err := m.Section.Get(ctx)
	if err != nil {
		return issued{}, err
	}
	if err := m.breakMinting(ctx, &u); err != nil {
		return issued{}, err
	}
	expires := m.env.Clock.Now().Add(f.Settings.tokenTTL())
	tok := randomHex(64)
	rec := token{User: u.UUID, Environment: u.Environment, ExpiresAt: expires, Generation: u.Generation}
	if err := store.Create(ctx, m.env.Store, kindToken, store.SecretKey(tok), rec, store.RetainUntil(expires.Add(m.env.Retention))); err != nil {
		return issued{}, err
	}
	return issued{Token: tok, UserUUID: u.UUID, ExpiresAt: expires}, nil
}

// breakMinting notes, for the rules broken on purpose that need it, what minting a token for u
// changes: its user's generation (BU-13), its environment's last user (BU-10).
func (m *Mock) breakMinting(ctx context.Context, u *user) error {
	if m.env.Broken.Has(ruleOlderTokens) {
		next, err := mockapi.Change(ctx, m.env.Store, kindUser, u.UUID, errUnknownUser, func(u *user) error { u.Generation++; return nil })
		if err != nil {
			return err
		}
		*u = next
	}
	if m.env.Broken.Has(ruleTwoUsers) {
		_, err := mockapi.Change(ctx, m.env.Store, kindEnvironment, u.Environment, errUnknownUser, func(e *environment) error { e.LastMinted = u.UUID; return nil })
		return err
	}
	return nil
}
