// Package password stores and checks the passwords of mock users.
//
// A password is stored as an HMAC-SHA256 under a key made once per process, and a check computes the
// HMAC of the attempt and compares the two in constant time: a few microseconds. A slow hash would
// protect nothing here (the fixture passwords are printed in the banner, and nothing a mock stores
// outlives its process), and one bcrypt comparison at its default cost, about 60 ms of CPU, held a
// partner's load test to 16 logins a second on a core. Seeding is cheap too: a thousand fixture users
// at bcrypt's default cost took 65 s, longer than the client of PUT /_mock/fixtures waits.
//
// Whoever wants a vendor's login timing sets a Cost: every check then also spends one bcrypt
// comparison at that cost. At most GOMAXPROCS of those run at once and the other checks wait their
// turn, in order, so in a burst each login is answered as soon as its own comparison is done rather
// than all of them together at the end (500 logins on two cores: the median answer came after 18 s of
// a 19 s burst, and after 10 s with the limit), and the server's other goroutines (reading requests,
// writing responses) do not queue for a CPU behind hundreds of hashing ones.
//
// Either way a check does the same work whatever its outcome: a user that does not exist is checked
// against a digest no password has, so the time a login takes reveals neither whether the user exists
// nor whether the password was right.
package password

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// The bcrypt costs a Hasher may spend; zero, a Hasher's default, spends none.
const (
	MinCost     = bcrypt.MinCost
	DefaultCost = bcrypt.DefaultCost
	MaxCost     = bcrypt.MaxCost
)

// Hasher stores and checks passwords. The zero value checks them by the keyed hash alone.
type Hasher struct {
	// Cost, when not zero, is the cost (MinCost to MaxCost) of a bcrypt comparison every check spends
	// besides, so that a login takes as long as the vendor's.
	Cost int
}

// ValidCost returns an error unless cost is zero (no bcrypt) or a bcrypt cost.
func ValidCost(cost int) error {
	if cost != 0 && (cost < MinCost || cost > MaxCost) {
		return fmt.Errorf("password cost %d: want 0 (a keyed hash only, microseconds a check) or a bcrypt cost from %d to %d", cost, MinCost, MaxCost)
	}
	return nil
}

// digestKey keys the digests; it lives only as long as the process, like the digests themselves.
var digestKey = sync.OnceValue(func() []byte { return randomBytes(32) })

// absent is what an unknown user's attempt is compared with: a digest's length, random, made once per
// process, so no password's digest is it.
var absent = sync.OnceValue(func() []byte { return randomBytes(sha256.Size) })

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand crashes the program rather)
	return b
}

// Digest returns how to store pw; it costs what a check costs without bcrypt.
func (Hasher) Digest(pw string) []byte {
	m := hmac.New(sha256.New, digestKey())
	m.Write([]byte(pw))
	return m.Sum(nil)
}

// Check reports whether pw matches stored, a Digest or nil for a user that does not exist. Every
// check, whatever its outcome, digests pw once, compares in constant time once, and spends one bcrypt
// comparison when the Hasher has a Cost.
func (h Hasher) Check(stored []byte, pw string) bool {
	if h.Cost != 0 {
		h.spendBcrypt(pw)
	}
	known := stored != nil
	if !known {
		stored = absent()
	}
	return equal(stored, h.Digest(pw)) && known
}

// The comparisons a check makes, variables so that a test counts them.
var (
	equal   = hmac.Equal
	compare = bcrypt.CompareHashAndPassword
)

// spendBcrypt spends one bcrypt comparison at the Hasher's cost, on a hash made once per process and
// cost, once a slot is free.
func (h Hasher) spendBcrypt(pw string) {
	hash := dummy(h.Cost)
	s := slots()
	s <- struct{}{}
	_ = compare(hash, []byte(pw))
	<-s
}

// slots holds one token per comparison under way, GOMAXPROCS of them: a channel's waiting senders
// are served first come, first served.
var slots = sync.OnceValue(func() chan struct{} { return make(chan struct{}, runtime.GOMAXPROCS(0)) })

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
		panic(fmt.Sprintf("password: %v (a Hasher's Cost must pass ValidCost)", err))
	}
	dummies[cost] = h
	return h
}
