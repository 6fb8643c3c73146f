package token

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type stillClock struct{}

func (stillClock) Now() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }

// Mint assembles the token itself (its header encoded once, the HS256 MAC from a pool of keyed
// HMACs): every byte of it is what golang-jwt makes of the same claims with the same key.
func TestMintIsWhatGolangJWTSigns(t *testing.T) {
	for _, alg := range []Alg{HS256, RS256} {
		claims := func() *Claims {
			c := &Claims{Generation: 3}
			c.Subject, c.ID, c.Audience = "anna", "jti-1", jwt.ClaimStrings{"x"}
			c.IssuedAt, c.ExpiresAt = jwt.NewNumericDate(stillClock{}.Now()), jwt.NewNumericDate(stillClock{}.Now().Add(time.Hour))
			return c
		}
		i := New("api", Access, alg, stillClock{})
		e := NewEpoch()
		for range 2 { // the second with the encoded header and a pooled MAC
			got, err := i.Mint(e, claims())
			require.NoError(t, err)

			bound := claims()
			bound.Binding = e.id + "/api/access"
			lib := jwt.NewWithClaims(i.method, bound)
			var key any = hmacSecret()
			if alg == RS256 {
				k, err := rsaKey()
				require.NoError(t, err)
				lib.Header["kid"], key = k.kid, k.private
			}
			want, err := lib.SignedString(key)
			require.NoError(t, err)
			assert.Equal(t, want, got, alg)
		}
	}
}
