// Package store holds the mock's state behind a small interface, so every backend passes one
// conformance suite (storetest) and handlers never depend on how records are kept.
//
// One invariant lives in one record (a session and its verification token; a user's token
// generation), so no operation needs a transaction across records: Update is the only
// read-modify-write, and it is atomic per record.
package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// Sentinel errors every backend returns; handlers translate them into their API's statuses.
var (
	ErrNotFound      = errors.New("store: not found")
	ErrAlreadyExists = errors.New("store: already exists")
)

// Record is one stored value. Values are plain structs held by value and treated as immutable: a
// reader gets a copy, and a change goes through Update, which replaces the value whole. (Pointer and
// slice fields are shared between copies, so an updater that changes one must build a new one.)
// Keeping values typed rather than encoded is what makes a read cost a map lookup on the hot path.
type Record struct {
	Kind  string
	Key   string
	Value any
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

// ErrWrongType is returned when a record holds a value of another type than the one asked for: two
// callers disagree about a kind.
var ErrWrongType = errors.New("store: value of another type")

// Get reads a record's value as a T.
func Get[T any](ctx context.Context, s Store, kind, key string) (T, error) {
	var zero T
	rec, err := s.Get(ctx, kind, key)
	if err != nil {
		return zero, err
	}
	v, ok := rec.Value.(T)
	if !ok {
		return zero, fmt.Errorf("%w: %s %s", ErrWrongType, kind, key)
	}
	return v, nil
}

// ErrPointer is returned by Create for a pointer value: readers would share it and could change the
// stored value outside Update.
var ErrPointer = errors.New("store: values must not be pointers")

// Create stores v as a new record.
func Create[T any](ctx context.Context, s Store, kind, key string, v T, retainUntil time.Time) error {
	if t := reflect.TypeFor[T](); t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface {
		return fmt.Errorf("%w: %s is a %s", ErrPointer, kind, t)
	}
	_, err := s.Create(ctx, Record{Kind: kind, Key: key, Value: v, RetainUntil: retainUntil})
	return err
}

// Update gives fn a copy of a record's value to change, and stores the result atomically. When fn
// returns an error nothing is written. fn may move the record's retention by returning a non-zero
// time; zero keeps the retention it had.
func Update[T any](ctx context.Context, s Store, kind, key string, fn func(v *T) (retainUntil time.Time, err error)) (T, error) {
	var out T
	_, err := s.Update(ctx, kind, key, func(old Record) (Record, error) {
		v, ok := old.Value.(T)
		if !ok {
			return old, fmt.Errorf("%w: %s %s", ErrWrongType, kind, key)
		}
		retain, err := fn(&v)
		if err != nil {
			return old, err
		}
		rec := old
		rec.Value = v
		if !retain.IsZero() {
			rec.RetainUntil = retain
		}
		out = v
		return rec, nil
	})
	return out, err
}
