package memory_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/mockserver/store/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.RunTests(t, func(*testing.T) store.Store { return memory.New() })
}

// A store seeded off to the side and copied into a live one with Records and Replace gives the
// live one the same content, in the same order, with the same claims.
func TestRecordsSeedReplace(t *testing.T) {
	ctx := t.Context()
	seed := memory.New()
	for i, r := range []store.Record{
		{Kind: "user", Key: "b", Value: 1, Unique: []string{"email:b@x"}},
		{Kind: "req", Key: "r", Value: 2, Owner: "A"},
		{Kind: "user", Key: "a", Value: 3},
	} {
		_, err := seed.Create(ctx, r)
		require.NoError(t, err, i)
	}
	require.NoError(t, seed.Delete(ctx, "user", "b"))
	_, err := seed.Create(ctx, store.Record{Kind: "user", Key: "b", Value: 4, Unique: []string{"email:b@x"}})
	require.NoError(t, err)
	want := seed.Records()
	require.Equal(t, []string{"r", "a", "b"}, keys(want))

	live := memory.New()
	_, err = live.Create(ctx, store.Record{Kind: "user", Key: "stale", Unique: []string{"email:b@x"}})
	require.NoError(t, err)
	require.NoError(t, live.Replace(ctx, want))
	assert.Equal(t, withoutSeq(want), withoutSeq(live.Records()), "Seq is reassigned, in the same order")
	got, err := live.Lookup(ctx, "user", "email:b@x")
	require.NoError(t, err)
	assert.Equal(t, "b", got.Key)
}

func keys(recs []store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Key
	}
	return out
}

func withoutSeq(recs []store.Record) []store.Record {
	out := make([]store.Record, len(recs))
	for i, r := range recs {
		r.Seq = 0
		out[i] = r
	}
	return out
}
