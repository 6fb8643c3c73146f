package eeid

import (
	"fmt"
	"net/http"

	"github.com/golang-jwt/jwt/v5"

	"github.com/idvkit/idvkit/mockserver/token"
)

// tokenResponse is createToken's 201 body.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// createToken is createToken (POST /api/auth/v1/token): the service's Basic credentials, checked by
// Authenticate (EE-02), give a Bearer token that lives 120 seconds (EE-01, EE-03). No body is read:
// the vendor's client sends none, and no Content-Type.
func (m *Mock) createToken(r *http.Request) (int, any, error) {
	s := callerOf(r)
	f, epoch, err := m.Section.Get(r.Context())
	if err != nil {
		return 0, nil, fmt.Errorf("read fixtures: %w", err)
	}
	ttl := f.Settings.tokenTTL()
	now := m.env.Clock.Now()
	c := &token.Claims{}
	c.Subject = s.ClientID
	c.IssuedAt, c.ExpiresAt = jwt.NewNumericDate(now), jwt.NewNumericDate(now.Add(ttl))
	tok, err := m.access.Mint(epoch, c)
	if err != nil {
		return 0, nil, fmt.Errorf("mint token: %w", err)
	}
	expiresIn := int(ttl.Seconds())
	if m.env.Broken.Has(ruleTokenLifetime) {
		expiresIn = 3600 // says so, while the token still dies at 120 s
	}
	return http.StatusCreated, tokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: expiresIn}, nil
}
