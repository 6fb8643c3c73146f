// Package token is the one token mechanism every API mock uses: it mints and verifies HS256 and
// RS256 JWTs against the mock's clock, carries a generation claim for revocation, and publishes the
// RS256 public key as a JSON Web Key Set for the control API to serve; and it seals opaque tokens
// that carry their own state (Sealer), for an API whose tokens are not JWTs.
//
// A JWT verifies only where and for what it was minted: on the mock that minted it, until that
// mock's fixtures are next seeded (a reset or a fixtures replace), at the API that minted it, for the
// use it was minted for (Use). An Issuer is made for one API and one use, and every Mint and Parse
// names the Epoch (the fixture seed) it is in; every token carries that binding in a claim under its
// MAC or signature, and Parse refuses any other. The keys live for the process (one random HS256
// secret and one RSA-2048 key, each made on first use), so starting a mock or seeding it anew costs
// no key generation, and a restarted mock refuses tokens from its previous run.
package token

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Clock is the time an issuer stamps and checks tokens against: the mock's clock, never time.Now, so
// a test that moves the mock's time sees tokens expire. The clock package's clocks satisfy it.
type Clock interface {
	Now() time.Time
}

// Alg is a signing algorithm an Issuer uses.
type Alg string

// The algorithms the mocks sign with.
const (
	HS256 Alg = "HS256" // HMAC-SHA256 with the process's secret; only the mock can verify.
	RS256 Alg = "RS256" // RSA-SHA256 with the process's key; anyone can verify with JWKS.
)

// Sentinel errors of Parse, wrapped; branch on them with errors.Is. Their messages never include the
// token.
var (
	// ErrExpired: the token is the issuer's own, unaltered and minted in the epoch it was parsed in,
	// but its exp has passed on the issuer's clock.
	ErrExpired = errors.New("token: expired")
	// ErrInvalid: anything else (malformed, bad signature, another algorithm, another process's key,
	// another epoch, API or use).
	ErrInvalid = errors.New("token: invalid")
)

// Use is what a token is for. An Issuer mints tokens of one use and verifies only those, so a reset
// link's token calls no operation and an access token resets no password.
type Use string

// The uses a token can be minted for.
const (
	Access       Use = "access"       // presented on an API's calls
	Reset        Use = "reset"        // a password-reset link's
	Verification Use = "verification" // proves a login to a third party or to a login's next step
)

// Epoch is one fixture seed of one mock. An API's fixture section (mockapi.Section) makes one with
// NewEpoch each time it is seeded and keeps it with the section in the store, so a reset swaps it
// with the records it belongs to; the API names that epoch on every Mint and Parse. A token verifies only in the
// epoch it was minted in: after a reset or a fixtures replace, and on every other mock, it is refused.
// The zero Epoch (an API the fixture set has no section for) mints and verifies nothing.
type Epoch struct{ id string }

// NewEpoch returns a new epoch, named at random (128 bits), so no two mocks or seeds share one.
func NewEpoch() Epoch { return Epoch{id: rand.Text()} }

// Claims are the claims every minted token carries. An API embeds Claims (as a value) in its own
// claims struct and passes a pointer to that struct to Mint and Parse:
//
//	type idvClaims struct {
//		token.Claims
//		System string `json:"ramBaseName"`
//	}
//
// Generation revokes tokens: see IssuedBefore. Binding is the issuer's: Mint sets it, Parse checks it.
type Claims struct {
	jwt.RegisteredClaims
	Generation int64 `json:"gen,omitempty"`
	// Binding names the epoch, API and use the token was minted for: "<epoch>/<api>/<use>".
	Binding string `json:"bnd"`
}

// IssuedBefore reports whether the token was issued before the subject's current token generation,
// that is, whether it is revoked. An API keeps a generation counter on the user record, puts it in
// every token it mints, and bumps it when the password changes or the user is suspended; every
// earlier token is then refused at once:
//
//	if claims.IssuedBefore(user.TokenGeneration) { /* 401 */ }
//
// A counter and not an iat comparison ("issued before the password changed") because iat has
// one-second precision and the mock's clock may stand still: a token minted in the same second as
// the change, or any token while a test holds the clock, would compare equal and survive.
func (c *Claims) IssuedBefore(generation int64) bool { return c.Generation < generation }

func (c *Claims) base() *Claims { return c }

// ClaimSet is a pointer to a struct that embeds Claims: *Claims itself or an API's own claims struct.
// Only such pointers satisfy it, since its one unexported method is promoted from *Claims.
type ClaimSet interface {
	jwt.Claims
	base() *Claims
}

// Issuer mints and verifies the tokens of one use at one API, with one algorithm against one clock.
// It is safe for concurrent use.
type Issuer struct {
	alg    Alg
	method jwt.SigningMethod
	clock  Clock
	parser *jwt.Parser
	scope  string // "/<api>/<use>": what follows the epoch in the binding of every token it mints

	header func() (string, error) // encodeHeader, once

	// verified remembers the claims of tokens whose signature has verified, so a token presented
	// again (every request of a session) costs a map lookup and its exp check, not a base64 and JSON
	// decoding and an HMAC or RSA verification: that was half of a request's cost. A token's bytes
	// never change, so its signature, once verified, stays verified; its binding and exp are still
	// judged on every Parse, so a remembered token dies with its epoch.
	verified verifiedCache[reflect.Value] // token -> a copy of its claims struct
}

// New returns the issuer of the tokens of one use at one API (its name), signed with alg and judged
// against c. It makes no key: the RSA key is generated on the first RS256 Mint, Parse or JWKS, so
// starting a mock stays cheap. New panics on an empty API, an unknown use or alg, or a nil clock, all
// wiring mistakes.
func New(api string, use Use, alg Alg, c Clock) *Issuer {
	switch {
	case api == "":
		panic("token: no API")
	case use != Access && use != Reset && use != Verification:
		panic(fmt.Sprintf("token: unknown use %q", use))
	}
	var method jwt.SigningMethod
	switch alg {
	case HS256:
		method = jwt.SigningMethodHS256
	case RS256:
		method = jwt.SigningMethodRS256
	default:
		panic(fmt.Sprintf("token: unknown algorithm %q", alg))
	}
	if c == nil {
		panic("token: nil clock")
	}
	i := &Issuer{alg: alg, method: method, clock: c, scope: "/" + api + "/" + string(use), parser: jwt.NewParser(
		// Only this issuer's algorithm: refuses "none" and an HS256 token keyed with the RSA public key.
		jwt.WithValidMethods([]string{string(alg)}),
		// exp against the mock's clock: valid while now < exp, expired from exp itself on.
		jwt.WithTimeFunc(c.Now),
		// Canonical base64 only, so a token has one spelling and an altered one never verifies.
		jwt.WithStrictDecoding(),
	)}
	i.header = sync.OnceValues(i.encodeHeader)
	return i
}

var (
	errNotBefore = errors.New("token: nbf is never emitted; leave NotBefore unset")
	errNoEpoch   = errors.New("token: no epoch: the API's fixtures were not seeded")
	errUnbound   = fmt.Errorf("%w: bound to another mock, fixture seed, API or use", ErrInvalid)
)

// Mint signs claims with the issuer's algorithm and returns the compact token, bound to epoch e and
// the issuer's API and use. It sets Binding on the caller's struct, and fills in what is unset:
// IssuedAt from the issuer's clock, and ID (jti) at random, so two tokens minted in the same second
// for the same subject still differ. ExpiresAt is the caller's: nil means the token never expires.
// Times travel as whole seconds, truncated, so a token whose exp is a sub-second now+TTL expires up
// to a second before that instant. Mint never sets nbf and refuses claims that do, since a client
// whose clock lags the mock's would reject the token.
func (i *Issuer) Mint(e Epoch, claims ClaimSet) (string, error) {
	c := claims.base()
	switch {
	case c.NotBefore != nil:
		return "", errNotBefore
	case e.id == "":
		return "", errNoEpoch
	}
	c.Binding = e.id + i.scope
	if c.IssuedAt == nil {
		c.IssuedAt = jwt.NewNumericDate(i.clock.Now())
	}
	if c.ID == "" {
		c.ID = rand.Text()
	}
	header, err := i.header()
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("token: encode claims: %w", err)
	}
	signing := header + "." + segment.EncodeToString(payload)
	var sig []byte
	if i.alg == HS256 {
		sig = hs256MACs().sum(nil, []byte(signing))
	} else {
		k, err := rsaKey()
		if err != nil {
			return "", err
		}
		if sig, err = i.method.Sign(signing, k.private); err != nil {
			return "", fmt.Errorf("token: sign: %w", err)
		}
	}
	return signing + "." + segment.EncodeToString(sig), nil
}

// segment is how a JWT encodes its parts: base64url without padding (RFC 7515).
var segment = base64.RawURLEncoding

// encodeHeader returns the issuer's JOSE header, encoded: the same for every token it mints, so it
// is encoded once (encoding it as a map on every Mint was a third of minting). Its bytes are
// golang-jwt's for the same header (json.Marshal of the map, keys sorted).
func (i *Issuer) encodeHeader() (string, error) {
	h := map[string]any{"typ": "JWT", "alg": string(i.alg)}
	if i.alg == RS256 {
		k, err := rsaKey()
		if err != nil {
			return "", err
		}
		h["kid"] = k.kid
	}
	b, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("token: encode header: %w", err)
	}
	return segment.EncodeToString(b), nil
}

// Parse verifies tokenString and decodes its claims into claims, a pointer to a fresh struct of the
// type it was minted with. It accepts only the issuer's algorithm signed with this process's key,
// only a token bound to epoch e and the issuer's API and use, and checks exp against the issuer's
// clock: a token is expired from exp on, valid one second before.
//
// The error wraps ErrExpired or ErrInvalid, except when the RSA key could not be generated. On
// ErrExpired the signature and the binding did verify, so claims are the issuer's own in this epoch
// (a handler may say whose token expired, or let it through when it breaks expiry on purpose); on
// any other error claims may be partly filled from the unverified token and must not be used. Parse
// does not check revocation: compare the generation with IssuedBefore. A token that verified once is
// remembered, so the claims of later Parses of it share its pointer fields (exp, iat): treat them as
// read-only.
func (i *Issuer) Parse(e Epoch, tokenString string, claims ClaimSet) error {
	if hasLineBreak(tokenString) {
		return fmt.Errorf("%w: malformed", ErrInvalid)
	}
	dst := reflect.ValueOf(claims).Elem()
	if i.recall(tokenString, dst) {
		if !i.binds(e, claims.base()) {
			return errUnbound
		}
		return i.checkExpiry(claims)
	}
	var key any = hmacSecret()
	if i.alg == RS256 {
		k, err := rsaKey()
		if err != nil {
			return err
		}
		key = &k.private.PublicKey
	}
	_, err := i.parser.ParseWithClaims(tokenString, claims, func(*jwt.Token) (any, error) { return key, nil })
	// jwt's error text can quote parts of the token, so map it to fixed reasons.
	switch {
	case err == nil, errors.Is(err, jwt.ErrTokenExpired):
		// The signature verified (jwt judges exp after it): the claims are this process's own.
		if !i.binds(e, claims.base()) {
			return errUnbound
		}
		if err != nil {
			return ErrExpired
		}
		i.remember(tokenString, dst)
		return nil
	case errors.Is(err, jwt.ErrTokenMalformed):
		return fmt.Errorf("%w: malformed", ErrInvalid)
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return fmt.Errorf("%w: unknown or missing algorithm", ErrInvalid)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return fmt.Errorf("%w: wrong algorithm or signature", ErrInvalid)
	default:
		return fmt.Errorf("%w: claims not valid", ErrInvalid)
	}
}

// Verifies reports whether tokenString is one of the issuer's tokens in epoch e, as Parse judges it,
// decoding its claims into claims. expiredOK lets through a token whose only fault is that it has
// expired, for an API that breaks its expiry rule on purpose.
func (i *Issuer) Verifies(e Epoch, tokenString string, claims ClaimSet, expiredOK bool) bool {
	err := i.Parse(e, tokenString, claims)
	return err == nil || (expiredOK && errors.Is(err, ErrExpired))
}

// binds reports whether c was minted in epoch e by an issuer of this one's API and use.
func (i *Issuer) binds(e Epoch, c *Claims) bool {
	b := c.Binding
	return len(b) == len(e.id)+len(i.scope) && b[:len(e.id)] == e.id && b[len(e.id):] == i.scope
}

// recall fills dst with the claims of a token that verified before, if it is remembered with claims
// of dst's type.
func (i *Issuer) recall(tokenString string, dst reflect.Value) bool {
	v, ok := i.verified.get(tokenString)
	if !ok || v.Type() != dst.Type() {
		return false
	}
	dst.Set(v)
	return true
}

// remember keeps a copy of a verified token's claims.
func (i *Issuer) remember(tokenString string, claims reflect.Value) {
	copied := reflect.New(claims.Type()).Elem()
	copied.Set(claims)
	i.verified.put(tokenString, copied)
}

// checkExpiry judges a remembered token's exp on the issuer's clock, as the parser does: expired
// from exp itself on.
func (i *Issuer) checkExpiry(claims ClaimSet) error {
	exp, err := claims.GetExpirationTime()
	if err != nil {
		return fmt.Errorf("%w: claims not valid", ErrInvalid)
	}
	if exp != nil && !i.clock.Now().Before(exp.Time) {
		return ErrExpired
	}
	return nil
}
