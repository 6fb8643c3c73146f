// Package otp issues and redeems one-time codes: the emailed six digits of a RamBase or Rampable
// login, a Bundeling user-identity token. A code lives for a TTL, is redeemed at most once, and dies
// after a number of wrong tries; each check and use is one atomic store update, so a code is
// redeemed exactly once however many requests race for it.
package otp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/store"
)

// Source makes the codes. Tests inject a Sequence so that they know the code before it is sent.
type Source interface {
	// Code returns a new code of the given length.
	Code(length int) string
}

// Random returns codes of random digits from crypto/rand: a code must not be guessable.
func Random() Source { return randomDigits{} }

type randomDigits struct{}

func (randomDigits) Code(length int) string {
	var b strings.Builder
	for range length {
		n, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		b.WriteByte(byte('0' + n.Int64()))
	}
	return b.String()
}

// Sequence returns the codes in turn, starting again after the last; the length asked for is ignored.
func Sequence(codes ...string) Source {
	if len(codes) == 0 {
		panic("otp: Sequence needs at least one code")
	}
	return &sequence{codes: codes}
}

type sequence struct {
	mu    sync.Mutex
	codes []string
	next  int
}

func (s *sequence) Code(int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.codes[s.next%len(s.codes)]
	s.next++
	return c
}

// Codes is one kind of one-time code of one API.
type Codes struct {
	Store       store.Store
	Clock       clock.Clock
	Kind        string // the store kind, named after the API: "rambase.otp"
	Length      int
	TTL         time.Duration
	MaxAttempts int           // wrong tries after which the code is dead
	Retention   time.Duration // how long a dead code's record is kept
	Source      Source        // nil: Random()
	Outbox      *outbox.Outbox
}

// Redeem's errors.
var (
	// ErrWrong is a code that does not match; the try was counted.
	ErrWrong = errors.New("otp: wrong code")
	// ErrUnusable is a code that was used, has expired, was locked by wrong tries, or never existed.
	ErrUnusable = errors.New("otp: no usable code")
)

// Challenge is one issued code as a record keeps it. Codes keeps the last one of each key in a kind
// of its own; an API that binds a code to a record it keeps anyway (Rampable: to the user, beside
// the verification token the code was mailed with) keeps the Challenge in that record and redeems
// it in the same atomic update that reads the rest, so the binding and the code die together.
type Challenge struct {
	Code      string
	ExpiresAt time.Time
	Attempts  int // wrong tries so far
	Used      bool
}

// Redeem uses the code at now: nil the first time the right code is given before ExpiresAt and
// under maxAttempts wrong tries, ErrWrong for a wrong code (the try is counted, so the caller must
// write the challenge back), ErrUnusable otherwise (nothing changed). The code is compared in
// constant time.
func (ch *Challenge) Redeem(now time.Time, code string, maxAttempts int) error {
	switch {
	case ch.Used, !now.Before(ch.ExpiresAt), ch.Attempts >= maxAttempts:
		return ErrUnusable
	case subtle.ConstantTimeCompare([]byte(ch.Code), []byte(code)) != 1:
		ch.Attempts++
		return ErrWrong
	}
	ch.Used = true
	return nil
}

// Issue makes a fresh code for key (a user, a verification token), replacing any earlier one, and
// sends msg with the code and the send time filled in.
func (c Codes) Issue(ctx context.Context, key string, msg outbox.Message) (string, error) {
	src := c.Source
	if src == nil {
		src = Random()
	}
	now := c.Clock.Now()
	ch := Challenge{Code: src.Code(c.Length), ExpiresAt: now.Add(c.TTL)}
	retain := ch.ExpiresAt.Add(c.Retention)
	replace := func() error {
		_, err := store.Update(ctx, c.Store, c.Kind, key, func(old *Challenge) (time.Time, error) {
			*old = ch
			return retain, nil
		})
		return err
	}
	// Replace the key's challenge, or create the first one; when a concurrent Issue created it
	// between the two, replace that.
	err := replace()
	if errors.Is(err, store.ErrNotFound) {
		err = store.Create(ctx, c.Store, c.Kind, key, ch, store.RetainUntil(retain))
		if errors.Is(err, store.ErrAlreadyExists) {
			err = replace()
		}
	}
	if err != nil {
		return "", err
	}
	msg.Code, msg.SentAt = ch.Code, now
	if err := c.Outbox.Send(ctx, msg); err != nil {
		return "", err
	}
	return ch.Code, nil
}

// Redeem uses key's code: nil the first time the right code is given in time and under the
// attempt limit, ErrWrong for a wrong code (counted), ErrUnusable otherwise. The check and the use
// are one atomic update, so the code is redeemed exactly once.
func (c Codes) Redeem(ctx context.Context, key, code string) error {
	now := c.Clock.Now()
	var redeemed error
	_, err := store.Update(ctx, c.Store, c.Kind, key, func(ch *Challenge) (time.Time, error) {
		if redeemed = ch.Redeem(now, code, c.MaxAttempts); errors.Is(redeemed, ErrUnusable) {
			return time.Time{}, redeemed
		}
		return time.Time{}, nil // a wrong try must be written, so it is not an updater error
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ErrUnusable
	case err != nil:
		return err
	}
	return redeemed
}
