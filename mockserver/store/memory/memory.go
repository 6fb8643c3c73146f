// Package memory is the in-memory Store: one mutex, maps by kind and key.
package memory

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/idvkit/idvkit/mockserver/store"
)

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	mu    sync.RWMutex
	kinds map[string]map[string]store.Record
	seq   uint64
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{kinds: make(map[string]map[string]store.Record)} }

// Get implements store.Store.
func (s *Store) Get(_ context.Context, kind, key string) (store.Record, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec, ok := s.kinds[kind][key]
	if !ok {
		return store.Record{}, store.ErrNotFound
	}
	return rec, nil
}

// Create implements store.Store.
func (s *Store) Create(_ context.Context, rec store.Record) (store.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.kinds[rec.Kind]
	if m == nil {
		m = make(map[string]store.Record)
		s.kinds[rec.Kind] = m
	}
	if _, ok := m[rec.Key]; ok {
		return store.Record{}, store.ErrAlreadyExists
	}
	s.seq++
	rec.Seq = s.seq
	m[rec.Key] = rec
	return rec, nil
}

// Update implements store.Store.
func (s *Store) Update(_ context.Context, kind, key string, fn func(store.Record) (store.Record, error)) (store.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.kinds[kind][key]
	if !ok {
		return store.Record{}, store.ErrNotFound
	}
	rec, err := fn(old)
	if err != nil {
		return store.Record{}, err
	}
	rec.Kind, rec.Key, rec.Seq = old.Kind, old.Key, old.Seq
	s.kinds[kind][key] = rec
	return rec, nil
}

// Delete implements store.Store.
func (s *Store) Delete(_ context.Context, kind, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.kinds[kind][key]; !ok {
		return store.ErrNotFound
	}
	delete(s.kinds[kind], key)
	return nil
}

// List implements store.Store.
func (s *Store) List(_ context.Context, kind string, order store.Order, page store.Page) ([]store.Record, int, error) {
	s.mu.RLock()
	recs := make([]store.Record, 0, len(s.kinds[kind]))
	for _, rec := range s.kinds[kind] {
		recs = append(recs, rec)
	}
	s.mu.RUnlock()
	slices.SortFunc(recs, func(a, b store.Record) int {
		if order == store.NewestFirst {
			return cmp.Compare(b.Seq, a.Seq)
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	total := len(recs)
	lo := min(max(page.Offset, 0), total)
	hi := total
	if page.Limit > 0 {
		hi = min(lo+page.Limit, total)
	}
	return recs[lo:hi], total, nil
}

// Sweep implements store.Store.
func (s *Store) Sweep(_ context.Context, now time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.kinds {
		for key, rec := range m {
			if !rec.RetainUntil.IsZero() && !rec.RetainUntil.After(now) {
				delete(m, key)
				n++
			}
		}
	}
	return n, nil
}

// Clear implements store.Store.
func (s *Store) Clear(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kinds = make(map[string]map[string]store.Record)
	return nil
}
