// Package storetest is the conformance suite every store.Store backend must pass. A backend's test
// is one call: storetest.RunTests(t, newStore).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
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
		{"SweepFollowsMovedRetention", testSweepFollowsMovedRetention},
		{"ReplaceNilForgetsAll", testReplaceNilForgetsAll},
		{"TypedHelpersRoundTrip", testTypedHelpersRoundTrip},
		{"UniqueClaimAllOrNothing", testUniqueClaimAllOrNothing},
		{"ConcurrentUniqueClaimOneWins", testConcurrentUniqueClaimOneWins},
		{"ConcurrentKeyClaimOneWins", testConcurrentKeyClaimOneWins},
		{"LookupByEachUniqueKey", testLookupByEachUniqueKey},
		{"DeleteReleasesUniqueKeys", testDeleteReleasesUniqueKeys},
		{"SweepReleasesUniqueKeys", testSweepReleasesUniqueKeys},
		{"UpdateKeepsOwnerAndUnique", testUpdateKeepsOwnerAndUnique},
		{"ListByOwner", testListByOwner},
		{"ReplaceSwapsContent", testReplaceSwapsContent},
		{"ReplaceRefusesDuplicates", testReplaceRefusesDuplicates},
		{"ReplaceIsNeverSeenHalfDone", testReplaceIsNeverSeenHalfDone},
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

// An Update that moves a record's retention moves its sweep, later or earlier, and a key deleted and
// created again is swept at the new record's retention, not the old one's.
func testSweepFollowsMovedRetention(t *testing.T, s store.Store) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	create := func(key string, until time.Time) {
		r := rec("k", key, 1)
		r.RetainUntil = until
		_, err := s.Create(ctx, r)
		require.NoError(t, err)
	}
	retain := func(key string, until time.Time) {
		_, err := s.Update(ctx, "k", key, func(old store.Record) (store.Record, error) {
			old.RetainUntil = until
			return old, nil
		})
		require.NoError(t, err)
	}
	sweep := func(at time.Time) []string {
		_, err := s.Sweep(ctx, at)
		require.NoError(t, err)
		left, _, err := s.List(ctx, "k", "", store.OldestFirst, store.Page{})
		require.NoError(t, err)
		return keys(left)
	}
	create("later", now.Add(time.Minute))
	create("earlier", now.Add(48*time.Hour))
	create("recreated", now.Add(time.Minute))
	retain("later", now.Add(48*time.Hour))
	retain("earlier", now.Add(time.Minute))
	require.NoError(t, s.Delete(ctx, "k", "recreated"))
	create("recreated", now.Add(24*time.Hour))

	assert.ElementsMatch(t, []string{"later", "earlier", "recreated"}, sweep(now))
	assert.ElementsMatch(t, []string{"later", "recreated"}, sweep(now.Add(time.Minute)))
	assert.ElementsMatch(t, []string{"later"}, sweep(now.Add(24*time.Hour)))
	assert.Empty(t, sweep(now.Add(48*time.Hour)))
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

	require.NoError(t, store.Create(ctx, s, "session", "owned", session{User: 8},
		store.OwnedBy("A"), store.Unique("token:x"), store.Unique("token:y")))
	key, byToken, err := store.Lookup[session](ctx, s, "session", "token:y")
	require.NoError(t, err)
	assert.Equal(t, "owned", key)
	assert.Equal(t, session{User: 8}, byToken)
	owned, total, err := store.List[session](ctx, s, "session", "A", store.OldestFirst, store.Page{})
	require.NoError(t, err)
	assert.Equal(t, []session{{User: 8}}, owned)
	assert.Equal(t, 1, total)

	_, _, err = store.Lookup[int](ctx, s, "session", "token:x")
	assert.ErrorIs(t, err, store.ErrWrongType)
	_, _, err = store.List[int](ctx, s, "session", "", store.OldestFirst, store.Page{})
	assert.ErrorIs(t, err, store.ErrWrongType)
	_, err = store.Get[int](ctx, s, "session", "s")
	assert.ErrorIs(t, err, store.ErrWrongType)
}

// A record refused for one taken key claims none of its others.
func testUniqueClaimAllOrNothing(t *testing.T, s store.Store) {
	_, err := s.Create(ctx, claiming("user", "a", "username:anna", "email:a@x"))
	require.NoError(t, err)

	_, err = s.Create(ctx, claiming("user", "b", "username:bob", "email:a@x"))
	assert.ErrorIs(t, err, store.ErrAlreadyExists, "a taken unique key")
	_, err = s.Create(ctx, claiming("user", "a", "username:carl"))
	assert.ErrorIs(t, err, store.ErrAlreadyExists, "a taken key")

	_, err = s.Get(ctx, "user", "b")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Lookup(ctx, "user", "username:bob")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Lookup(ctx, "user", "username:carl")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, total, err := s.List(ctx, "user", "", store.OldestFirst, store.Page{})
	require.NoError(t, err)
	assert.Equal(t, 1, total)

	_, err = s.Create(ctx, claiming("user", "b", "username:bob", "username:carl"))
	assert.NoError(t, err, "the refused records' key and unique keys are free")
	_, err = s.Create(ctx, claiming("admin", "a", "email:a@x"))
	assert.NoError(t, err, "unique keys are unique within a kind")
}

// Of many different records claiming one unique key at once, exactly one gets it.
func testConcurrentUniqueClaimOneWins(t *testing.T, s store.Store) {
	for round := range rounds {
		wins := createConcurrently(t, s, func(i int) store.Record {
			return claiming("user", fmt.Sprintf("u%d-%d", round, i), fmt.Sprintf("email:%d@x", round))
		})
		assert.Equal(t, 1, wins, "round %d", round)
	}
	_, total, err := s.List(ctx, "user", "", store.OldestFirst, store.Page{})
	require.NoError(t, err)
	assert.Equal(t, rounds, total)
}

// Of many records with one key claiming different unique keys at once, exactly one is stored,
// and only its unique key is taken.
func testConcurrentKeyClaimOneWins(t *testing.T, s store.Store) {
	for round := range rounds {
		wins := createConcurrently(t, s, func(i int) store.Record {
			return claiming("user", fmt.Sprintf("u%d", round), fmt.Sprintf("email:%d-%d@x", round, i))
		})
		assert.Equal(t, 1, wins, "round %d", round)
		taken := 0
		for i := range concurrency {
			if _, err := s.Lookup(ctx, "user", fmt.Sprintf("email:%d-%d@x", round, i)); err == nil {
				taken++
			}
		}
		assert.Equal(t, 1, taken, "round %d", round)
	}
}

func testLookupByEachUniqueKey(t *testing.T, s store.Store) {
	unique := []string{"username:anna", "email:a@x"}
	_, err := s.Create(ctx, claiming("user", "a", unique...))
	require.NoError(t, err)
	unique[0] = "username:changed"
	for _, u := range []string{"username:anna", "email:a@x"} {
		got, err := s.Lookup(ctx, "user", u)
		require.NoError(t, err, u)
		assert.Equal(t, "a", got.Key)
		assert.Equal(t, []string{"username:anna", "email:a@x"}, got.Unique, "the caller's slice is not the store's")
	}
	_, err = s.Lookup(ctx, "user", "username:changed")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Lookup(ctx, "user", "a")
	assert.ErrorIs(t, err, store.ErrNotFound, "a key is not a unique key")
	_, err = s.Lookup(ctx, "other", "email:a@x")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testDeleteReleasesUniqueKeys(t *testing.T, s store.Store) {
	// Another record keeps the kind from being emptied, which might release everything.
	for _, r := range []store.Record{claiming("user", "a", "username:anna", "email:a@x"), claiming("user", "z")} {
		_, err := s.Create(ctx, r)
		require.NoError(t, err)
	}
	require.NoError(t, s.Delete(ctx, "user", "a"))
	_, err := s.Lookup(ctx, "user", "email:a@x")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Create(ctx, claiming("user", "b", "username:anna", "email:a@x"))
	require.NoError(t, err)
	got, err := s.Lookup(ctx, "user", "username:anna")
	require.NoError(t, err)
	assert.Equal(t, "b", got.Key)
}

func testSweepReleasesUniqueKeys(t *testing.T, s store.Store) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	gone := claiming("token", "old", "otp:1")
	gone.RetainUntil = now
	kept := claiming("token", "new", "otp:2")
	kept.RetainUntil = now.Add(time.Second)
	for _, r := range []store.Record{gone, kept} {
		_, err := s.Create(ctx, r)
		require.NoError(t, err)
	}
	n, err := s.Sweep(ctx, now)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = s.Lookup(ctx, "token", "otp:1")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Create(ctx, claiming("token", "again", "otp:1"))
	assert.NoError(t, err)
	_, err = s.Create(ctx, claiming("token", "other", "otp:2"))
	assert.ErrorIs(t, err, store.ErrAlreadyExists, "a kept record keeps its claims")
}

// Update cannot move a record to another owner or change its claims: only Create claims.
func testUpdateKeepsOwnerAndUnique(t *testing.T, s store.Store) {
	r := claiming("req", "r", "token:1")
	r.Owner = "A"
	_, err := s.Create(ctx, r)
	require.NoError(t, err)
	updated, err := s.Update(ctx, "req", "r", func(old store.Record) (store.Record, error) {
		old.Value = 2
		old.Owner = "B"
		old.Unique = []string{"token:2"}
		return old, nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, updated.Value)
	assert.Equal(t, "A", updated.Owner)
	assert.Equal(t, []string{"token:1"}, updated.Unique)

	got, err := s.Lookup(ctx, "req", "token:1")
	require.NoError(t, err)
	assert.Equal(t, 2, got.Value)
	assert.Equal(t, "A", got.Owner)
	_, err = s.Lookup(ctx, "req", "token:2")
	assert.ErrorIs(t, err, store.ErrNotFound)
	a, _, err := s.List(ctx, "req", "A", store.OldestFirst, store.Page{})
	require.NoError(t, err)
	assert.Equal(t, []string{"r"}, keys(a))
	b, total, err := s.List(ctx, "req", "B", store.OldestFirst, store.Page{})
	require.NoError(t, err)
	assert.Empty(t, b)
	assert.Zero(t, total)
}

func testListByOwner(t *testing.T, s store.Store) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 4 {
		for _, owner := range []string{"A", "B"} {
			r := rec("req", fmt.Sprintf("%s%d", owner, i), i)
			r.Owner = owner
			if r.Key == "A3" {
				r.RetainUntil = now
			}
			_, err := s.Create(ctx, r)
			require.NoError(t, err)
		}
	}
	for _, r := range []store.Record{rec("req", "none", 0), {Kind: "other", Key: "A9", Owner: "A"}} {
		_, err := s.Create(ctx, r)
		require.NoError(t, err)
	}
	list := func(owner string, order store.Order, page store.Page) ([]string, int) {
		t.Helper()
		recs, total, err := s.List(ctx, "req", owner, order, page)
		require.NoError(t, err)
		return keys(recs), total
	}

	got, total := list("A", store.OldestFirst, store.Page{})
	assert.Equal(t, []string{"A0", "A1", "A2", "A3"}, got)
	assert.Equal(t, 4, total)
	got, total = list("A", store.OldestFirst, store.Page{Offset: 1, Limit: 2})
	assert.Equal(t, []string{"A1", "A2"}, got)
	assert.Equal(t, 4, total)
	got, total = list("A", store.NewestFirst, store.Page{Offset: 1, Limit: 2})
	assert.Equal(t, []string{"A2", "A1"}, got)
	assert.Equal(t, 4, total)
	got, total = list("A", store.NewestFirst, store.Page{Offset: 3, Limit: 2})
	assert.Equal(t, []string{"A0"}, got, "a short last page")
	assert.Equal(t, 4, total)
	got, total = list("A", store.OldestFirst, store.Page{Offset: 4, Limit: 2})
	assert.Empty(t, got, "past the end")
	assert.Equal(t, 4, total)
	got, total = list("nobody", store.OldestFirst, store.Page{})
	assert.Empty(t, got)
	assert.Zero(t, total)
	got, total = list("", store.NewestFirst, store.Page{Limit: 3})
	assert.Equal(t, []string{"none", "B3", "A3"}, got, "no owner lists the whole kind")
	assert.Equal(t, 9, total)

	require.NoError(t, s.Delete(ctx, "req", "A1"))
	n, err := s.Sweep(ctx, now)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got, total = list("A", store.OldestFirst, store.Page{})
	assert.Equal(t, []string{"A0", "A2"}, got)
	assert.Equal(t, 2, total)
	got, total = list("B", store.NewestFirst, store.Page{Limit: 1})
	assert.Equal(t, []string{"B3"}, got)
	assert.Equal(t, 4, total)
	_, total = list("", store.OldestFirst, store.Page{})
	assert.Equal(t, 7, total)
}

func testReplaceSwapsContent(t *testing.T, s store.Store) {
	old := claiming("user", "old", "email:a@x")
	_, err := s.Create(ctx, old)
	require.NoError(t, err)

	// Given out of key order and with Seqs of their own, which Replace ignores.
	z, a, m := claiming("user", "z", "email:z@x"), rec("user", "a", 2), rec("user", "m", 3)
	z.Seq, a.Seq, m.Seq = 30, 20, 10
	a.Owner = "A"
	require.NoError(t, s.Replace(ctx, []store.Record{z, a, m}))

	_, err = s.Get(ctx, "user", "old")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Lookup(ctx, "user", "email:a@x")
	assert.ErrorIs(t, err, store.ErrNotFound)
	got, err := s.Lookup(ctx, "user", "email:z@x")
	require.NoError(t, err)
	assert.Equal(t, "z", got.Key)
	all, total, err := s.List(ctx, "user", "", store.OldestFirst, store.Page{})
	require.NoError(t, err)
	assert.Equal(t, 3, total)
	assert.Equal(t, []string{"z", "a", "m"}, keys(all), "creation order is the order given")
	assert.Less(t, all[0].Seq, all[1].Seq)
	assert.Less(t, all[1].Seq, all[2].Seq)
	owned, _, err := s.List(ctx, "user", "A", store.OldestFirst, store.Page{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, keys(owned))

	created, err := s.Create(ctx, old)
	require.NoError(t, err, "the old record's key and unique key are free")
	assert.Greater(t, created.Seq, all[2].Seq, "later records come after the replaced ones")
}

// A set that would break a claim is refused whole, and the store keeps what it had.
func testReplaceRefusesDuplicates(t *testing.T, s store.Store) {
	_, err := s.Create(ctx, claiming("user", "old", "email:a@x"))
	require.NoError(t, err)
	sets := map[string][]store.Record{
		"a repeated key":        {rec("user", "a", 1), rec("user", "new", 2), rec("user", "a", 3)},
		"a repeated unique key": {claiming("user", "a", "email:b@x"), rec("user", "new", 2), claiming("user", "b", "email:b@x")},
	}
	for name, set := range sets {
		assert.ErrorIs(t, s.Replace(ctx, set), store.ErrAlreadyExists, name)
		all, total, err := s.List(ctx, "user", "", store.OldestFirst, store.Page{})
		require.NoError(t, err)
		assert.Equal(t, 1, total, name)
		assert.Equal(t, []string{"old"}, keys(all), name)
		_, err = s.Lookup(ctx, "user", "email:a@x")
		assert.NoError(t, err, name)
		_, err = s.Lookup(ctx, "user", "email:b@x")
		assert.ErrorIs(t, err, store.ErrNotFound, name)
	}
	assert.NoError(t, s.Replace(ctx, []store.Record{claiming("user", "a", "email:a@x"), claiming("admin", "a", "email:a@x")}),
		"the same key and unique key in two kinds")
}

// Readers racing a Replace that swaps between two sets see one set or the other, never a mix.
func testReplaceIsNeverSeenHalfDone(t *testing.T, s store.Store) {
	sets := [][]store.Record{
		{claiming("k", "a1", "u:a1"), claiming("k", "a2", "u:a2")},
		{claiming("k", "b1", "u:b1"), claiming("k", "b2", "u:b2")},
	}
	require.NoError(t, s.Replace(ctx, sets[0]))
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				recs, total, err := s.List(ctx, "k", "", store.OldestFirst, store.Page{})
				if !assert.NoError(t, err) {
					return
				}
				got := keys(recs)
				if !assert.Contains(t, [][]string{{"a1", "a2"}, {"b1", "b2"}}, got, "total %d", total) ||
					!assert.Equal(t, 2, total) {
					return
				}
			}
		})
	}
	for i := range 500 {
		require.NoError(t, s.Replace(ctx, sets[(i+1)%2]))
	}
	close(done)
	wg.Wait()
}

// concurrency goroutines contend for one claim, rounds times over: one round seldom lands in the
// gap a check-then-write bug leaves.
const (
	concurrency = 64
	rounds      = 200
)

// createConcurrently creates newRec(0) to newRec(concurrency-1) at once and says how many were
// stored; each of the others must have been refused with ErrAlreadyExists. The goroutines wait
// for the start by yielding rather than blocking, so those on CPUs set off within nanoseconds of
// each other, close enough to land in the gap a check-then-write bug leaves.
func createConcurrently(t *testing.T, s store.Store, newRec func(i int) store.Record) int {
	var wg sync.WaitGroup
	var start atomic.Bool
	var wins atomic.Int32
	for i := range concurrency {
		wg.Go(func() {
			for !start.Load() {
				runtime.Gosched()
			}
			if _, err := s.Create(ctx, newRec(i)); err != nil {
				assert.ErrorIs(t, err, store.ErrAlreadyExists)
				return
			}
			wins.Add(1)
		})
	}
	start.Store(true)
	wg.Wait()
	return int(wins.Load())
}

func claiming(kind, key string, unique ...string) store.Record {
	r := rec(kind, key, 1)
	r.Unique = unique
	return r
}

func keys(recs []store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Key
	}
	return out
}
