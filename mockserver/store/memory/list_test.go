package memory

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/store"
)

// The list agrees with a plain slice over random appends and removals, on every range: the
// conformance suite's lists are too short to reach deep trees.
func TestListMatchesSlice(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var l *node
	var want []uint64
	var seq uint64
	for range 3000 {
		if len(want) == 0 || r.IntN(3) > 0 {
			seq++
			l = l.push(&store.Record{Seq: seq})
			want = append(want, seq)
		} else {
			i := r.IntN(len(want))
			l = l.remove(want[i])
			want = slices.Delete(want, i, i+1)
		}
		require.Equal(t, len(want), l.len())
		lo := r.IntN(len(want) + 1)
		hi := lo + r.IntN(len(want)-lo+1)
		got := []uint64{}
		for _, rec := range l.appendRange(nil, lo, hi) {
			got = append(got, rec.Seq)
		}
		require.Equal(t, want[lo:hi], got, "range [%d, %d) of %d", lo, hi, len(want))
	}
	l = l.remove(seq + 1)
	require.Equal(t, len(want), l.len(), "removing an absent seq changes nothing")
}
