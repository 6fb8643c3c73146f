package steps

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// jwtVerifiesWithJWKS checks a field's RS256 signature with the key set the target publishes
// (capability jwks: GET <control>/jwks), using the key the token's kid names, or the only one when
// it names none. Then the same token, with its payload changed and still a well-formed token, must
// not verify: a check that let anything through would pass the first half. Claims are read but exp
// is not judged, since the target's clock may not be the suite's. The token is never printed.
func jwtVerifiesWithJWKS(ctx context.Context, path string) error {
	w := worldFrom(ctx)
	if err := w.need("jwks"); err != nil {
		return err
	}
	v, err := w.mustField(path)
	if err != nil {
		return err
	}
	tok, _ := v.(string)
	var set jwkSet
	if err := w.controlJSON(ctx, http.MethodGet, "/jwks", nil, &set); err != nil {
		return err
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	if _, err := parser.Parse(tok, set.keyOf); err != nil {
		return fmt.Errorf("%s does not verify with the target's JWKS: %w", path, err)
	}
	altered, err := alterPayload(tok)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, err := parser.Parse(altered, set.keyOf); !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
		return fmt.Errorf("%s with a claim changed should fail its signature check with the target's JWKS, got: %v", path, err)
	}
	return nil
}

// jwkSet is a JSON Web Key Set (RFC 7517) of RSA keys.
type jwkSet struct {
	Keys []jwk `json:"keys"`
}

// jwk is an RSA public key as a JSON Web Key: n and e are big-endian integers in base64url.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// keyOf is the public key the token's kid names, or the set's only key for a token without one.
func (s jwkSet) keyOf(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	i := slices.IndexFunc(s.Keys, func(k jwk) bool { return k.Kid == kid })
	switch {
	case kid == "" && len(s.Keys) == 1:
		i = 0
	case i < 0:
		return nil, fmt.Errorf("the JWKS has no key with the token's kid (%d keys)", len(s.Keys))
	}
	k := s.Keys[i]
	if k.Kty != "RSA" {
		return nil, fmt.Errorf("the token's key is of type %q, not RSA", k.Kty)
	}
	n, errN := base64.RawURLEncoding.DecodeString(k.N)
	e, errE := base64.RawURLEncoding.DecodeString(k.E)
	if errN != nil || errE != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
		return nil, errors.New("the token's key has no valid n and e (base64url big-endian integers)")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
}

// alterPayload changes one character of a string claim of a JWT (sub, else the first string claim
// by name) and encodes its payload again, leaving header and signature as they were: a well-formed
// token whose signature no longer matches.
func alterPayload(tok string) (string, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", errors.New("not a JWT: a JWT has three parts")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err != nil || json.Unmarshal(raw, &claims) != nil {
		return "", errors.New("its payload is not base64url JSON")
	}
	names := []string{"sub"}
	for name := range claims {
		names = append(names, name)
	}
	slices.Sort(names[1:])
	for _, name := range names {
		if s, ok := claims[name].(string); ok && s != "" {
			last := s[len(s)-1]
			changed := byte('0')
			if last == '0' {
				changed = '1'
			}
			claims[name] = s[:len(s)-1] + string(changed)
			raw, err := json.Marshal(claims)
			if err != nil {
				return "", err
			}
			return parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2], nil
		}
	}
	return "", errors.New("its payload has no string claim to change")
}
