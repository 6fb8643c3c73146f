package password

import (
	"bytes"
	"crypto/hmac"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

func TestCheckMatchesOnlyTheStoredPassword(t *testing.T) {
	for _, h := range []Hasher{{}, {Cost: MinCost}} {
		stored := h.Digest("s3cret")
		assert.True(t, h.Check(stored, "s3cret"), "cost %d", h.Cost)
		assert.False(t, h.Check(stored, "s3cret "))
		assert.False(t, h.Check(stored, ""))
		assert.False(t, h.Check(nil, "s3cret"), "no such user")
		assert.False(t, h.Check([]byte{}, ""), "an empty digest matches nothing")
		assert.Equal(t, stored, h.Digest("s3cret"), "digests are stable within the process")
	}
}

// The costs a mock may be given: zero (no bcrypt) and bcrypt's own range, checked at each edge.
func TestValidCost(t *testing.T) {
	for cost, ok := range map[int]bool{-1: false, 0: true, 1: false, MinCost - 1: false, MinCost: true, DefaultCost: true,
		MaxCost: true, MaxCost + 1: false} {
		err := ValidCost(cost)
		if ok {
			assert.NoError(t, err, "cost %d", cost)
		} else {
			assert.ErrorContains(t, err, fmt.Sprintf("password cost %d: want 0", cost))
		}
	}
}

// op is one comparison a check made: a constant-time comparison of a digest with what was stored, or
// a bcrypt comparison at a cost.
type op struct {
	kind string // "equal" or "bcrypt"
	// stored is what the attempt's digest was compared with ("digest", "absent", "other"); cost the
	// bcrypt hash's.
	stored string
	cost   int
}

// countOps records the comparisons checks make, through the package's hooks, until the test ends.
func countOps(t *testing.T, stored []byte, pw string) *[]op {
	var ops []op
	equal = func(a, b []byte) bool {
		what := "other"
		switch {
		case bytes.Equal(a, stored):
			what = "digest"
		case bytes.Equal(a, absent()):
			what = "absent"
		}
		assert.Equal(t, Hasher{}.Digest(pw), b, "the attempt is digested once per check")
		ops = append(ops, op{kind: "equal", stored: what})
		return hmac.Equal(a, b)
	}
	compare = func(hash, pw []byte) error {
		c, err := bcrypt.Cost(hash)
		assert.NoError(t, err)
		ops = append(ops, op{kind: "bcrypt", cost: c})
		return bcrypt.CompareHashAndPassword(hash, pw)
	}
	t.Cleanup(func() { equal, compare = hmac.Equal, bcrypt.CompareHashAndPassword })
	return &ops
}

// A check costs microseconds by default: one keyed digest and one constant-time comparison, no
// bcrypt. A wrong password and an unknown user cost exactly what a right password costs: the unknown
// user's attempt is compared with a digest no password has. With a Cost, each check spends one bcrypt
// comparison at that cost besides, whatever the outcome.
func TestEveryCheckCostsTheSameWhateverItsOutcome(t *testing.T) {
	for _, cost := range []int{0, MinCost, 6} {
		t.Run(fmt.Sprint("cost ", cost), func(t *testing.T) {
			h := Hasher{Cost: cost}
			stored := h.Digest("right")
			for _, c := range []struct {
				name   string
				stored []byte
				pw     string
				ok     bool
				cmp    string
			}{
				{"right password", stored, "right", true, "digest"},
				{"wrong password", stored, "wrong", false, "digest"},
				{"unknown user", nil, "right", false, "absent"},
			} {
				ops := countOps(t, c.stored, c.pw)
				assert.Equal(t, c.ok, h.Check(c.stored, c.pw), c.name)
				want := []op{{kind: "equal", stored: c.cmp}}
				if cost != 0 {
					want = append([]op{{kind: "bcrypt", cost: cost}}, want...)
				}
				assert.Equal(t, want, *ops, c.name)
			}
		})
	}
}

// The default check takes microseconds: well under bcrypt's minimum cost (about 1 ms), let alone its
// default (about 60 ms).
func BenchmarkCheck(b *testing.B) {
	for _, cost := range []int{0, MinCost} {
		b.Run(fmt.Sprint("cost ", cost), func(b *testing.B) {
			h := Hasher{Cost: cost}
			stored := h.Digest("right")
			for b.Loop() {
				h.Check(stored, "wrong")
			}
		})
	}
}

// At most GOMAXPROCS bcrypt comparisons run at once, however many checks are made together: the
// others wait their turn rather than share the CPU with them. Each comparison here yields the
// processor as soon as it has started, so without the limit every check would be in one at once.
func TestAtMostGOMAXPROCSComparisonsRunAtOnce(t *testing.T) {
	var running, most atomic.Int32
	compare = func(hash, pw []byte) error {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		for range 10 {
			runtime.Gosched()
		}
		defer running.Add(-1)
		return bcrypt.CompareHashAndPassword(hash, pw)
	}
	t.Cleanup(func() { compare = bcrypt.CompareHashAndPassword })
	h := Hasher{Cost: MinCost}
	stored := h.Digest("right")
	checks := 16 * runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	start := make(chan struct{})
	var mistaken atomic.Int32
	for i := range checks {
		wg.Go(func() {
			<-start
			pw, want := "right", true
			if i%2 == 1 {
				pw, want = "wrong", false
			}
			if h.Check(stored, pw) != want {
				mistaken.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	require.Zero(t, mistaken.Load(), "every check still answers right")
	assert.LessOrEqual(t, int(most.Load()), runtime.GOMAXPROCS(0), "comparisons at once, of %d checks", checks)
	assert.Positive(t, most.Load())
}
