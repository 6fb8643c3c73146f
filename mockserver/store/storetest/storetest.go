// Package storetest is the conformance suite every store.Store backend must pass. A backend's test
// is one call: storetest.RunTests(t, newStore).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/store"
)

// RunTests runs every case on a fresh, empty store from newStore.
func RunTests(t *testing.T, newStore func(t *testing.T) store.Store) {
	cases := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"CreateThenGet", testCreateThenGet},
		{"CreateTwiceFails", testCreateTwiceFails},
		{"MissingIsNotFound", testMissingIsNotFound},
		{"UpdaterErrorWritesNothing", testUpdaterErrorWritesNothing},
		{"ConcurrentUpdatesAllCount", testConcurrentUpdatesAllCount},
		{"OneTimeRedeemUnderContention", testOneTimeRedeemUnderContention},
		{"DeleteRemoves", testDeleteRemoves},
		{"ListOrdersAndPages", testListOrdersAndPages},
		{"SweepHonoursRetentionEdge", testSweepHonoursRetentionEdge},
		{"ReplaceNilForgetsAll", testReplaceNilForgetsAll},
		{"TypedHelpersRoundTrip", testTypedHelpersRoundTrip},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newStore(t))
		})
	}
}

var ctx = context.Background()

func rec(kind, key string, value int) store.Record {
	return store.Record{Kind: kind, Key: key, Value: value}
}

func testCreateThenGet(t *testing.T, s store.Store) {
	created, err := s.Create(ctx, rec("k", "a", 1))
	require.NoError(t, err)
	assert.NotZero(t, created.Seq)
	got, err := s.Get(ctx, "k", "a")
	require.NoError(t, err)
	assert.Equal(t, 1, got.Value)
	_, err = s.Get(ctx, "other", "a")
	assert.ErrorIs(t, err, store.ErrNotFound, "kinds are separate namespaces")
}

func testCreateTwiceFails(t *testing.T, s store.Store) {
	_, err := s.Create(ctx, rec("k", "a", 1))
	require.NoError(t, err)
	_, err = s.Create(ctx, rec("k", "a", 2))
	assert.ErrorIs(t, err, store.ErrAlreadyExists)
	got, err := s.Get(ctx, "k", "a")
	require.NoError(t, err)
	assert.Equal(t, 1, got.Value)
}

func testMissingIsNotFound(t *testing.T, s store.Store) {
	_, err := s.Get(ctx, "k", "nope")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Update(ctx, "k", "nope", func(r store.Record) (store.Record, error) { return r, nil })
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.ErrorIs(t, s.Delete(ctx, "k", "nope"), store.ErrNotFound)
}

func testUpdaterErrorWritesNothing(t *testing.T, s store.Store) {
	_, err := s.Create(ctx, rec("k", "a", 1))
	require.NoError(t, err)
	boom := errors.New("boom")
	_, err = s.Update(ctx, "k", "a", func(r store.Record) (store.Record, error) {
		r.Value = 2
		return r, boom
	})
	assert.ErrorIs(t, err, boom)
	got, err := s.Get(ctx, "k", "a")
	require.NoError(t, err)
	assert.Equal(t, 1, got.Value)
}

// N goroutines each add one through Update: the result is N, so no update is lost.
func testConcurrentUpdatesAllCount(t *testing.T, s store.Store) {
	const n = 64
	_, err := s.Create(ctx, rec("counter", "c", 0))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := store.Update(ctx, s, "counter", "c", func(v *int) (time.Time, error) {
				*v++
				return time.Time{}, nil
			})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	got, err := store.Get[int](ctx, s, "counter", "c")
	require.NoError(t, err)
	assert.Equal(t, n, got)
}

// A one-time token redeemed by many goroutines at once is redeemed exactly once.
func testOneTimeRedeemUnderContention(t *testing.T, s store.Store) {
	type token struct{ Used bool }
	require.NoError(t, store.Create(ctx, s, "token", "t", token{}))
	errUsed := errors.New("used")
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 64 {
		wg.Go(func() {
			_, err := store.Update(ctx, s, "token", "t", func(v *token) (time.Time, error) {
				if v.Used {
					return time.Time{}, errUsed
				}
				v.Used = true
				return time.Time{}, nil
			})
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else {
				assert.ErrorIs(t, err, errUsed)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, wins)
}

func testDeleteRemoves(t *testing.T, s store.Store) {
	_, err := s.Create(ctx, rec("k", "a", 1))
	require.NoError(t, err)
	require.NoError(t, s.Delete(ctx, "k", "a"))
	_, err = s.Get(ctx, "k", "a")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testListOrdersAndPages(t *testing.T, s store.Store) {
	for i := range 5 {
		_, err := s.Create(ctx, rec("k", fmt.Sprintf("r%d", i), i))
		require.NoError(t, err)
	}
	_, err := s.Create(ctx, rec("other", "x", 9))
	require.NoError(t, err)

	all, total, err := s.List(ctx, "k", "", store.OldestFirst, store.Page{})
	require.NoError(t, err)
	assert.Equal(t, 5, total)
	assert.Equal(t, []string{"r0", "r1", "r2", "r3", "r4"}, keys(all))

	page, total, err := s.List(ctx, "k", "", store.NewestFirst, store.Page{Offset: 1, Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, 5, total)
	assert.Equal(t, []string{"r3", "r2"}, keys(page))

	past, total, err := s.List(ctx, "k", "", store.OldestFirst, store.Page{Offset: 10, Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, 5, total)
	assert.Empty(t, past)
}

func testSweepHonoursRetentionEdge(t *testing.T, s store.Store) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for key, until := range map[string]time.Time{
		"before": now.Add(-time.Second), "at": now, "after": now.Add(time.Second), "forever": {},
	} {
		r := rec("k", key, 1)
		r.RetainUntil = until
		_, err := s.Create(ctx, r)
		require.NoError(t, err)
	}
	n, err := s.Sweep(ctx, now)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	left, _, err := s.List(ctx, "k", "", store.OldestFirst, store.Page{})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"after", "forever"}, keys(left))
}

func testReplaceNilForgetsAll(t *testing.T, s store.Store) {
	_, err := s.Create(ctx, rec("k", "a", 1))
	require.NoError(t, err)
	require.NoError(t, s.Replace(ctx, nil))
	_, err = s.Get(ctx, "k", "a")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testTypedHelpersRoundTrip(t *testing.T, s store.Store) {
	type session struct {
		User  int      `json:"user"`
		Roles []string `json:"roles"`
	}
	until := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, store.Create(ctx, s, "session", "s", session{User: 7, Roles: []string{"a"}}, store.RetainUntil(until)))
	updated, err := store.Update(ctx, s, "session", "s", func(v *session) (time.Time, error) {
		v.Roles = append(v.Roles, "b")
		return until.Add(time.Hour), nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, updated.Roles)
	raw, err := s.Get(ctx, "session", "s")
	require.NoError(t, err)
	assert.Equal(t, until.Add(time.Hour), raw.RetainUntil.UTC())
	got, err := store.Get[session](ctx, s, "session", "s")
	require.NoError(t, err)
	assert.Equal(t, updated, got)
	assert.ErrorIs(t, store.Create(ctx, s, "session", "p", &got), store.ErrPointer)
}

func keys(recs []store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Key
	}
	return out
}
