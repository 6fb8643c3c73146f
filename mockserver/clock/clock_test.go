package clock

import (
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
	require.NoError(t, c.Advance(999*time.Millisecond))
	assert.Empty(t, order, "just before the edge nothing fires")
	require.NoError(t, c.Advance(time.Millisecond))
	assert.Equal(t, []int{1}, order, "at the edge the timer fires")
	require.NoError(t, c.Advance(5*time.Second))
	assert.Equal(t, []int{1, 2}, order)
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
