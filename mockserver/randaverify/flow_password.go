package randaverify

import (
	"context"
	"crypto/hmac"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/token"
)

// changePassword is changePassword (POST /change-password): with the current password, set a new
// one. The user's token generation moves, so every token issued before, the caller's included, is
// refused from now on (RV-06); the old password stops working and the forced change is done (RV-07).
func (m *Mock) changePassword(r *http.Request) (int, any, error) {
	var body struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, errUndecodable
	}
	c := callerOf(r)
	// The check (a bcrypt comparison too, with a password cost) runs outside the store's lock;
	// setPassword then checks that neither the password nor the token generation moved in between.
	if !m.env.Passwords.Check(c.user.PasswordDigest, body.CurrentPassword) {
		return 0, nil, errCurrentPassword
	}
	if body.NewPassword == body.CurrentPassword {
		return 0, nil, errSamePassword
	}
	if err := m.setPassword(r.Context(), c.user, c.token.Generation, body.NewPassword, !m.env.Broken.Has(ruleRevokeOnChange)); err != nil {
		return 0, nil, fmt.Errorf("change password: %w", err) // errStale, or a bug
	}
	return http.StatusOK, errorBody{Detail: "Password changed"}, nil
}

// setPassword sets u's password, clears the forced change and, when revoke is set, bumps the token
// generation, in one update that succeeds only if the user is still at generation gen with the
// password the caller was judged against.
func (m *Mock) setPassword(ctx context.Context, u user, gen int64, password string, revoke bool) error {
	digest := m.env.Passwords.Digest(password)
	_, err := store.Update(ctx, m.env.Store, kindUser, idKey(u.ID), func(v *user) (time.Time, error) {
		if v.Generation != gen || !hmac.Equal(v.PasswordDigest, u.PasswordDigest) {
			return time.Time{}, errStale
		}
		v.PreviousDigest, v.PasswordDigest, v.RequirePasswordChange = v.PasswordDigest, digest, false
		if revoke {
			v.Generation++
		}
		return time.Time{}, nil
	})
	return err
}

// forgotDetail is forgotPassword's one answer, whether or not the email is on file (RV-09).
const forgotDetail = "If the email is on file, a password reset link has been sent to it"

// forgotPassword is forgotPassword (POST /forgot-password): 200 with the same body for any email,
// and a reset link in the outbox only for one on file (RV-09). A reset token is minted either way,
// so both answers cost the same signature; the only difference is the outbox write.
func (m *Mock) forgotPassword(r *http.Request) (int, any, error) {
	ctx := r.Context()
	var body struct {
		Email string `json:"email"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, errUndecodable
	}
	f, epoch, err := m.Section.Get(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("fixtures: %w", err)
	}
	_, u, lookupErr := store.Lookup[user](ctx, m.env.Store, kindUser, emailKey(body.Email))
	tok, err := m.mint(m.reset, epoch, u, f.Settings.resetLinkTTL())
	if err != nil {
		return 0, nil, fmt.Errorf("mint reset token: %w", err)
	}
	if lookupErr == nil && u.Active {
		msg := outbox.Message{API: Name, Kind: "password-reset", To: u.Email, SentAt: m.env.Clock.Now(),
			Link: mockapi.PageURL(r, Name, resetPage, url.Values{"token": {tok}})}
		if err := m.env.Outbox.Send(ctx, msg); err != nil {
			return 0, nil, fmt.Errorf("send reset link: %w", err)
		}
	}
	if lookupErr != nil && m.env.Broken.Has(ruleForgotLeaks) {
		return http.StatusOK, errorBody{Detail: "No account has that email"}, nil
	}
	return http.StatusOK, errorBody{Detail: forgotDetail}, nil
}

// resetUser returns the user a reset token names, while the token is unused (the user's generation
// has not moved since it was minted, nor have the fixtures been seeded anew), unexpired and the user
// active.
func (m *Mock) resetUser(ctx context.Context, raw string) (user, *token.Claims, error) {
	_, epoch, err := m.Section.Get(ctx)
	if err != nil {
		return user{}, nil, token.ErrInvalid
	}
	c := &token.Claims{}
	if err := m.reset.Parse(epoch, raw, c); err != nil {
		return user{}, nil, err
	}
	u, err := store.Get[user](ctx, m.env.Store, kindUser, c.Subject)
	if err != nil || c.Generation != u.Generation || !u.Active {
		return user{}, nil, token.ErrInvalid
	}
	return u, c, nil
}
