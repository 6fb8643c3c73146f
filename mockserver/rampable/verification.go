package rampable

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/golang-jwt/jwt/v5"

	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/otp"
	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/token"
)

// codeLength is the length of the emailed code: 6 digits, as the vendor's example.
const codeLength = 6

// startVerification is what a registration and a successful login both do: mint a verification
// token for the user, mail the user a fresh code, and make the two the user's live verification,
// which supersedes any earlier one (RP-11) in the same atomic update. The token names the
// verification by its jti; the code stays in the user's record. The mail goes first: a login whose
// mail cannot be sent (a 500) must leave the earlier verification live, as any refused login does.
func (m *Mock) startVerification(ctx context.Context, u user) (string, error) {
	f, epoch, err := m.Section.Get(ctx)
	if err != nil {
		return "", fmt.Errorf("read fixtures: %w", err)
	}
	ttl := f.Settings.verificationTokenTTL()
	if m.env.Broken.Has(ruleVerificationTTL) {
		ttl *= 2
	}
	now := m.env.Clock.Now()
	c := &token.Claims{}
	c.Subject, c.ID = u.ID, rand.Text()
	// One reading of the clock for both, so exp is exactly iat + ttl in whole seconds, and the code
	// dies at the token's exp.
	c.IssuedAt, c.ExpiresAt = jwt.NewNumericDate(now), jwt.NewNumericDate(now.Add(ttl))
	tok, err := m.verification.Mint(epoch, c)
	if err != nil {
		return "", fmt.Errorf("mint verification token: %w", err)
	}
	code, err := m.nextCode(ctx, u.Email)
	if err != nil {
		return "", err
	}
	msg := outbox.Message{API: Name, Kind: "otp", To: u.Email, Code: code, SentAt: now}
	if err := m.env.Outbox.Send(ctx, msg); err != nil {
		return "", fmt.Errorf("mail the code: %w", err)
	}
	live := pending{TokenID: c.ID, Challenge: otp.Challenge{Code: code, ExpiresAt: c.ExpiresAt.Time}}
	if _, err := mockapi.Change(ctx, m.env.Store, kindUser, u.ID, store.ErrNotFound, func(u *user) error {
		u.Pending = live
		return nil
	}); err != nil {
		return "", fmt.Errorf("start verification: %w", err)
	}
	return tok, nil
}

// nextCode is the code to mail to an address next: the one the control API fixed for it, once, or
// a fresh one from the mock's source of codes.
func (m *Mock) nextCode(ctx context.Context, email string) (string, error) {
	code, ok, err := m.takeFixedCode(ctx, email)
	if err != nil || ok {
		return code, err
	}
	src := m.env.Codes
	if src == nil {
		src = otp.Random()
	}
	return src.Code(codeLength), nil
}
