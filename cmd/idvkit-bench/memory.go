package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// sweepAdvance moves the mock's clock past every session's retention: sessions live 1 h and are
// kept 24 h after they expire; the mock sweeps on a clock move before it answers.
const sweepAdvance = 26 * time.Hour

// memResult is the memory phase's: a mock of its own, loaded with stored sessions, then swept.
type memResult struct {
	ran         bool
	idle        int64         // VmRSS after start, before any load
	created     int64         // sessions stored: half the 2xx responses (a login, then its read)
	runs        int           // wrk runs
	loadTime    time.Duration // their wall time
	loaded      int64         // VmRSS once created
	advanceTook time.Duration // the clock advance call, sweep included
	swept       int64         // VmRSS when it came within 2x idle, or at the end of polling
	sweptAfter  time.Duration // from the advance call to swept
	within      bool          // swept <= 2 * idle
	peak        int64         // VmHWM at the end
}

// storedSessionsScript is the memory phase's wrk script. A RamBase login stores nothing (its access
// token carries the session); the session is stored when it first reads its ID verification token.
// So each session is a client-credentials login and then that read, with the token the login
// answered: logins' tokens queue up in the response callback, and a connection that is ready sends
// the oldest one's read, or else the next login.
var storedSessionsScript = fmt.Sprintf(`local form = %s
local tokens, first, last = {}, 1, 0
request = function()
  if first <= last then
    local t = tokens[first]
    tokens[first] = nil
    first = first + 1
    return wrk.format("GET", "/rambase/id-verification-token", {["Authorization"] = "Bearer " .. t})
  end
  return wrk.format("POST", "/rambase/oauth2/access_token", {["Content-Type"] = %s}, form)
end
response = function(status, headers, body)
  local t = body:match('"access_token":"([^"]+)"')
  if t then
    last = last + 1
    tokens[last] = t
  end
end
`, luaQuote(rambaseClientForm), luaQuote(formType))

// storedSessions is the memory phase's target: the script, and the login, which a Go client checks
// before and after each run.
func (b *bench) storedSessions() (target, error) {
	script := filepath.Join(b.dir, "stored-sessions.lua")
	if err := os.WriteFile(script, []byte(storedSessionsScript), 0o600); err != nil {
		return target{}, err
	}
	return target{name: "memory phase", req: formRequest("/rambase/oauth2/access_token", rambaseClientForm),
		script: script, status: http.StatusOK}, nil
}

// memoryPhase starts a mock of its own and stores o.sessions RamBase sessions in it (storedSessions),
// then moves the clock past their retention and polls RSS until it is within 2x of idle, for up to
// 30 s.
func (b *bench) memoryPhase(ctx context.Context, mem *memResult) error {
	t, err := b.storedSessions()
	if err != nil {
		return err
	}
	mock, err := b.startMock(ctx)
	if err != nil {
		return err
	}
	defer mock.Stop()
	if mem.idle, err = memory(mock.Pid, "VmRSS"); err != nil {
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
		s, err := b.measure(ctx, mock, t, d)
		if err != nil {
			return fmt.Errorf("memory phase: %w", err)
		}
		mem.created += (s.wrk.requests - s.wrk.non2xx) / 2
		mem.runs++
		rate = s.wrk.rate / 2
		b.logf("memory phase: %d sessions stored (%.0f a second, RSS %s)", mem.created, rate, mib(mustMemory(mock.Pid, "VmRSS")))
	}
	mem.loadTime = time.Since(start)
	if mem.loaded, err = memory(mock.Pid, "VmRSS"); err != nil {
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
		rss, err := memory(mock.Pid, "VmRSS")
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
	if mem.peak, err = memory(mock.Pid, "VmHWM"); err != nil {
		return err
	}
	return mock.Exited()
}

func mustMemory(pid int, key string) int64 {
	n, _ := memory(pid, key)
	return n
}
