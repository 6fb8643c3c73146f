package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"time"
)

// sweepAdvance moves the mock's clock past every session's retention: sessions live 1 h and are
// kept 24 h after they expire; the mock sweeps on a clock move before it answers.
const sweepAdvance = 26 * time.Hour

// memResult is the memory phase's: a mock of its own, loaded with sessions, then swept.
type memResult struct {
	ran         bool
	idle        int64         // VmRSS after start, before any load
	created     int64         // 2xx token responses (sessions) counted
	runs        int           // wrk runs
	loadTime    time.Duration // their wall time
	loaded      int64         // VmRSS once created
	advanceTook time.Duration // the clock advance call, sweep included
	swept       int64         // VmRSS when it came within 2x idle, or at the end of polling
	sweptAfter  time.Duration // from the advance call to swept
	within      bool          // swept <= 2 * idle
	peak        int64         // VmHWM at the end
}

// memoryPhase starts a mock of its own, drives the token row until o.sessions sessions were
// created, then moves the clock past their retention and polls RSS until it is within 2x of idle,
// for up to 30 s.
func (b *bench) memoryPhase(ctx context.Context, mem *memResult) error {
	p := prepared{}
	for _, r := range hotPaths {
		if r.name == tokenRow {
			p.row = r
		}
	}
	mock, err := b.startMock(ctx)
	if err != nil {
		return err
	}
	defer mock.stop()
	if err := b.prepare(ctx, mock, &p); err != nil {
		return err
	}
	if mem.idle, err = memory(mock.pid, "VmRSS"); err != nil {
		return err
	}
	mem.ran = true
	rate := 0.0
	start := time.Now()
	for mem.created < b.o.sessions {
		d := 5 * time.Second
		if rate > 0 {
			// Aim past the goal: the rate falls as sessions pile up, and a short tail run is mostly start-up.
			secs := math.Ceil(float64(b.o.sessions-mem.created) / rate * 1.2)
			d = time.Duration(min(max(secs, 1), 60)) * time.Second
		}
		s, err := b.measure(ctx, mock, p.target(), d)
		if err != nil {
			return fmt.Errorf("memory phase: %w", err)
		}
		mem.created += s.wrk.requests - s.wrk.non2xx
		mem.runs++
		rate = s.wrk.rate
		b.logf("memory phase: %d sessions created (%.0f req/s, RSS %s)", mem.created, rate, mib(mustMemory(mock.pid, "VmRSS")))
	}
	mem.loadTime = time.Since(start)
	if mem.loaded, err = memory(mock.pid, "VmRSS"); err != nil {
		return err
	}

	sweepStart := time.Now()
	long := &http.Client{Timeout: 5 * time.Minute}
	status, _, body, err := send(ctx, long, mock.root, request{Method: "POST", Path: "/_mock/clock/advance",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: fmt.Sprintf(`{"seconds": %d}`, int(sweepAdvance/time.Second))})
	if err != nil {
		return fmt.Errorf("memory phase: advance the clock: %w", err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("memory phase: advance the clock: %d %.300s", status, body)
	}
	mem.advanceTook = time.Since(sweepStart)
	b.logf("memory phase: clock advanced %v in %.2fs; polling RSS (goal within 2x idle, %s)", sweepAdvance, mem.advanceTook.Seconds(), mib(2*mem.idle))
	deadline := time.Now().Add(30 * time.Second)
	for {
		rss, err := memory(mock.pid, "VmRSS")
		if err != nil {
			return err
		}
		mem.swept, mem.sweptAfter = rss, time.Since(sweepStart)
		if rss <= 2*mem.idle {
			mem.within = true
			break
		}
		if time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	if mem.peak, err = memory(mock.pid, "VmHWM"); err != nil {
		return err
	}
	return mock.alive()
}

func mustMemory(pid int, key string) int64 {
	n, _ := memory(pid, key)
	return n
}
