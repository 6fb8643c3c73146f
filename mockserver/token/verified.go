package token

import "sync"

// verifiedCache remembers what a token verified to, so a token presented again (every request of a
// session) costs a map lookup instead of its decoding and MAC or signature check. A token's bytes
// never change, so what verified once verifies again; what a token says about time (exp) is still
// the caller's to judge on every use. The zero value is ready to use and safe for concurrent use.
type verifiedCache[V any] struct {
	mu sync.Mutex
	m  map[string]V
}

// verifiedMax bounds the remembered tokens; past it, one is forgotten for each new one.
const verifiedMax = 4096

func (c *verifiedCache[V]) get(tok string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[tok]
	return v, ok
}

func (c *verifiedCache[V]) put(tok string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]V)
	}
	if len(c.m) >= verifiedMax {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[tok] = v
}
