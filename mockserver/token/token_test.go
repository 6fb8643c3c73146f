package token_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/token"
)

// fakeClock stands still until advanced.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newClock starts far from real time, so a check against time.Now instead of the clock shows.
func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)}
}

// apiClaims is an API's own claims struct, as RamBase's ID verification token has.
type apiClaims struct {
	token.Claims
	System     string `json:"ramBaseName"`
	CustomerID *int64 `json:"customerId,omitempty"`
}

// payload decodes a token's claims without this package or jwt.
func payload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

func TestRoundTripKeepsAPIClaims(t *testing.T) {
	for _, alg := range []token.Alg{token.HS256, token.RS256} {
		t.Run(string(alg), func(t *testing.T) {
			clk := newClock()
			iss := token.New(alg, clk)
			customer := int64(42)
			in := &apiClaims{System: "PROD", CustomerID: &customer}
			in.Subject = "user-7"
			in.ExpiresAt = jwt.NewNumericDate(clk.Now().Add(time.Hour))
			tok, err := iss.Mint(in)
			require.NoError(t, err)

			var out apiClaims
			require.NoError(t, iss.Parse(tok, &out))
			assert.Equal(t, "PROD", out.System)
			require.NotNil(t, out.CustomerID)
			assert.Equal(t, int64(42), *out.CustomerID)
			assert.Equal(t, "user-7", out.Subject)
			assert.Equal(t, in.ID, out.ID, "Mint fills jti in on the caller's struct")
			assert.Equal(t, clk.Now().Unix(), out.IssuedAt.Unix(), "iat is the issuer's clock")
			assert.Equal(t, clk.Now().Add(time.Hour).Unix(), out.ExpiresAt.Unix())

			var again apiClaims // from the tokens that verified before
			require.NoError(t, iss.Parse(tok, &again))
			assert.Equal(t, out, again)
			assert.ErrorIs(t, iss.Parse(tok+"x", &apiClaims{}), token.ErrInvalid, "another string is verified afresh")
		})
	}
}

func TestExpiryFollowsTheIssuersClock(t *testing.T) {
	for _, alg := range []token.Alg{token.HS256, token.RS256} {
		t.Run(string(alg), func(t *testing.T) {
			clk := newClock()
			iss := token.New(alg, clk)
			c := &token.Claims{}
			c.ExpiresAt = jwt.NewNumericDate(clk.Now().Add(time.Minute))
			tok, err := iss.Mint(c)
			require.NoError(t, err)

			clk.advance(time.Minute - time.Second)
			require.NoError(t, iss.Parse(tok, &token.Claims{}), "valid one second before exp")

			clk.advance(time.Second)
			err = iss.Parse(tok, &token.Claims{})
			require.ErrorIs(t, err, token.ErrExpired, "expired at exp exactly")
			assert.NotErrorIs(t, err, token.ErrInvalid)

			clk.advance(time.Second)
			require.ErrorIs(t, iss.Parse(tok, &token.Claims{}), token.ErrExpired)
		})
	}
}

func TestTokenWithoutExpNeverExpires(t *testing.T) {
	clk := newClock()
	iss := token.New(token.RS256, clk)
	tok, err := iss.Mint(&token.Claims{}) // Rampable's isDisableExpire tokens
	require.NoError(t, err)
	assert.NotContains(t, payload(t, tok), "exp")
	clk.advance(100 * 365 * 24 * time.Hour)
	assert.NoError(t, iss.Parse(tok, &token.Claims{}))
}

func TestSameInstantSameSubjectDifferAndCarryNoNbf(t *testing.T) {
	clk := newClock() // stands still: both tokens get the same iat
	iss := token.New(token.HS256, clk)
	mint := func() string {
		c := &token.Claims{}
		c.Subject = "user-7"
		tok, err := iss.Mint(c)
		require.NoError(t, err)
		return tok
	}
	a, b := mint(), mint()
	assert.NotEqual(t, a, b)
	pa, pb := payload(t, a), payload(t, b)
	assert.Equal(t, pa["iat"], pb["iat"])
	assert.Equal(t, float64(clk.Now().Unix()), pa["iat"])
	assert.NotEmpty(t, pa["jti"])
	assert.NotEqual(t, pa["jti"], pb["jti"])
	for _, p := range []map[string]any{pa, pb} {
		assert.NotContains(t, p, "nbf")
	}
}

func TestMintRefusesNotBefore(t *testing.T) {
	clk := newClock()
	c := &token.Claims{}
	c.NotBefore = jwt.NewNumericDate(clk.Now())
	_, err := token.New(token.HS256, clk).Mint(c)
	assert.Error(t, err)
}

// jwksKey rebuilds the RS256 public key from JWKS() alone.
func jwksKey(t *testing.T) (kid string, pub *rsa.PublicKey) {
	t.Helper()
	raw, err := token.JWKS()
	require.NoError(t, err)
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(raw, &set))
	require.Len(t, set.Keys, 1)
	k := set.Keys[0]
	assert.Equal(t, "RSA", k["kty"])
	assert.Equal(t, "sig", k["use"])
	assert.Equal(t, "RS256", k["alg"])
	require.NotEmpty(t, k["kid"])
	n, err := base64.RawURLEncoding.DecodeString(k["n"])
	require.NoError(t, err, "n is base64url without padding")
	e, err := base64.RawURLEncoding.DecodeString(k["e"])
	require.NoError(t, err, "e is base64url without padding")
	pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	assert.Equal(t, 2048, pub.N.BitLen())
	return k["kid"], pub
}

func TestRS256VerifiesWithJWKSAlone(t *testing.T) {
	clk := newClock()
	c := &apiClaims{System: "PROD"}
	c.Subject = "user-7"
	tok, err := token.New(token.RS256, clk).Mint(c)
	require.NoError(t, err)

	kid, pub := jwksKey(t)
	parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"RS256"}))
	require.NoError(t, err)
	assert.Equal(t, kid, parsed.Header["kid"])
	claims := parsed.Claims.(jwt.MapClaims)
	assert.Equal(t, "user-7", claims["sub"])
	assert.Equal(t, "PROD", claims["ramBaseName"])

	again, _ := jwksKey(t)
	assert.Equal(t, kid, again, "the kid is stable")
}

func TestForgedTokensAreInvalidNotExpired(t *testing.T) {
	clk := newClock()
	// Every forgery also carries an exp already passed, so reporting expiry before checking the
	// signature would show as ErrExpired.
	forged := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": "user-7", "jti": "x", "exp": clk.Now().Add(-time.Hour).Unix()}
	}
	sign := func(m jwt.SigningMethod, key any) string {
		s, err := jwt.NewWithClaims(m, forged()).SignedString(key)
		require.NoError(t, err)
		return s
	}
	_, pub := jwksKey(t)
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	otherSecret := make([]byte, 32)
	rand.Read(otherSecret)
	otherRSA, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)

	// tamper swaps a real token's payload for one that says something else, keeping the signature.
	tamper := func(alg token.Alg) string {
		c := &token.Claims{}
		c.Subject = "user-7"
		c.ExpiresAt = jwt.NewNumericDate(clk.Now().Add(-time.Hour))
		tok, err := token.New(alg, clk).Mint(c)
		require.NoError(t, err)
		parts := strings.Split(tok, ".")
		p := payload(t, tok)
		p["sub"] = "admin"
		raw, err := json.Marshal(p)
		require.NoError(t, err)
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
	}
	hsOK, err := token.New(token.HS256, clk).Mint(&token.Claims{})
	require.NoError(t, err)
	rsOK, err := token.New(token.RS256, clk).Mint(&token.Claims{})
	require.NoError(t, err)

	cases := []struct {
		name string
		alg  token.Alg
		tok  string
	}{
		{"HS256 keyed with the RSA public key DER, to RS256", token.RS256, sign(jwt.SigningMethodHS256, der)},
		{"HS256 keyed with the RSA public key PEM, to RS256", token.RS256, sign(jwt.SigningMethodHS256, pemKey)},
		{"alg none, to RS256", token.RS256, sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType)},
		{"alg none, to HS256", token.HS256, sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType)},
		{"HS256 with another secret", token.HS256, sign(jwt.SigningMethodHS256, otherSecret)},
		{"RS256 with another key", token.RS256, sign(jwt.SigningMethodRS256, otherRSA)},
		{"tampered HS256 payload", token.HS256, tamper(token.HS256)},
		{"tampered RS256 payload", token.RS256, tamper(token.RS256)},
		{"a real RS256 token, to HS256", token.HS256, rsOK},
		{"a real HS256 token, to RS256", token.RS256, hsOK},
		{"malformed", token.HS256, "not.a.jwt"},
		{"empty", token.RS256, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := token.New(tc.alg, clk).Parse(tc.tok, &token.Claims{})
			require.ErrorIs(t, err, token.ErrInvalid)
			assert.NotErrorIs(t, err, token.ErrExpired)
			if parts := strings.Split(tc.tok, "."); len(parts) == 3 {
				for _, p := range parts {
					if len(p) > 3 {
						assert.NotContains(t, err.Error(), p, "the error quotes the token")
					}
				}
			}
		})
	}
}

// Go's base64 decoder skips CR and LF even when strict: a token with line breaks inserted (in the
// signature, whose bytes the MAC does not cover) would decode to the same bytes and verify.
func TestTokenWithLineBreaksIsInvalid(t *testing.T) {
	clk := newClock()
	for _, alg := range []token.Alg{token.HS256, token.RS256} {
		i := token.New(alg, clk)
		tok, err := i.Mint(&token.Claims{})
		require.NoError(t, err)
		require.NoError(t, i.Parse(tok, &token.Claims{}), "the token itself verifies, and is remembered")
		sig := strings.LastIndex(tok, ".") + 5
		for _, broken := range []string{tok[:sig] + "\n" + tok[sig:], tok[:sig] + "\r\n" + tok[sig:], tok + "\n", tok[:sig] + "\r" + tok[sig:]} {
			assert.ErrorIs(t, i.Parse(broken, &token.Claims{}), token.ErrInvalid, "%s %q", alg, broken)
		}
	}
}

func TestGenerationRevokes(t *testing.T) {
	iss := token.New(token.HS256, newClock())
	tok, err := iss.Mint(&token.Claims{Generation: 3})
	require.NoError(t, err)
	var c token.Claims
	require.NoError(t, iss.Parse(tok, &c))
	assert.Equal(t, int64(3), c.Generation)
	assert.False(t, c.IssuedBefore(3), "current generation: valid")
	assert.True(t, c.IssuedBefore(4), "after a bump: revoked")
}

func TestIssuersOfOneAlgShareTheKey(t *testing.T) {
	for _, alg := range []token.Alg{token.HS256, token.RS256} {
		t.Run(string(alg), func(t *testing.T) {
			a, b := token.New(alg, newClock()), token.New(alg, newClock())
			tok, err := a.Mint(&token.Claims{})
			require.NoError(t, err)
			assert.NoError(t, b.Parse(tok, &token.Claims{}))
		})
	}
}

// TestRSAKeyIsGeneratedLazilyOnce runs in a fresh process of this test binary, since other tests
// here have already made the process's key.
func TestRSAKeyIsGeneratedLazilyOnce(t *testing.T) {
	const child = "IDVKIT_TOKEN_LAZY_CHILD"
	if os.Getenv(child) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRSAKeyIsGeneratedLazilyOnce$", "-test.count=1")
		cmd.Env = append(os.Environ(), child+"=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Contains(t, string(out), "PASS")
		return
	}
	clk := newClock()
	hs := token.New(token.HS256, clk)
	tok, err := hs.Mint(&token.Claims{})
	require.NoError(t, err)
	require.NoError(t, hs.Parse(tok, &token.Claims{}))
	rs := token.New(token.RS256, clk)
	require.Equal(t, int32(0), token.RSAKeysGenerated(), "no RSA key before the first RS256 use")

	tok, err = rs.Mint(&token.Claims{})
	require.NoError(t, err)
	require.Equal(t, int32(1), token.RSAKeysGenerated())
	require.NoError(t, token.New(token.RS256, clk).Parse(tok, &token.Claims{}))
	_, err = token.JWKS()
	require.NoError(t, err)
	require.Equal(t, int32(1), token.RSAKeysGenerated(), "one key per process")
}

func benchmarkMintParse(b *testing.B, alg token.Alg) {
	iss := token.New(alg, newClock())
	for b.Loop() {
		c := &apiClaims{System: "PROD"}
		c.Subject = "user-7"
		tok, err := iss.Mint(c)
		if err != nil {
			b.Fatal(err)
		}
		if err := iss.Parse(tok, &apiClaims{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMintParseHS256(b *testing.B) { benchmarkMintParse(b, token.HS256) }
func BenchmarkMintParseRS256(b *testing.B) { benchmarkMintParse(b, token.RS256) }
