// Package clock is the mock's one source of time. Nothing in idvkit calls time.Now directly: token
// issue and expiry, OTP lifetimes, retention and webhook retry backoff all read the same Clock, so a
// test can move time forward and see every TTL and timer follow.
package clock

import (
	"cmp"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells the time and runs functions later.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f on a goroutine of its own once d has passed on this clock, never on the
	// caller's, so the caller may hold a lock that f needs.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop cancels the call; it reports false when the call has already fired or was stopped.
	Stop() bool
}

// ErrBackwards is returned when asked to move a clock back; time only moves forward, so a token that
// expired stays expired. Restart alone takes a clock back, for a mock that forgets its state with it.
var ErrBackwards = errors.New("clock: time only moves forward")

// Max is the latest time Advance and Set move a clock to. Past 2262 a time no longer fits in int64
// nanoseconds since 1970 (a time.Duration from the epoch, UnixNano, JWT libraries that turn a
// NumericDate into nanoseconds), so a clock moved there wraps in somebody's arithmetic. 2200 is
// beyond any TTL a test needs and leaves that margin.
var Max = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrTooFar is returned when asked to move a clock past Max; nothing changes and nothing fires.
var ErrTooFar = errors.New("clock: cannot move past clock.Max")

// Adjustable is a Clock that can be moved forward, and restarted. NewFake makes one that stands still
// unless moved (in-process tests); NewReal makes one that follows real time plus an offset (the
// served mock, whose offset the control API moves). It is safe for concurrent use.
//
// Callbacks run on goroutines of their own and may call Now, AfterFunc and Stop. A callback must not
// call Advance, Set, Restart or Settle on its own clock: they wait for running callbacks, so it would
// wait for itself forever. That is not detected, because Go gives a goroutine no identity to check cheaply.
type Adjustable struct {
	real bool
	step sync.Mutex // held by Advance, Set and Restart, so one steps at a time

	mu    sync.Mutex
	idle  sync.Cond // broadcast when running drops to zero
	now   time.Time // fake: the current time, never a sum that could overflow
	start time.Time // fake: where Restart takes it back to
	// offset is a real clock's: added to real time; bounded by Max, so it cannot overflow. Written
	// under mu, read without it: a real clock's Now is on every request's path.
	offset  atomic.Int64
	timers  []*timer    // pending, in firing order (compareTimers)
	seq     uint64      // orders timers due at the same instant by when they were scheduled
	running int         // callbacks fired and not yet returned
	alarm   *time.Timer // real: rings at the earliest pending due time
}

var _ Clock = (*Adjustable)(nil)

// NewFake returns a clock frozen at start until Advance or Set moves it.
func NewFake(start time.Time) *Adjustable { return newAdjustable(false, start.UTC()) }

// NewReal returns a clock that follows real time plus an offset, which Advance and Set move forward.
// A move aims at the time computed when it is called, so the real time its callbacks take does not
// add to it. Max bounds the offset, not real time, which carries the clock on past Max (where only
// Restart moves it).
func NewReal() *Adjustable { return newAdjustable(true, time.Time{}) }

func newAdjustable(real bool, now time.Time) *Adjustable {
	c := &Adjustable{real: real, now: now, start: now}
	c.idle.L = &c.mu
	return c
}

// Now returns the clock's time in UTC.
func (c *Adjustable) Now() time.Time {
	if c.real {
		return time.Now().UTC().Add(time.Duration(c.offset.Load()))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Adjustable) nowLocked() time.Time {
	if c.real {
		return time.Now().UTC().Add(time.Duration(c.offset.Load()))
	}
	return c.now
}

// Advance moves the clock forward by d the way Set does.
func (c *Adjustable) Advance(d time.Duration) error {
	if d < 0 {
		return ErrBackwards
	}
	return c.move(func(now time.Time) time.Time { return now.Add(d) })
}

// Set moves the clock forward to t, timer by timer, so that a retry scheduled by a firing callback
// is due from that firing and plays out within the same call. It first waits for running
// callbacks; then, while a timer is due by t, it moves the clock to the earliest one's due time,
// fires it and waits until no callback is running; only then does the clock reach t. Timers due at
// the same instant fire in the order they were scheduled. A t before now gives ErrBackwards, a t
// after Max ErrTooFar; either changes nothing and fires nothing. Concurrent calls take turns.
func (c *Adjustable) Set(t time.Time) error {
	return c.move(func(time.Time) time.Time { return t })
}

func (c *Adjustable) move(target func(now time.Time) time.Time) error {
	c.step.Lock()
	defer c.step.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.nowLocked()
	to := target(now).UTC()
	switch {
	case to.Before(now):
		return ErrBackwards
	case to.After(Max):
		return ErrTooFar
	}
	for {
		c.settleLocked()
		t := c.popLocked(to)
		if t == nil {
			break
		}
		c.moveLocked(t.due)
		c.fireLocked(t)
	}
	c.moveLocked(to)
	c.armLocked()
	return nil
}

// moveLocked moves the clock forward to t, or leaves it where real time has already carried it.
func (c *Adjustable) moveLocked(t time.Time) {
	if c.real {
		c.offset.Store(int64(max(time.Duration(c.offset.Load()), t.Sub(time.Now().UTC()))))
	} else if t.After(c.now) {
		c.now = t
	}
}

// Restart takes the clock back to where it started: a real clock to real time (its offset gone), a
// fake one to its start. It is the one move backwards, for a mock that forgets its state with it
// (the control API's reset): a clock moved up to Max, which real time then carries past it, could
// otherwise never move again. Pending timers keep the time they had left, as Go's timers do when the
// system clock is set back: a retry due in a second is still due in a second, not years from now.
func (c *Adjustable) Restart() {
	c.step.Lock()
	defer c.step.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	back := c.now.Sub(c.start)
	if c.real {
		back = time.Duration(c.offset.Swap(0))
	} else {
		c.now = c.start
	}
	for _, t := range c.timers {
		t.due = t.due.Add(-back)
	}
	c.armLocked()
}

// Settle waits until no callback is running: every callback fired so far, by AfterFunc, by real
// time or by Advance and Set, has returned, and so has any fired while it waited. Tests use it to
// wait for due callbacks without sleeping.
func (c *Adjustable) Settle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settleLocked()
}

func (c *Adjustable) settleLocked() {
	for c.running > 0 {
		c.idle.Wait()
	}
}

// AfterFunc schedules f for when the clock reaches now+d; a d <= 0 fires f at once.
func (c *Adjustable) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{c: c, due: c.nowLocked().Add(d), seq: c.seq, f: f}
	if d <= 0 {
		c.fireLocked(t)
		return t
	}
	i, _ := slices.BinarySearchFunc(c.timers, t, compareTimers)
	c.timers = slices.Insert(c.timers, i, t)
	if i == 0 {
		c.armLocked()
	}
	return t
}

// ring fires the timers real time has brought due, without waiting for them, so a slow callback
// does not hold up the others.
func (c *Adjustable) ring() {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.nowLocked()
	for t := c.popLocked(now); t != nil; t = c.popLocked(now) {
		c.fireLocked(t)
	}
	c.armLocked()
}

// armLocked sets a real clock's one alarm for its earliest pending timer. It runs whenever that
// timer or the offset changes, so a timer follows every move of the offset instead of waiting out
// the real duration it was scheduled with.
func (c *Adjustable) armLocked() {
	switch {
	case !c.real:
	case len(c.timers) == 0:
		if c.alarm != nil {
			c.alarm.Stop()
		}
	case c.alarm == nil:
		c.alarm = time.AfterFunc(c.timers[0].due.Sub(c.nowLocked()), c.ring)
	default:
		c.alarm.Reset(c.timers[0].due.Sub(c.nowLocked()))
	}
}

// popLocked removes and returns the first timer due by t, or nil.
func (c *Adjustable) popLocked(t time.Time) *timer {
	if len(c.timers) == 0 || c.timers[0].due.After(t) {
		return nil
	}
	first := c.timers[0]
	c.timers = slices.Delete(c.timers, 0, 1)
	return first
}

func (c *Adjustable) fireLocked(t *timer) {
	c.running++
	go func() {
		defer c.returned()
		t.f()
	}()
}

func (c *Adjustable) returned() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running--
	if c.running == 0 {
		c.idle.Broadcast()
	}
}

type timer struct {
	c   *Adjustable
	due time.Time
	seq uint64
	f   func()
}

func compareTimers(a, b *timer) int {
	return cmp.Or(a.due.Compare(b.due), cmp.Compare(a.seq, b.seq))
}

func (t *timer) Stop() bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	i, pending := slices.BinarySearchFunc(c.timers, t, compareTimers)
	if !pending {
		return false
	}
	c.timers = slices.Delete(c.timers, i, i+1)
	if i == 0 {
		c.armLocked()
	}
	return true
}
