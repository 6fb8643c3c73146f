package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
)

// macPool hands out HMAC-SHA256s already keyed with one key: keying one (hashing the padded key
// twice) was about half of what the MAC of a token cost, and a mock MACs a token on every login.
type macPool struct{ pool sync.Pool }

func newMACPool(key []byte) *macPool {
	p := &macPool{}
	p.pool.New = func() any { return hmac.New(sha256.New, key) }
	return p
}

// sum appends the MAC of msg to dst.
func (p *macPool) sum(dst, msg []byte) []byte {
	mac := p.pool.Get().(hash.Hash)
	defer p.pool.Put(mac)
	mac.Reset()
	mac.Write(msg)
	return mac.Sum(dst)
}

// hs256MACs MACs with the process's HS256 secret.
var hs256MACs = sync.OnceValue(func() *macPool { return newMACPool(hmacSecret()) })
