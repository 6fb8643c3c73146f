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

// epoch is the fixture seed most tests mint and parse in.
var epoch = token.NewEpoch()

// newIssuer is an issuer of access tokens at an API named "api".
func newIssuer(alg token.Alg, c token.Clock) *token.Issuer {
	return token.New("api", token.Access, alg, c)
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
			iss := newIssuer(alg, clk)
			customer := int64(42)
			in := &apiClaims{System: "PROD", CustomerID: &customer}
			in.Subject = "user-7"
			in.ExpiresAt = jwt.NewNumericDate(clk.Now().Add(time.Hour))
			tok, err := iss.Mint(epoch, in)
			require.NoError(t, err)

			var out apiClaims
			require.NoError(t, iss.Parse(epoch, tok, &out))
			assert.Equal(t, "PROD", out.System)
			require.NotNil(t, out.CustomerID)
			assert.Equal(t, int64(42), *out.CustomerID)
			assert.Equal(t, "user-7", out.Subject)
			assert.Equal(t, in.ID, out.ID, "Mint fills jti in on the caller's struct")
			assert.Equal(t, clk.Now().Unix(), out.IssuedAt.Unix(), "iat is the issuer's clock")
			assert.Equal(t, clk.Now().Add(time.Hour).Unix(), out.ExpiresAt.Unix())

			var again apiClaims // from the tokens that verified before
			require.NoError(t, iss.Parse(epoch, tok, &again))
			assert.Equal(t, out, again)
			assert.ErrorIs(t, iss.Parse(epoch, tok+"x", &apiClaims{}), token.ErrInvalid, "another string is verified afresh")
		})
	}
}

func TestExpiryFollowsTheIssuersClock(t *testing.T) {
	for _, alg := range []token.Alg{token.HS256, token.RS256} {
		t.Run(string(alg), func(t *testing.T) {
			clk := newClock()
			iss := newIssuer(alg, clk)
			c := &token.Claims{}
			c.ExpiresAt = jwt.NewNumericDate(clk.Now().Add(time.Minute))
			tok, err := iss.Mint(epoch, c)
			require.NoError(t, err)

			clk.advance(time.Minute - time.Second)
			require.NoError(t, iss.Parse(epoch, tok, &token.Claims{}), "valid one second before exp")

			clk.advance(time.Second)
			err = iss.Parse(epoch, tok, &token.Claims{})
			require.ErrorIs(t, err, token.ErrExpired, "expired at exp exactly")
			assert.NotErrorIs(t, err, token.ErrInvalid)

			clk.advance(time.Second)
			require.ErrorIs(t, iss.Parse(epoch, tok, &token.Claims{}), token.ErrExpired)
		})
	}
}

// Verifies lets an expired token through only when asked to, and never an invalid one.
func TestVerifiesForgivesOnlyExpiryAndOnlyWhenAsked(t *testing.T) {
	clk := newClock()
	iss := newIssuer(token.HS256, clk)
	c := &token.Claims{}
	c.Subject = "anna"
	c.ExpiresAt = jwt.NewNumericDate(clk.Now().Add(time.Minute))
	tok, err := iss.Mint(epoch, c)
	require.NoError(t, err)
	assert.True(t, iss.Verifies(epoch, tok, &token.Claims{}, false))

	clk.advance(time.Minute)
	assert.False(t, iss.Verifies(epoch, tok, &token.Claims{}, false), "expired")
	out := &token.Claims{}
	assert.True(t, iss.Verifies(epoch, tok, out, true), "expired, and forgiven")
	assert.Equal(t, "anna", out.Subject)
	assert.False(t, iss.Verifies(epoch, tok+"x", &token.Claims{}, true), "invalid is never forgiven")
	assert.False(t, iss.Verifies(token.NewEpoch(), tok, &token.Claims{}, true), "nor another epoch's")
}

func TestTokenWithoutExpNeverExpires(t *testing.T) {
	clk := newClock()
	iss := newIssuer(token.RS256, clk)
	tok, err := iss.Mint(epoch, &token.Claims{}) // Rampable's isDisableExpire tokens
	require.NoError(t, err)
	assert.NotContains(t, payload(t, tok), "exp")
	clk.advance(100 * 365 * 24 * time.Hour)
	assert.NoError(t, iss.Parse(epoch, tok, &token.Claims{}))
}

func TestSameInstantSameSubjectDifferAndCarryNoNbf(t *testing.T) {
	clk := newClock() // stands still: both tokens get the same iat
	iss := newIssuer(token.HS256, clk)
	mint := func() string {
		c := &token.Claims{}
		c.Subject = "user-7"
		tok, err := iss.Mint(epoch, c)
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
	_, err := newIssuer(token.HS256, clk).Mint(epoch, c)
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
	tok, err := newIssuer(token.RS256, clk).Mint(epoch, c)
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
		tok, err := newIssuer(alg, clk).Mint(epoch, c)
		require.NoError(t, err)
		parts := strings.Split(tok, ".")
		p := payload(t, tok)
		p["sub"] = "admin"
		raw, err := json.Marshal(p)
		require.NoError(t, err)
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
	}
	hsOK, err := newIssuer(token.HS256, clk).Mint(epoch, &token.Claims{})
	require.NoError(t, err)
	rsOK, err := newIssuer(token.RS256, clk).Mint(epoch, &token.Claims{})
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
			err := newIssuer(tc.alg, clk).Parse(epoch, tc.tok, &token.Claims{})
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
		i := newIssuer(alg, clk)
		tok, err := i.Mint(epoch, &token.Claims{})
		require.NoError(t, err)
		require.NoError(t, i.Parse(epoch, tok, &token.Claims{}), "the token itself verifies, and is remembered")
		sig := strings.LastIndex(tok, ".") + 5
		for _, broken := range []string{tok[:sig] + "\n" + tok[sig:], tok[:sig] + "\r\n" + tok[sig:], tok + "\n", tok[:sig] + "\r" + tok[sig:]} {
			assert.ErrorIs(t, i.Parse(epoch, broken, &token.Claims{}), token.ErrInvalid, "%s %q", alg, broken)
		}
	}
}

func TestGenerationRevokes(t *testing.T) {
	iss := newIssuer(token.HS256, newClock())
	tok, err := iss.Mint(epoch, &token.Claims{Generation: 3})
	require.NoError(t, err)
	var c token.Claims
	require.NoError(t, iss.Parse(epoch, tok, &c))
	assert.Equal(t, int64(3), c.Generation)
	assert.False(t, c.IssuedBefore(3), "current generation: valid")
	assert.True(t, c.IssuedBefore(4), "after a bump: revoked")
}

// A token verifies in the epoch it was minted in, at the issuer of its API and use; any other epoch
// (the same mock after a reset, or another mock), API or use refuses it as invalid, not expired, even
// once its exp has passed, and whether or not the token was remembered from an earlier Parse.
func TestATokenVerifiesOnlyInItsEpochAtItsAPIForItsUse(t *testing.T) {
	for _, alg := range []token.Alg{token.HS256, token.RS256} {
		t.Run(string(alg), func(t *testing.T) {
			clk := newClock()
			minter := token.New("randaverify", token.Access, alg, clk)
			c := &token.Claims{}
			c.ExpiresAt = jwt.NewNumericDate(clk.Now().Add(time.Minute))
			tok, err := minter.Mint(epoch, c)
			require.NoError(t, err)
			assert.Equal(t, c.Binding, payload(t, tok)["bnd"])
			require.NoError(t, token.New("randaverify", token.Access, alg, clk).Parse(epoch, tok, &token.Claims{}),
				"an issuer of the same API and use, in the same epoch")

			others := []struct {
				name   string
				issuer *token.Issuer
				epoch  token.Epoch
			}{
				{"the next epoch", minter, token.NewEpoch()},
				{"no epoch", minter, token.Epoch{}},
				{"another API", token.New("eeid", token.Access, alg, clk), epoch},
				{"another use (reset)", token.New("randaverify", token.Reset, alg, clk), epoch},
				{"another use (verification)", token.New("randaverify", token.Verification, alg, clk), epoch},
			}
			for _, o := range others {
				iss := o.issuer
				if iss == minter { // one that has not verified the token before
					iss = token.New("randaverify", token.Access, alg, clk)
				}
				assert.ErrorIs(t, iss.Parse(o.epoch, tok, &token.Claims{}), token.ErrInvalid, o.name)
			}
			require.NoError(t, minter.Parse(epoch, tok, &token.Claims{}), "now remembered")
			for _, o := range others[:2] {
				assert.ErrorIs(t, minter.Parse(o.epoch, tok, &token.Claims{}), token.ErrInvalid, "remembered, in %s", o.name)
			}

			clk.advance(time.Minute)
			require.ErrorIs(t, minter.Parse(epoch, tok, &token.Claims{}), token.ErrExpired)
			for _, o := range others {
				err := o.issuer.Parse(o.epoch, tok, &token.Claims{})
				require.ErrorIs(t, err, token.ErrInvalid, "expired, and %s", o.name)
				assert.NotErrorIs(t, err, token.ErrExpired, "expired, and %s", o.name)
			}
		})
	}
}

// The zero epoch (an API with no fixtures) mints nothing: a token bound to no seed would outlive them all.
func TestMintNeedsAnEpoch(t *testing.T) {
	iss := newIssuer(token.HS256, newClock())
	_, err := iss.Mint(epoch, &token.Claims{})
	require.NoError(t, err)
	_, err = iss.Mint(token.Epoch{}, &token.Claims{})
	assert.Error(t, err)
}

// An issuer is made for a use and an API: neither can be left out or misspelt.
func TestNewRefusesAnIssuerWithoutAPIOrUse(t *testing.T) {
	assert.NotPanics(t, func() { token.New("api", token.Reset, token.HS256, newClock()) })
	assert.Panics(t, func() { token.New("", token.Access, token.HS256, newClock()) })
	assert.Panics(t, func() { token.New("api", "", token.HS256, newClock()) })
	assert.Panics(t, func() { token.New("api", "acess", token.HS256, newClock()) })
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
	hs := newIssuer(token.HS256, clk)
	tok, err := hs.Mint(epoch, &token.Claims{})
	require.NoError(t, err)
	require.NoError(t, hs.Parse(epoch, tok, &token.Claims{}))
	rs := newIssuer(token.RS256, clk)
	require.Equal(t, int32(0), token.RSAKeysGenerated(), "no RSA key before the first RS256 use")

	tok, err = rs.Mint(epoch, &token.Claims{})
	require.NoError(t, err)
	require.Equal(t, int32(1), token.RSAKeysGenerated())
	require.NoError(t, newIssuer(token.RS256, clk).Parse(epoch, tok, &token.Claims{}))
	_, err = token.JWKS()
	require.NoError(t, err)
	require.Equal(t, int32(1), token.RSAKeysGenerated(), "one key per process")
}

func benchmarkMintParse(b *testing.B, alg token.Alg) {
	iss := newIssuer(alg, newClock())
	for b.Loop() {
		c := &apiClaims{System: "PROD"}
		c.Subject = "user-7"
		tok, err := iss.Mint(epoch, c)
		if err != nil {
			b.Fatal(err)
		}
		if err := iss.Parse(epoch, tok, &apiClaims{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMintParseHS256(b *testing.B) { benchmarkMintParse(b, token.HS256) }

// BenchmarkParseRemembered is a session's token presented again: what every API call costs.
func BenchmarkParseRememberedHS256(b *testing.B) {
	iss := newIssuer(token.HS256, newClock())
	c := &apiClaims{System: "PROD"}
	c.Subject = "user-7"
	tok, err := iss.Mint(epoch, c)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := iss.Parse(epoch, tok, &apiClaims{}); err != nil {
			b.Fatal(err)
		}
	}
}
func BenchmarkMintParseRS256(b *testing.B) { benchmarkMintParse(b, token.RS256) }
