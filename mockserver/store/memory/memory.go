// Package memory is the in-memory Store: one RWMutex over maps by kind and key, with the indexes
// that keep unique-key claims and owner-scoped pages cheap.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/idvkit/idvkit/mockserver/store"
)

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	mu sync.RWMutex
	// st is swapped whole by Replace, which builds the new one without holding mu.
	st *state
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{st: newState()} }

// state is everything a Store holds.
type state struct {
	kinds map[string]*kind
	seq   uint64
	// due indexes records by the minute their retention ends, so a sweep visits what is due rather
	// than every record (a sweep of a million live sessions held the lock for a tenth of a second).
	// Entries go stale when a record is deleted or its retention moves; a sweep drops them.
	due map[int64]*dueList
}

// dueList holds a minute's entries in chunks of a fixed size, so a minute that a million sessions
// fall due in grows without copying its entries again at every doubling.
type dueList [][]dueEntry

const dueChunk = 1024

func (l *dueList) add(e dueEntry) {
	if n := len(*l); n == 0 || len((*l)[n-1]) == dueChunk {
		*l = append(*l, make([]dueEntry, 0, dueChunk))
	}
	last := &(*l)[len(*l)-1]
	*last = append(*last, e)
}

// dueEntry names a record whose retention ended within its minute when it was indexed.
type dueEntry struct {
	kind, key string
	seq       uint64
}

// dueMinute is the index bucket of a retention time.
func dueMinute(t time.Time) int64 { return t.Unix() / 60 }

func newState() *state { return &state{kinds: make(map[string]*kind), due: make(map[int64]*dueList)} }

// index records when rec may be swept.
func (st *state) index(rec *store.Record) {
	if !rec.RetainUntil.IsZero() {
		m := dueMinute(rec.RetainUntil)
		l := st.due[m]
		if l == nil {
			l = new(dueList)
			st.due[m] = l
		}
		l.add(dueEntry{rec.Kind, rec.Key, rec.Seq})
	}
}

// kind is one kind's records and their indexes.
type kind struct {
	recs   map[string]*store.Record // by Key
	unique map[string]string        // Unique key -> Key
	// lists holds, per owner, that owner's records ordered by Seq; "" holds the whole kind. They are
	// built on the kind's first List and kept from then on (listed), so a kind that is never listed
	// (sessions, by the million) never pays for them.
	lists  map[string]*node
	listed bool
}

// Get implements store.Store.
func (s *Store) Get(_ context.Context, kind, key string) (store.Record, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if k := s.st.kinds[kind]; k != nil {
		if rec, ok := k.recs[key]; ok {
			return *rec, nil
		}
	}
	return store.Record{}, store.ErrNotFound
}

// Lookup implements store.Store.
func (s *Store) Lookup(_ context.Context, kind, unique string) (store.Record, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if k := s.st.kinds[kind]; k != nil {
		if key, ok := k.unique[unique]; ok {
			return *k.recs[key], nil
		}
	}
	return store.Record{}, store.ErrNotFound
}

// Create implements store.Store.
func (s *Store) Create(_ context.Context, rec store.Record) (store.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.create(rec)
}

// create checks every key of rec before it claims any, so a refused record leaves nothing behind.
func (st *state) create(rec store.Record) (store.Record, error) {
	k := st.kinds[rec.Kind]
	if k == nil {
		k = &kind{recs: make(map[string]*store.Record), unique: make(map[string]string), lists: make(map[string]*node)}
	}
	if _, ok := k.recs[rec.Key]; ok {
		return store.Record{}, fmt.Errorf("%w: %s %s", store.ErrAlreadyExists, rec.Kind, rec.Key)
	}
	for _, u := range rec.Unique {
		if _, ok := k.unique[u]; ok {
			return store.Record{}, fmt.Errorf("%w: %s %s", store.ErrAlreadyExists, rec.Kind, u)
		}
	}
	st.kinds[rec.Kind] = k
	st.seq++
	rec.Seq = st.seq
	// The store owns its copy, so a caller reusing its slice cannot move the claims; clipped, so a
	// reader appending to the one it is handed gets a new array.
	rec.Unique = slices.Clip(slices.Clone(rec.Unique))
	p := &rec
	k.recs[rec.Key] = p
	for _, u := range rec.Unique {
		k.unique[u] = rec.Key
	}
	if k.listed {
		k.list(p)
	}
	st.index(p)
	return rec, nil
}

// Update implements store.Store.
func (s *Store) Update(_ context.Context, kind, key string, fn func(store.Record) (store.Record, error)) (store.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var p *store.Record
	if k := s.st.kinds[kind]; k != nil {
		p = k.recs[key]
	}
	if p == nil {
		return store.Record{}, store.ErrNotFound
	}
	rec, err := fn(*p)
	if err != nil {
		return store.Record{}, err
	}
	rec.Kind, rec.Key, rec.Seq, rec.Owner, rec.Unique = p.Kind, p.Key, p.Seq, p.Owner, p.Unique
	moved := !rec.RetainUntil.Equal(p.RetainUntil)
	// In place, so the list indexes, which point at the record, see the new value.
	*p = rec
	if moved {
		s.st.index(p)
	}
	return rec, nil
}

// Delete implements store.Store.
func (s *Store) Delete(_ context.Context, kind, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.st.delete(kind, key) {
		return store.ErrNotFound
	}
	return nil
}

// delete removes a record with its claims and index entries, and a kind left empty; false when
// there is no such record.
func (st *state) delete(kind, key string) bool {
	k := st.kinds[kind]
	if k == nil || k.recs[key] == nil {
		return false
	}
	rec := k.recs[key]
	delete(k.recs, key)
	for _, u := range rec.Unique {
		delete(k.unique, u)
	}
	if k.listed {
		k.unlist("", rec.Seq)
		if rec.Owner != "" {
			k.unlist(rec.Owner, rec.Seq)
		}
	}
	if len(k.recs) == 0 {
		delete(st.kinds, kind)
	}
	return true
}

// list adds a record, the newest of its kind, to the kind's and its owner's lists.
func (k *kind) list(p *store.Record) {
	k.lists[""] = k.lists[""].push(p)
	if p.Owner != "" {
		k.lists[p.Owner] = k.lists[p.Owner].push(p)
	}
}

// buildLists makes a kind listed: its lists, from every record in Seq order.
func (k *kind) buildLists() {
	for _, p := range bySeq(k.recs) {
		k.list(p)
	}
	k.listed = true
}

// bySeq returns records in Seq order.
func bySeq(recs map[string]*store.Record) []*store.Record {
	out := make([]*store.Record, 0, len(recs))
	for _, p := range recs {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *store.Record) int { return cmp.Compare(a.Seq, b.Seq) })
	return out
}

// unlist removes a record from one owner's list, and the list when it is left empty, so owners
// that come and go leave nothing behind.
func (k *kind) unlist(owner string, seq uint64) {
	if l := k.lists[owner].remove(seq); l != nil {
		k.lists[owner] = l
	} else {
		delete(k.lists, owner)
	}
}

// List implements store.Store. A kind's first List builds its lists, under the write lock.
func (s *Store) List(_ context.Context, kind, owner string, order store.Order, page store.Page) ([]store.Record, int, error) {
	s.mu.RLock()
	// The kind may go and come back between the locks, unlisted again: check until it is listed.
	for k := s.st.kinds[kind]; k != nil && !k.listed; k = s.st.kinds[kind] {
		s.mu.RUnlock()
		s.mu.Lock()
		if k := s.st.kinds[kind]; k != nil && !k.listed {
			k.buildLists()
		}
		s.mu.Unlock()
		s.mu.RLock()
	}
	defer s.mu.RUnlock()
	var l *node
	if k := s.st.kinds[kind]; k != nil && k.listed {
		l = k.lists[owner]
	}
	total := l.len()
	lo := min(max(page.Offset, 0), total)
	hi := total
	if page.Limit > 0 {
		hi = lo + min(page.Limit, total-lo)
	}
	if order == store.NewestFirst {
		lo, hi = total-hi, total-lo
	}
	recs := l.appendRange(make([]store.Record, 0, hi-lo), lo, hi)
	if order == store.NewestFirst {
		slices.Reverse(recs)
	}
	return recs, total, nil
}

// Sweep implements store.Store. It visits only the index's minutes up to now, so its cost follows
// what is due, not what is stored.
func (s *Store) Sweep(_ context.Context, now time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, n := s.st, 0
	swept := map[string]int{}
	for m, entries := range st.due {
		if m > dueMinute(now) {
			continue
		}
		var keep dueList // of the current minute, not due yet
		for _, chunk := range *entries {
			for _, e := range chunk {
				k := st.kinds[e.kind]
				if k == nil {
					continue
				}
				rec := k.recs[e.key]
				switch {
				case rec == nil || rec.Seq != e.seq || rec.RetainUntil.IsZero() || dueMinute(rec.RetainUntil) != m:
					// Deleted, created again, or moved: a later entry of its own stands for it.
				case rec.RetainUntil.After(now):
					keep.add(e)
				default:
					st.delete(e.kind, e.key)
					swept[e.kind]++
					n++
				}
			}
		}
		if len(keep) > 0 {
			st.due[m] = &keep
		} else {
			delete(st.due, m)
		}
	}
	for name, count := range swept {
		st.compact(name, count)
	}
	return n, nil
}

// compact copies a kind's maps after a sweep took most of it: a Go map keeps the room of its
// largest size, so a kind that held a million sessions would hold their room for good.
func (st *state) compact(name string, swept int) {
	k := st.kinds[name]
	if k == nil || swept < 1024 || len(k.recs) > swept {
		return
	}
	recs := make(map[string]*store.Record, len(k.recs))
	for key, rec := range k.recs {
		recs[key] = rec
	}
	unique := make(map[string]string, len(k.unique))
	for u, key := range k.unique {
		unique[u] = key
	}
	k.recs, k.unique = recs, unique
}

// Replace implements store.Store. It builds the new content without holding the lock, so readers
// wait only for the swap.
func (s *Store) Replace(_ context.Context, recs []store.Record) error {
	st := newState()
	for _, rec := range recs {
		if _, err := st.create(rec); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
	return nil
}

// Records returns every record in Seq order, so a store seeded off to the side can be copied into
// a live one with Replace.
func (s *Store) Records() []store.Record {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []*store.Record
	for _, k := range s.st.kinds {
		all = append(all, bySeq(k.recs)...)
	}
	slices.SortFunc(all, func(a, b *store.Record) int { return cmp.Compare(a.Seq, b.Seq) })
	out := make([]store.Record, len(all))
	for i, p := range all {
		out[i] = *p
	}
	return out
}
