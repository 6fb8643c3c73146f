package token

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"
)

// hmacSecret is the process's HS256 secret: 32 random bytes (the SHA-256 block output size, as RFC
// 7518 asks), made on first use.
var hmacSecret = sync.OnceValue(func() []byte {
	b := make([]byte, 32)
	rand.Read(b) // never fails: it crashes the program if the system's random source does
	return b
})

// signingKey is the process's RS256 key and its key ID.
type signingKey struct {
	private *rsa.PrivateKey
	kid     string
	jwk     jwk
}

// rsaKeysGenerated counts RSA key generations, for the test that generation is lazy and happens once.
var rsaKeysGenerated atomic.Int32

// rsaKey is the process's RSA-2048 key, generated on the first RS256 use (tens of milliseconds, which
// a mock that never signs RS256 should not pay at start).
var rsaKey = sync.OnceValues(func() (*signingKey, error) {
	rsaKeysGenerated.Add(1)
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("token: generate RSA key: %w", err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	k := jwk{Kty: "RSA", Use: "sig", Alg: string(RS256),
		N: b64(priv.N.Bytes()), E: b64(big.NewInt(int64(priv.E)).Bytes())}
	// The key ID is the key's RFC 7638 thumbprint: the SHA-256 of its required members in this exact
	// order and spelling. It is stable for the key and names it the same way a JOSE library would.
	sum := sha256.Sum256(fmt.Appendf(nil, `{"e":"%s","kty":"RSA","n":"%s"}`, k.E, k.N))
	k.Kid = b64(sum[:])
	return &signingKey{private: priv, kid: k.Kid, jwk: k}, nil
})

// jwk is an RSA public key as a JSON Web Key (RFC 7517, 7518): n and e are the big-endian bytes of
// modulus and exponent in base64url without padding.
type jwk struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// JWKS returns the RS256 public key as a JSON Web Key Set, {"keys":[{"kty":"RSA",...}]}: what the
// control API serves at GET /_mock/jwks so a client can verify RS256 tokens itself. Its kid is the
// one in every RS256 token's header. The first call generates the key if no RS256 token has.
func JWKS() ([]byte, error) {
	k, err := rsaKey()
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Keys []jwk `json:"keys"`
	}{[]jwk{k.jwk}})
}
