// Package store holds the mock's state behind a small interface, so every backend passes one
// conformance suite (storetest) and handlers never depend on how records are kept.
//
// One invariant lives in one record (a session and its verification token; a user's token
// generation), so no operation needs a transaction across records: Update is the only
// read-modify-write, and it is atomic per record. What is unique across records (a username, an
// email) is claimed by Create together with the record, so callers need no compensating deletes.
// Replace swaps the whole content at once, so a reset or reseed is never seen half done.
package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
// slice fields are shared between copies, so an updater that changes one must build a new one; the
// same goes for Unique, which no reader may change.) Keeping values typed rather than encoded is
// what makes a read cost a map lookup on the hot path.
type Record struct {
	Kind  string
	Key   string
	Value any
	// RetainUntil is when the record may be swept; zero keeps it until deleted. Retention is apart
	// from domain expiry: an expired token is still read back (and reported expired) until swept.
	RetainUntil time.Time
	// Owner scopes listing: List with an owner returns only that owner's records and counts only
	// them (an eeID service sees only its own identification requests). "" is no owner.
	Owner string
	// Unique are further keys of the record, each unique within its Kind across live records (a
	// user's username and email, a one-time token). Create claims them together with the record,
	// atomically; Delete and Sweep release them; Lookup finds the record by one. Callers namespace
	// them ("username:anna", "email:a@x").
	Unique []string
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
	// Lookup finds a record by one of its Unique keys.
	Lookup(ctx context.Context, kind, unique string) (Record, error)
	// Create stores a new record; ErrAlreadyExists when its Key or any of its Unique keys is taken
	// in its Kind. It claims all or nothing: no compensating deletes for callers.
	Create(ctx context.Context, rec Record) (Record, error)
	// Update replaces a record with what fn returns, atomically. When fn returns an error nothing is
	// written and Update returns that error. Kind, Key, Seq, Owner and Unique keep their values
	// whatever fn returns: the record's identity and claims are fixed at Create.
	Update(ctx context.Context, kind, key string, fn func(old Record) (Record, error)) (Record, error)
	Delete(ctx context.Context, kind, key string) error
	// List returns one page of a kind's records in the given order and how many there are in all;
	// with an owner, only that owner's. Its cost is proportional to the page, not to the kind.
	List(ctx context.Context, kind, owner string, order Order, page Page) ([]Record, int, error)
	// Sweep deletes every record whose RetainUntil is at or before now, and says how many.
	Sweep(ctx context.Context, now time.Time) (int, error)
	// Replace replaces everything the store holds with recs, atomically: a concurrent reader sees
	// the old content or the new, never a mix. Seq is reassigned in the order of recs. A set that
	// repeats a key, or a unique key within a kind, is refused with ErrAlreadyExists and nothing
	// changes. Replace(ctx, nil) empties the store.
	Replace(ctx context.Context, recs []Record) error
}

// ErrWrongType is returned when a record holds a value of another type than the one asked for: two
// callers disagree about a kind.
var ErrWrongType = errors.New("store: value of another type")

// Get reads a record's value as a T.
func Get[T any](ctx context.Context, s Store, kind, key string) (T, error) {
	rec, err := s.Get(ctx, kind, key)
	if err != nil {
		var zero T
		return zero, err
	}
	return valueOf[T](rec)
}

// Lookup reads the value of the record holding a unique key as a T, with the record's key.
func Lookup[T any](ctx context.Context, s Store, kind, unique string) (key string, v T, err error) {
	rec, err := s.Lookup(ctx, kind, unique)
	if err != nil {
		return "", v, err
	}
	v, err = valueOf[T](rec)
	if err != nil {
		return "", v, err
	}
	return rec.Key, v, nil
}

// List reads one page of a kind's values as Ts, and how many there are in all (see Store.List).
func List[T any](ctx context.Context, s Store, kind, owner string, order Order, page Page) ([]T, int, error) {
	recs, total, err := s.List(ctx, kind, owner, order, page)
	if err != nil {
		return nil, 0, err
	}
	out := make([]T, len(recs))
	for i, rec := range recs {
		if out[i], err = valueOf[T](rec); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

func valueOf[T any](rec Record) (T, error) {
	v, ok := rec.Value.(T)
	if !ok {
		return v, fmt.Errorf("%w: %s %s", ErrWrongType, rec.Kind, rec.Key)
	}
	return v, nil
}

// ErrPointer is returned by Create for a pointer value: readers would share it and could change the
// stored value outside Update.
var ErrPointer = errors.New("store: values must not be pointers")

// Option sets one of a new record's optional fields in Create.
type Option func(*Record)

// RetainUntil lets the record be swept from t on (see Record.RetainUntil).
func RetainUntil(t time.Time) Option { return func(r *Record) { r.RetainUntil = t } }

// OwnedBy scopes the record to owner for listing (see Record.Owner).
func OwnedBy(owner string) Option { return func(r *Record) { r.Owner = owner } }

// Unique claims further keys for the record (see Record.Unique); it adds to earlier Unique options.
func Unique(keys ...string) Option { return func(r *Record) { r.Unique = append(r.Unique, keys...) } }

// Create stores v as a new record.
func Create[T any](ctx context.Context, s Store, kind, key string, v T, opts ...Option) error {
	if t := reflect.TypeFor[T](); t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface {
		return fmt.Errorf("%w: %s is a %s", ErrPointer, kind, t)
	}
	rec := Record{Kind: kind, Key: key, Value: v}
	for _, opt := range opts {
		opt(&rec)
	}
	_, err := s.Create(ctx, rec)
	return err
}

// Update gives fn a copy of a record's value to change, and stores the result atomically. When fn
// returns an error nothing is written. fn may move the record's retention by returning a non-zero
// time; zero keeps the retention it had.
func Update[T any](ctx context.Context, s Store, kind, key string, fn func(v *T) (retainUntil time.Time, err error)) (T, error) {
	var out T
	_, err := s.Update(ctx, kind, key, func(old Record) (Record, error) {
		v, err := valueOf[T](old)
		if err != nil {
			return old, err
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

// SecretKey is the key to keep a record found by a secret (an API key) under: the secret's SHA-256,
// in hex. A lookup then compares digests, never the secret itself, so how long it takes says nothing
// of how much of a guess was right, and the store never holds the secret as a key.
func SecretKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// FoldedKey is the key to keep a record found by a name matched without regard to case (an email,
// a username) under: ASCII letters in lower case, every other byte as it is. strings.ToLower folds by
// Unicode, so the Kelvin sign (U+212A) became k and "\u212Aelvin@x.example" found kelvin@x.example's
// account, and strings.Map would make every byte that is not UTF-8 the same U+FFFD; mail systems
// fold neither.
func FoldedKey(name string) string {
	b := []byte(name)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
