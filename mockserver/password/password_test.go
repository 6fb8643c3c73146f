package password

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/crypto/bcrypt"
)

func TestCheckMatchesOnlyTheStoredPassword(t *testing.T) {
	var h Hasher
	stored := h.Digest("s3cret")
	assert.True(t, h.Check(stored, "s3cret"))
	assert.False(t, h.Check(stored, "s3cret "))
	assert.False(t, h.Check(stored, ""))
	assert.False(t, h.Check(nil, "s3cret"), "no such user")
	assert.False(t, h.Check([]byte{}, ""), "an empty digest matches nothing")
	assert.Equal(t, stored, h.Digest("s3cret"), "digests are stable within the process")
}

// Every check, of a right password, a wrong one or an unknown user, spends its bcrypt comparison at
// the Hasher's cost: login timing must not tell them apart (a dummy made at the minimum cost made an
// unknown user 40 times faster than a wrong password on a served mock).
func TestCheckSpendsTheConfiguredCost(t *testing.T) {
	var costs []int
	compare = func(hash, pw []byte) error {
		c, err := bcrypt.Cost(hash)
		assert.NoError(t, err)
		costs = append(costs, c)
		return bcrypt.CompareHashAndPassword(hash, pw)
	}
	t.Cleanup(func() { compare = bcrypt.CompareHashAndPassword })
	for _, cost := range []int{MinCost, 6, 0} {
		h := Hasher{Cost: cost}
		want := max(cost, bcrypt.MinCost)
		stored := h.Digest("right")
		costs = nil
		h.Check(stored, "right")
		h.Check(stored, "wrong")
		h.Check(nil, "right")
		assert.Equal(t, []int{want, want, want}, costs, "one comparison at cost %d per check, whatever the outcome", want)
	}
}

// At most GOMAXPROCS comparisons run at once, however many checks are made together: the others wait
// their turn rather than share the CPU with them. Each comparison here yields the processor as soon
// as it has started, so without the limit every check would be in one at once.
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
	var h Hasher
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
	assert.Zero(t, mistaken.Load(), "every check still answers right")
	assert.LessOrEqual(t, int(most.Load()), runtime.GOMAXPROCS(0), "comparisons at once, of %d checks", checks)
	assert.Positive(t, most.Load())
}
