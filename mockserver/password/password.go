// Package password stores and checks the passwords of mock users.
//
// A password is stored as a SHA-256 HMAC under a key made once per process, not as a bcrypt hash:
// seeding a thousand fixture users at bcrypt's default cost took 65 s, long enough for the client of
// PUT /_mock/fixtures to give up, and nothing a mock stores outlives its process. Every check still
// costs exactly one bcrypt comparison at the mock's cost, so a login takes as long as a real one and
// its time reveals neither whether the user exists nor whether the password was right. The cost is
// a setting: bcrypt's minimum in tests, its default for a served mock.
//
// At most GOMAXPROCS comparisons run at once; the other checks wait their turn, in order. A burst of
// logins takes as long as before, but each is answered as soon as its own comparison is done rather
// than all of them together at the end, when the CPU was shared among them all (500 logins on two
// cores: the median answer came after 18 s of a 19 s burst, and after 10 s with the limit), and the
// server's other goroutines (reading requests, writing responses) no longer queue for a CPU behind
// hundreds of hashing ones.
package password

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"runtime"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// The costs callers choose between.
const (
	MinCost     = bcrypt.MinCost
	DefaultCost = bcrypt.DefaultCost
)

// Hasher checks passwords at one bcrypt cost. The zero value uses MinCost.
type Hasher struct {
	Cost int
}

// digestKey keys the digests; it lives only as long as the process, like the digests themselves.
var digestKey = sync.OnceValue(func() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
})

// Digest returns how to store pw; it is cheap to make.
func (Hasher) Digest(pw string) []byte {
	m := hmac.New(sha256.New, digestKey())
	m.Write([]byte(pw))
	return m.Sum(nil)
}

// Check reports whether pw matches stored, a Digest or nil for a user that does not exist. It
// always costs one bcrypt comparison at the Hasher's cost, and compares in constant time.
func (h Hasher) Check(stored []byte, pw string) bool {
	hash := dummy(h.cost())
	s := slots()
	s <- struct{}{}
	_ = compare(hash, []byte(pw))
	<-s
	return stored != nil && hmac.Equal(stored, h.Digest(pw))
}

// compare is bcrypt's comparison; a test counts its calls and their cost.
var compare = bcrypt.CompareHashAndPassword

// slots holds one token per comparison under way, GOMAXPROCS of them: a channel's waiting senders
// are served first come, first served.
var slots = sync.OnceValue(func() chan struct{} { return make(chan struct{}, runtime.GOMAXPROCS(0)) })

func (h Hasher) cost() int { return min(max(h.Cost, bcrypt.MinCost), bcrypt.MaxCost) }

var (
	dummyMu sync.Mutex
	dummies = map[int][]byte{}
)

// dummy returns a bcrypt hash at the cost, made once per process, for Check to spend its bcrypt
// comparison on.
func dummy(cost int) []byte {
	dummyMu.Lock()
	defer dummyMu.Unlock()
	if h, ok := dummies[cost]; ok {
		return h
	}
	h, err := bcrypt.GenerateFromPassword([]byte("idvkit: no such user"), cost)
	if err != nil {
		panic(err) // only for a cost outside bcrypt's range, which cost() rules out
	}
	dummies[cost] = h
	return h
}
