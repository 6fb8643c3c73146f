package steps_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/steps/scenario"
)

// jwtTarget is a target of this test's own: /tokens.json holds JWTs of every kind the JWT steps
// judge, its control API offers the capabilities given and publishes the key set of key under kid
// "k1" (and a second key), and /echo answers the body it was sent: its length and its bytes in hex.
func jwtTarget(t *testing.T, key *rsa.PrivateKey, caps ...string) string {
	t.Helper()
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	now := time.Now()
	sign := func(method jwt.SigningMethod, k any, kid string, claims jwt.MapClaims) string {
		tok := jwt.NewWithClaims(method, claims)
		if kid != "" {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(k)
		require.NoError(t, err)
		return s
	}
	claims := jwt.MapClaims{"sub": "64b50e77f6f117e759c15783", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	rs := sign(jwt.SigningMethodRS256, key, "k1", claims)
	parts := strings.Split(rs, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"64b50e77f6f117e759c15784"}`)) + "." + parts[2]
	tokens, err := json.Marshal(map[string]string{
		"rs":       rs,
		"expired":  sign(jwt.SigningMethodRS256, key, "k1", jwt.MapClaims{"sub": "a", "iat": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(-time.Hour).Unix()}),
		"noKid":    sign(jwt.SigningMethodRS256, key, "", claims),
		"otherKid": sign(jwt.SigningMethodRS256, key, "k3", claims),
		"forged":   sign(jwt.SigningMethodRS256, other, "k1", claims),
		"tampered": tampered,
		"hs":       sign(jwt.SigningMethodHS256, []byte("a secret of thirty-two bytes....."), "", claims),
		"noExp":    sign(jwt.SigningMethodRS256, key, "k1", jwt.MapClaims{"sub": "a", "iat": now.Unix()}),
		"message":  "fullName is required",
	})
	require.NoError(t, err)
	jwk := func(k *rsa.PrivateKey, kid string) map[string]string {
		b64 := base64.RawURLEncoding.EncodeToString
		return map[string]string{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
			"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
	}
	keys := []map[string]string{jwk(key, "k1"), jwk(other, "k2")}
	if len(caps) > 0 && caps[0] == "one-key" {
		keys, caps = keys[:1], caps[1:]
	}
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		require.NoError(t, json.NewEncoder(w).Encode(v))
	}
	return newHTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/tokens.json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(tokens)
		case "/_mock/capabilities":
			writeJSON(w, map[string]any{"version": "1.5.0", "apis": []string{"rambase"}, "capabilities": append([]string{}, caps...)})
		case "/_mock/jwks":
			writeJSON(w, map[string]any{"keys": keys})
		case "/echo":
			body, _ := io.ReadAll(r.Body)
			writeJSON(w, map[string]any{"length": len(body), "hex": hex.EncodeToString(body)})
		}
	}))
}

// A JWT is checked against the target's published key set: the key its kid names, or the only one;
// a token signed with another key, or altered after signing, fails; so does a token whose kid names
// no key. Exp is not judged. Without the capability the scenario is skipped.
func TestAJWTVerifiesOnlyWithTheTargetsPublishedKey(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	srv := jwtTarget(t, key, "jwks")
	for _, c := range []struct {
		field string
		want  scenario.Status
		why   string
	}{
		{"rs", scenario.Passed, ""},
		{"expired", scenario.Passed, ""},
		{"forged", scenario.Failed, "does not verify with the target's JWKS: token signature is invalid"},
		{"tampered", scenario.Failed, "does not verify with the target's JWKS: token signature is invalid"},
		{"otherKid", scenario.Failed, "the JWKS has no key with the token's kid (2 keys)"},
		{"noKid", scenario.Failed, "the JWKS has no key with the token's kid (2 keys)"},
		{"hs", scenario.Failed, "does not verify with the target's JWKS: token signature is invalid: signing method HS256 is invalid"},
		{"message", scenario.Failed, "does not verify with the target's JWKS: token is malformed"},
	} {
		s, sc := oneStepAt(t, srv, `When a client sends "GET /tokens.json"
    Then the response field "`+c.field+`" is a JWT that verifies with the target's JWKS`)
		res := s.Run(context.Background(), sc)
		assert.Equal(t, c.want, res.Status, "%s: %s", c.field, res.Reason)
		assert.Contains(t, res.Reason, c.why, c.field)
	}

	s, sc := oneStepAt(t, jwtTarget(t, key, "one-key", "jwks"), `When a client sends "GET /tokens.json"
    Then the response field "noKid" is a JWT that verifies with the target's JWKS`)
	res := s.Run(context.Background(), sc)
	assert.Equal(t, scenario.Passed, res.Status, "the only key: %s", res.Reason)

	s, sc = oneStepAt(t, jwtTarget(t, key), `When a client sends "GET /tokens.json"
    Then the response field "rs" is a JWT that verifies with the target's JWKS`)
	res = s.Run(context.Background(), sc)
	assert.Equal(t, scenario.Skipped, res.Status)
	assert.Equal(t, "target lacks capability jwks", res.Reason)
}

// The steps that read a JWT without verifying it: its algorithm, whether it expires; and a field that
// mentions a text.
func TestJWTHeaderAndExpiryAndMentions(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	srv := jwtTarget(t, key)
	for _, c := range []struct {
		step string
		pass bool
	}{
		{`the response field "hs" is a JWT signed with HS256`, true},
		{`the response field "rs" is a JWT signed with HS256`, false},
		{`the response field "rs" is a JWT signed with RS256`, true},
		{`the response field "message" is a JWT signed with RS256`, false},
		{`the response field "rs" is a JWT with an expiry`, true},
		{`the response field "noExp" is a JWT with an expiry`, false},
		{`the response field "message" is a JWT with an expiry`, false},
		{`the response field "message" mentions "fullName"`, true},
		{`the response field "message" mentions "fullname"`, false},
		{`the response field "rs" mentions "password"`, false},
	} {
		s, sc := oneStepAt(t, srv, `When a client sends "GET /tokens.json"
    Then `+c.step)
		res := s.Run(context.Background(), sc)
		if c.pass {
			assert.Equal(t, scenario.Passed, res.Status, "%s: %s", c.step, res.Reason)
		} else {
			assert.Equal(t, scenario.Failed, res.Status, c.step)
		}
	}
}

// A body padded with spaces is exactly the size asked for, and one already longer is refused; a
// character sent as Latin-1 is its one byte, and a character outside Latin-1, or absent, is refused.
func TestBodiesPaddedToASizeOrSentAsLatin1(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	srv := jwtTarget(t, key)
	send := func(step, doc string) scenario.Result {
		s, sc := oneStepAt(t, srv, `When a client sends "POST /echo" with a "application/json" `+step+`
      """
      `+doc+`
      """`)
		return s.Run(context.Background(), sc)
	}
	for _, size := range []int{1048576, 1048577} {
		res := send(`body padded with spaces to `+big.NewInt(int64(size)).String()+` bytes:`, `{"name": "Zoé"}`)
		require.Equal(t, scenario.Passed, res.Status, res.Reason)
	}
	s, sc := oneStepAt(t, srv, `When a client sends "POST /echo" with a "application/json" body padded with spaces to 20 bytes:
      """
      {"name": "Zoé"}
      """
    Then the response field "length" is 20
    And the response field "hex" is "7b226e616d65223a20225a6fc3a9227d20202020"`)
	res := s.Run(context.Background(), sc)
	assert.Equal(t, scenario.Passed, res.Status, res.Reason)
	res = send(`body padded with spaces to 10 bytes:`, `{"name": "Zoé"}`)
	assert.Equal(t, scenario.Failed, res.Status)
	assert.Contains(t, res.Reason, "the body is 16 bytes already, more than 10")

	s, sc = oneStepAt(t, srv, `When a client sends "POST /echo" with a "application/json" body, its "é" sent as Latin-1:
      """
      {"name": "Zoé"}
      """
    Then the response field "hex" is "7b226e616d65223a20225a6fe9227d"`)
	res = s.Run(context.Background(), sc)
	assert.Equal(t, scenario.Passed, res.Status, res.Reason)
	for char, why := range map[string]string{"ő": "is not one character of Latin-1", "ü": "the body has no", "a": "is not one character of Latin-1"} {
		res := send(`body, its "`+char+`" sent as Latin-1:`, `{"name": "Zoé"}`)
		assert.Equal(t, scenario.Failed, res.Status, char)
		assert.Contains(t, res.Reason, why, char)
	}
}
