package password

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHashIsMadeOncePerProcess(t *testing.T) {
	a, err := Hash("s3cret", MinCost)
	require.NoError(t, err)
	b, err := Hash("s3cret", MinCost)
	require.NoError(t, err)
	assert.Equal(t, a, b, "the second call is served from the cache")
	assert.True(t, Check(a, "s3cret"))
	assert.False(t, Check(a, "wrong"))
	assert.False(t, Check(nil, "s3cret"))
}

func TestHashFreshIsNotCached(t *testing.T) {
	a, err := HashFresh("x", MinCost)
	require.NoError(t, err)
	b, err := HashFresh("x", MinCost)
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	assert.True(t, Check(a, "x") && Check(b, "x"))
}
