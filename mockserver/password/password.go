// Package password hashes and checks passwords with bcrypt. Hashing is the slowest thing the mock
// does, so hashes are made once per process for each (password, cost) and the cost is a setting:
// the minimum in tests, bcrypt's default for a served mock.
package password

import (
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// The costs callers choose between.
const (
	MinCost     = bcrypt.MinCost
	DefaultCost = bcrypt.DefaultCost
)

type key struct {
	password string
	cost     int
}

var (
	mu    sync.Mutex
	cache = map[key][]byte{}
)

// Hash returns a bcrypt hash of pw. The same (pw, cost) returns the same hash for the life of the
// process, so seeding fixtures again (every in-process test does) costs nothing after the first time.
// A cost outside bcrypt's range is raised or lowered into it.
func Hash(pw string, cost int) ([]byte, error) {
	cost = min(max(cost, bcrypt.MinCost), bcrypt.MaxCost)
	k := key{pw, cost}
	mu.Lock()
	h, ok := cache[k]
	mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		return nil, err
	}
	mu.Lock()
	cache[k] = h
	mu.Unlock()
	return h, nil
}

// HashFresh hashes a password that will not be seen again (a freshly generated one), without
// caching it.
func HashFresh(pw string, cost int) ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte(pw), min(max(cost, bcrypt.MinCost), bcrypt.MaxCost))
}

// dummy is checked when there is no such user, so a missing user costs as long as a wrong password
// and login timing does not reveal which usernames exist.
var dummy = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("idvkit-no-such-user"), bcrypt.MinCost)
	return h
})

// Check reports whether pw matches hash; a nil hash checks against a dummy and reports false.
func Check(hash []byte, pw string) bool {
	if hash == nil {
		_ = bcrypt.CompareHashAndPassword(dummy(), []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword(hash, []byte(pw)) == nil
}
