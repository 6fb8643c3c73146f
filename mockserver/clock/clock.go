// Package clock is the mock's one source of time. Nothing in idvkit calls time.Now directly: token
// issue and expiry, OTP lifetimes, retention and webhook retry backoff all read the same Clock, so a
// test can move time forward and see every TTL and timer follow.
package clock

import (
	"errors"
	"slices"
	"sync"
	"time"
)

// Clock tells the time and runs functions later.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine, or in the goroutine that moves the clock past its due
	// time, once d has passed on this clock.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop cancels the call; it reports false when the call already ran or was stopped.
	Stop() bool
}

// ErrBackwards is returned when asked to move a clock back; time only moves forward, so a token that
// expired stays expired.
var ErrBackwards = errors.New("clock: time only moves forward")

// Max is the latest time Advance and Set move a clock to. Past 2262 a time no longer fits in int64
// nanoseconds since 1970 (a time.Duration from the epoch, UnixNano, JWT libraries that turn a
// NumericDate into nanoseconds), so a clock moved there wraps in somebody's arithmetic. 2200 is
// beyond any TTL a test needs and leaves that margin.
var Max = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrTooFar is returned when asked to move a clock past Max; nothing changes.
var ErrTooFar = errors.New("clock: cannot move past clock.Max")

// Adjustable is a Clock that can be moved forward. NewFake makes one that stands still unless moved
// (in-process tests); NewReal makes one that follows real time plus an offset (the served mock, whose
// offset the control API moves). It is safe for concurrent use.
type Adjustable struct {
	real   bool
	mu     sync.Mutex
	now    time.Time     // fake: the current time, never a sum that could overflow
	offset time.Duration // real: added to real time; bounded by Max, so it cannot overflow
	timers []*timer
}

var _ Clock = (*Adjustable)(nil)

// NewFake returns a clock frozen at start until Advance or Set moves it.
func NewFake(start time.Time) *Adjustable { return &Adjustable{now: start.UTC()} }

// NewReal returns a clock that follows real time; Advance and Set add to its offset.
func NewReal() *Adjustable { return &Adjustable{real: true} }

// Now returns the clock's time in UTC.
func (c *Adjustable) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Adjustable) nowLocked() time.Time {
	if c.real {
		return time.Now().UTC().Add(c.offset)
	}
	return c.now
}

// Advance moves the clock forward by d and runs every timer that falls due, in due order, before it
// returns. A d that would pass Max gives ErrTooFar and changes nothing.
func (c *Adjustable) Advance(d time.Duration) error {
	if d < 0 {
		return ErrBackwards
	}
	return c.move(func(now time.Time) time.Time { return now.Add(d) })
}

// Set moves the clock forward to t; a t before now gives ErrBackwards, a t after Max ErrTooFar, and
// either changes nothing.
func (c *Adjustable) Set(t time.Time) error {
	return c.move(func(time.Time) time.Time { return t })
}

func (c *Adjustable) move(target func(now time.Time) time.Time) error {
	c.mu.Lock()
	now := c.nowLocked()
	to := target(now).UTC()
	switch {
	case to.Before(now):
		c.mu.Unlock()
		return ErrBackwards
	case to.After(Max):
		c.mu.Unlock()
		return ErrTooFar
	}
	if c.real {
		c.offset += to.Sub(now)
	} else {
		c.now = to
	}
	c.mu.Unlock()
	c.fireDue()
	return nil
}

// AfterFunc schedules f for when the clock reaches now+d.
func (c *Adjustable) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	t := &timer{c: c, due: c.nowLocked().Add(d), f: f}
	c.timers = append(c.timers, t)
	if c.real {
		t.real = time.AfterFunc(d, c.fireDue)
	}
	c.mu.Unlock()
	if d <= 0 {
		c.fireDue()
	}
	return t
}

// fireDue runs the timers whose due time has come, outside the lock so they may use the clock.
func (c *Adjustable) fireDue() {
	c.mu.Lock()
	now := c.nowLocked()
	var due []*timer
	c.timers = slices.DeleteFunc(c.timers, func(t *timer) bool {
		if t.due.After(now) {
			return false
		}
		due = append(due, t)
		return true
	})
	c.mu.Unlock()
	slices.SortStableFunc(due, func(a, b *timer) int { return a.due.Compare(b.due) })
	for _, t := range due {
		if t.real != nil {
			t.real.Stop()
		}
		t.f()
	}
}

type timer struct {
	c    *Adjustable
	due  time.Time
	f    func()
	real *time.Timer
}

func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	n := len(t.c.timers)
	t.c.timers = slices.DeleteFunc(t.c.timers, func(o *timer) bool { return o == t })
	if t.real != nil {
		t.real.Stop()
	}
	return len(t.c.timers) < n
}
