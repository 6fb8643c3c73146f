// Package store holds the mock's state behind a small interface, so every backend passes one
// conformance suite (storetest) and handlers never depend on how records are kept.
//
// One invariant lives in one record (a session and its verification token; a user's token
// generation), so no operation needs a transaction across records: Update is the only
// read-modify-write, and it is atomic per record.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Sentinel errors every backend returns; handlers translate them into their API's statuses.
var (
	ErrNotFound      = errors.New("store: not found")
	ErrAlreadyExists = errors.New("store: already exists")
)

// Record is one stored value. Value is JSON so that no caller can alias a stored value and change it
// outside Update.
type Record struct {
	Kind  string
	Key   string
	Value json.RawMessage
	// RetainUntil is when the record may be swept; zero keeps it until deleted. Retention is apart
	// from domain expiry: an expired token is still read back (and reported expired) until swept.
	RetainUntil time.Time
	// Seq orders records by creation; the store sets it.
	Seq uint64
}

// Order is the order List returns records in.
type Order int

// The orders List supports, by creation.
const (
	OldestFirst Order = iota
	NewestFirst
)

// Page selects part of a List result; a zero Limit means no limit.
type Page struct {
	Offset int
	Limit  int
}

// Store keeps records by kind and key. Implementations must be safe for concurrent use.
type Store interface {
	Get(ctx context.Context, kind, key string) (Record, error)
	// Create stores a new record; ErrAlreadyExists when the key is taken.
	Create(ctx context.Context, rec Record) (Record, error)
	// Update replaces a record with what fn returns, atomically. When fn returns an error nothing is
	// written and Update returns that error. Kind, Key and Seq of the result are kept as they were.
	Update(ctx context.Context, kind, key string, fn func(old Record) (Record, error)) (Record, error)
	Delete(ctx context.Context, kind, key string) error
	// List returns one page of a kind's records in the given order, and how many there are in all.
	List(ctx context.Context, kind string, order Order, page Page) ([]Record, int, error)
	// Sweep deletes every record whose RetainUntil is at or before now, and says how many.
	Sweep(ctx context.Context, now time.Time) (int, error)
	// Clear deletes everything.
	Clear(ctx context.Context) error
}

// Get reads a record and decodes its value into a T.
func Get[T any](ctx context.Context, s Store, kind, key string) (T, error) {
	var v T
	rec, err := s.Get(ctx, kind, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(rec.Value, &v); err != nil {
		return v, fmt.Errorf("store: decode %s %s: %w", kind, key, err)
	}
	return v, nil
}

// Create stores v as a new record.
func Create[T any](ctx context.Context, s Store, kind, key string, v T, retainUntil time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", kind, err)
	}
	_, err = s.Create(ctx, Record{Kind: kind, Key: key, Value: b, RetainUntil: retainUntil})
	return err
}

// Update decodes a record into a T, lets fn change it, and stores the result atomically. When fn
// returns an error nothing is written. fn may move the record's retention by returning a non-zero
// time; zero keeps the retention it had.
func Update[T any](ctx context.Context, s Store, kind, key string, fn func(v *T) (retainUntil time.Time, err error)) (T, error) {
	var out T
	_, err := s.Update(ctx, kind, key, func(old Record) (Record, error) {
		var v T
		if err := json.Unmarshal(old.Value, &v); err != nil {
			return old, fmt.Errorf("store: decode %s %s: %w", kind, key, err)
		}
		retain, err := fn(&v)
		if err != nil {
			return old, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return old, fmt.Errorf("store: encode %s: %w", kind, err)
		}
		rec := old
		rec.Value = b
		if !retain.IsZero() {
			rec.RetainUntil = retain
		}
		out = v
		return rec, nil
	})
	return out, err
}
