package password

import (
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
	for _, cost := range []int{MinCost, 6, 0} {
		h := Hasher{Cost: cost}
		got, err := bcrypt.Cost(dummy(h.cost()))
		assert.NoError(t, err)
		assert.Equal(t, min(max(cost, bcrypt.MinCost), bcrypt.MaxCost), got, "cost %d", cost)
	}
}
