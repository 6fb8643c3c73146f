package clock

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var start = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func TestFakeStandsStillUntilMoved(t *testing.T) {
	c := NewFake(start)
	assert.Equal(t, start, c.Now())
	require.NoError(t, c.Advance(90*time.Second))
	assert.Equal(t, start.Add(90*time.Second), c.Now())
	require.NoError(t, c.Set(start.Add(time.Hour)))
	assert.Equal(t, start.Add(time.Hour), c.Now())
}

func TestTimeOnlyMovesForward(t *testing.T) {
	c := NewFake(start)
	assert.ErrorIs(t, c.Advance(-time.Second), ErrBackwards)
	assert.ErrorIs(t, c.Set(start.Add(-time.Second)), ErrBackwards)
	assert.Equal(t, start, c.Now())
}

func TestTimersFireInDueOrderAtTheirEdge(t *testing.T) {
	c := NewFake(start)
	var order []int
	c.AfterFunc(2*time.Second, func() { order = append(order, 2) })
	c.AfterFunc(1*time.Second, func() { order = append(order, 1) })
	require.NoError(t, c.Advance(time.Second-time.Nanosecond))
	assert.Empty(t, order, "just before the edge nothing fires")
	require.NoError(t, c.Advance(time.Nanosecond))
	assert.Equal(t, []int{1}, order, "at the edge the timer fires")
	require.NoError(t, c.Set(start.Add(2*time.Second-time.Nanosecond)))
	assert.Equal(t, []int{1}, order)
	require.NoError(t, c.Set(start.Add(2*time.Second)))
	assert.Equal(t, []int{1, 2}, order)
}

// A webhook retry with backoff: each attempt schedules the next from its own firing time, and one
// move plays them all out at their own instants.
func TestMovingStepsTimerByTimer(t *testing.T) {
	for name, move := range map[string]func(*Adjustable) error{
		"Advance": func(c *Adjustable) error { return c.Advance(time.Minute) },
		"Set":     func(c *Adjustable) error { return c.Set(start.Add(time.Minute)) },
	} {
		t.Run(name, func(t *testing.T) {
			c := NewFake(start)
			backoff := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}
			var fired []time.Duration
			var attempt func()
			attempt = func() {
				fired = append(fired, c.Now().Sub(start))
				if n := len(fired); n <= len(backoff) {
					c.AfterFunc(backoff[n-1], attempt)
				}
			}
			c.AfterFunc(0, attempt)
			require.NoError(t, move(c))
			assert.Equal(t, []time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second}, fired)
			assert.Equal(t, start.Add(time.Minute), c.Now())
		})
	}
}

func TestTimersDueTogetherFireInScheduledOrder(t *testing.T) {
	c := NewFake(start)
	var order []int
	for i := range 6 {
		c.AfterFunc(time.Duration(2-i%2)*time.Second, func() { order = append(order, i) })
	}
	require.NoError(t, c.Advance(time.Minute))
	assert.Equal(t, []int{1, 3, 5, 0, 2, 4}, order)
}

func TestDueCallbacksNeverRunOnTheCallersGoroutine(t *testing.T) {
	for name, c := range map[string]*Adjustable{"fake": NewFake(start), "real": NewReal()} {
		for _, d := range []time.Duration{0, -time.Hour} {
			var mu sync.Mutex
			ran := 0
			returned := make(chan struct{})
			go func() {
				mu.Lock()
				defer mu.Unlock()
				c.AfterFunc(d, func() {
					mu.Lock()
					defer mu.Unlock()
					ran++
				})
				close(returned)
			}()
			select {
			case <-returned:
			case <-time.After(5 * time.Second):
				t.Fatalf("%s AfterFunc(%v) ran its callback on the caller's goroutine, which holds the lock", name, d)
			}
			c.Settle()
			mu.Lock()
			assert.Equal(t, 1, ran, "%s AfterFunc(%v)", name, d)
			mu.Unlock()
		}
	}
}

func TestSettleWaitsForFiredCallbacks(t *testing.T) {
	c := NewFake(start)
	release := make(chan struct{})
	var first, second bool
	c.AfterFunc(0, func() {
		<-release
		first = true
		c.AfterFunc(-time.Second, func() { second = true })
	})
	close(release)
	c.Settle()
	assert.True(t, first)
	assert.True(t, second, "a callback fired by a running one is waited for too")
	c.Settle()
}

func TestStopDuringAMove(t *testing.T) {
	c := NewFake(start)
	var stopped bool
	var second atomic.Bool
	var tm Timer
	c.AfterFunc(time.Second, func() { stopped = tm.Stop() })
	tm = c.AfterFunc(time.Second, func() { second.Store(true) })
	require.NoError(t, c.Advance(time.Minute))
	assert.True(t, stopped, "a timer due at the same instant is still pending while the first fires")
	assert.False(t, second.Load())

	fired := c.AfterFunc(time.Second, func() {})
	require.NoError(t, c.Advance(time.Second))
	assert.False(t, fired.Stop(), "a fired timer is no longer pending")
	assert.False(t, c.AfterFunc(0, func() {}).Stop(), "a due timer fires at once")
	c.Settle()
}

func TestStoppedTimerNeverFires(t *testing.T) {
	c := NewFake(start)
	var fired atomic.Bool
	tm := c.AfterFunc(time.Second, func() { fired.Store(true) })
	assert.True(t, tm.Stop())
	assert.False(t, tm.Stop())
	require.NoError(t, c.Advance(time.Minute))
	assert.False(t, fired.Load())
}

func TestConcurrentUse(t *testing.T) {
	for name, c := range map[string]*Adjustable{"fake": NewFake(start), "real": NewReal()} {
		var fired, stopped atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for i := range 200 {
					tm := c.AfterFunc(time.Duration(i%7)*time.Millisecond, func() { fired.Add(1) })
					if i%2 == 0 && tm.Stop() {
						stopped.Add(1)
					}
					c.Now()
					if i%50 == 0 {
						assert.NoError(t, c.Advance(time.Millisecond))
					}
				}
			})
		}
		wg.Wait()
		require.NoError(t, c.Advance(time.Second))
		assert.Equal(t, int64(8*200), fired.Load()+stopped.Load(), "%s: every timer fires or is stopped, never both", name)
	}
}

func TestRealClockFollowsTimePlusOffset(t *testing.T) {
	c := NewReal()
	before := time.Now().UTC()
	require.NoError(t, c.Advance(time.Hour))
	now := c.Now()
	assert.False(t, now.Before(before.Add(time.Hour)))
	fired := make(chan struct{})
	c.AfterFunc(30*time.Minute, func() { close(fired) })
	require.NoError(t, c.Advance(30*time.Minute))
	select {
	case <-fired:
	default:
		t.Fatal("advancing the real clock's offset must fire due timers")
	}
}

func TestNeverPastMax(t *testing.T) {
	c := NewFake(start)
	var fired atomic.Bool
	c.AfterFunc(time.Hour, func() { fired.Store(true) })
	for range 2 {
		assert.ErrorIs(t, c.Set(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)), ErrTooFar)
		assert.Equal(t, start, c.Now(), "a refused move changes nothing")
	}
	assert.False(t, fired.Load(), "a refused move fires nothing")

	const year = 365 * 24 * time.Hour
	for i := range 300 {
		before := c.Now()
		err := c.Advance(year)
		now := c.Now()
		require.False(t, now.Before(before), "advance %d took the clock back to %v", i, now)
		if before.Add(year).After(Max) {
			require.ErrorIs(t, err, ErrTooFar, "advance %d", i)
			require.Equal(t, before, now, "advance %d", i)
		} else {
			require.NoError(t, err, "advance %d", i)
			require.Equal(t, before.Add(year), now, "advance %d", i)
		}
	}
	assert.False(t, c.Now().After(Max))
	assert.True(t, c.Now().Add(year).After(Max), "300 years from 2030 reach Max")
}

func TestMaxItselfIsReachable(t *testing.T) {
	c := NewFake(start)
	assert.ErrorIs(t, c.Set(Max.Add(time.Nanosecond)), ErrTooFar)
	require.NoError(t, c.Set(Max))
	assert.Equal(t, Max, c.Now())
	assert.ErrorIs(t, c.Advance(time.Nanosecond), ErrTooFar)
	require.NoError(t, c.Advance(0))

	c = NewFake(start)
	require.NoError(t, c.Advance(Max.Sub(start)))
	assert.Equal(t, Max, c.Now())
}

func TestRealClockNeverPastMax(t *testing.T) {
	c := NewReal()
	before := c.Now()
	assert.ErrorIs(t, c.Set(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)), ErrTooFar)
	assert.ErrorIs(t, c.Advance(250*365*24*time.Hour), ErrTooFar)
	assert.WithinDuration(t, before, c.Now(), time.Minute, "a refused move leaves the offset alone")
	require.NoError(t, c.Set(Max.Add(-time.Hour)))
	assert.ErrorIs(t, c.Advance(2*time.Hour), ErrTooFar)
}

func TestRealTimersFollowTheMovedOffset(t *testing.T) {
	c := NewReal()
	var early atomic.Bool
	marked := make(chan struct{})
	fired := make(chan struct{})
	c.AfterFunc(time.Hour, func() {
		select {
		case <-marked:
		default:
			early.Store(true)
		}
		close(fired)
	})
	require.NoError(t, c.Advance(time.Hour-200*time.Millisecond))
	// A marker due well before the hour's timer: by the time it has run, and every callback fired
	// with it has returned, a timer that fires early (on Advance, or on an alarm armed too soon) has
	// run as well, and says so.
	c.AfterFunc(50*time.Millisecond, func() { close(marked) })
	select {
	case <-marked:
	case <-time.After(5 * time.Second):
		t.Fatal("the marker never fired")
	}
	c.Settle()
	assert.False(t, early.Load(), "fired before its due time")
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("the timer still waits out the real duration it was scheduled with")
	}
	assert.False(t, early.Load(), "fired before the marker due 150 ms earlier")
}

// One alarm serves every real timer: it must be re-armed for one scheduled earlier than the
// pending ones, and again after each ring.
func TestRealAlarmRingsForEachTimer(t *testing.T) {
	c := NewReal()
	late := c.AfterFunc(time.Hour, func() {})
	first, second := make(chan struct{}), make(chan struct{})
	c.AfterFunc(20*time.Millisecond, func() { close(second) })
	c.AfterFunc(10*time.Millisecond, func() { close(first) })
	for _, fired := range []chan struct{}{first, second} {
		select {
		case <-fired:
		case <-time.After(5 * time.Second):
			t.Fatal("the alarm was not re-armed for the next timer")
		}
	}
	assert.True(t, late.Stop())
}

// Restart is the one move back: a fake clock to its start, and a pending timer keeps the time it had
// left, so it fires that long after the restart, not when the clock comes back to its old due time.
func TestRestartTakesAFakeClockBackAndTimersKeepTheirTimeLeft(t *testing.T) {
	c := NewFake(start)
	require.NoError(t, c.Set(Max.Add(-time.Second)))
	var fired atomic.Bool
	c.AfterFunc(2*time.Second, func() { fired.Store(true) })
	require.NoError(t, c.Advance(time.Second))
	assert.ErrorIs(t, c.Advance(time.Nanosecond), ErrTooFar, "at Max the clock cannot move on")

	c.Restart()
	assert.Equal(t, start, c.Now())
	require.NoError(t, c.Advance(time.Second-time.Nanosecond))
	c.Settle()
	assert.False(t, fired.Load(), "just before the second it had left")
	require.NoError(t, c.Advance(time.Nanosecond))
	c.Settle()
	assert.True(t, fired.Load(), "at the second it had left")
	require.NoError(t, c.Advance(time.Hour), "the clock moves again")
}

// A real clock moved to Max runs past it in real time, where every move is refused; Restart takes it
// back to real time, and a pending timer fires within the time it had left.
func TestRestartTakesARealClockBackToRealTime(t *testing.T) {
	c := NewReal()
	require.NoError(t, c.Set(Max))
	fired := make(chan struct{})
	c.AfterFunc(50*time.Millisecond, func() { close(fired) })
	assert.True(t, c.Now().After(Max), "real time carries the clock past Max")
	assert.ErrorIs(t, c.Advance(0), ErrTooFar, "and there it cannot move at all")

	c.Restart()
	assert.WithinDuration(t, time.Now(), c.Now(), time.Second)
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("the timer waits for the clock to come back to its old due time")
	}
	require.NoError(t, c.Advance(time.Hour), "the clock moves again")
}
