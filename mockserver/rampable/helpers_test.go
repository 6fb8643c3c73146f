package rampable_test

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
)

// jwkSet reads a JSON Web Key Set of RSA keys into their public keys by kid.
func jwkSet(raw []byte) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []struct{ Kid, N, E string }
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, err
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		n, err := base64.RawURLEncoding.DecodeString(k.N)
		if err != nil {
			return nil, err
		}
		e, err := base64.RawURLEncoding.DecodeString(k.E)
		if err != nil {
			return nil, err
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return keys, nil
}
