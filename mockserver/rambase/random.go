package rambase

import (
	"crypto/rand"
	"math/big"
)

// randN returns a uniform random number in [0, n) from crypto/rand.
func randN(n int64) int64 {
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return v.Int64()
}
