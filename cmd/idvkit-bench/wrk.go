package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"maps"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// wrk's settings: one thread and 64 connections, pinned to the core the servers are not on.
const (
	wrkCPU         = "1"
	serverCPU      = "0"
	wrkThreads     = 1
	wrkConnections = 64
)

// wrkResult is what one wrk run reports.
type wrkResult struct {
	requests     int64         // completed in the run
	elapsed      time.Duration // the run's measured time
	rate         float64       // Requests/sec
	p50, p99     time.Duration // from the latency distribution
	non2xx       int64         // "Non-2xx or 3xx responses" (wrk counts statuses above 399)
	socketErrors string        // "connect 0, read 0, write 0, timeout 0" when wrk saw any
	cpu          time.Duration // wrk's own user+system CPU time
}

// luaScript is the wrk script that sends req: method, path, headers and body.
func luaScript(req request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrk.method = %s\n", luaQuote(req.Method))
	fmt.Fprintf(&b, "wrk.path = %s\n", luaQuote(req.Path))
	if req.Body != "" {
		fmt.Fprintf(&b, "wrk.body = %s\n", luaQuote(req.Body))
	}
	for _, k := range slices.Sorted(maps.Keys(req.Header)) {
		for _, v := range req.Header[k] {
			fmt.Fprintf(&b, "wrk.headers[%s] = %s\n", luaQuote(k), luaQuote(v))
		}
	}
	return b.String()
}

// luaQuote writes s as a Lua string literal that every Lua (wrk runs LuaJIT) reads back as the same
// bytes: printable ASCII as is, everything else as a decimal escape.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// runWrk runs wrk pinned to its own core against url (the request comes from the script) for d.
func runWrk(ctx context.Context, url, script string, d time.Duration) (wrkResult, error) {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	cmd := exec.CommandContext(ctx, "taskset", "-c", wrkCPU, "wrk", "-t"+strconv.Itoa(wrkThreads), "-c"+strconv.Itoa(wrkConnections),
		"-d"+strconv.Itoa(secs)+"s", "--timeout", "30s", "--latency", "-s", script, url)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return wrkResult{}, fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out.String())
	}
	res, err := parseWrk(out.String())
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk's output: %v\n%s", err, out.String())
	}
	res.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return res, nil
}

var (
	wrkRequestsRe = regexp.MustCompile(`^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h), `)
	wrkRateRe     = regexp.MustCompile(`^Requests/sec:\s+([\d.]+)\s*$`)
	wrkPercentRe  = regexp.MustCompile(`^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$`)
	wrkNon2xxRe   = regexp.MustCompile(`^\s*Non-2xx or 3xx responses: (\d+)\s*$`)
	wrkSocketRe   = regexp.MustCompile(`^\s*Socket errors: (connect (\d+), read (\d+), write (\d+), timeout (\d+))\s*$`)
)

// parseWrk reads wrk 4.x's report (run with --latency).
func parseWrk(out string) (wrkResult, error) {
	var res wrkResult
	var haveRequests, haveRate, have50, have99 bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if m := wrkRequestsRe.FindStringSubmatch(line); m != nil {
			n, err := strconv.ParseInt(m[1], 10, 64)
			if err != nil {
				return res, err
			}
			d, err := wrkDuration(m[2], m[3])
			if err != nil {
				return res, err
			}
			res.requests, res.elapsed, haveRequests = n, d, true
		} else if m := wrkRateRe.FindStringSubmatch(line); m != nil {
			r, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				return res, err
			}
			res.rate, haveRate = r, true
		} else if m := wrkPercentRe.FindStringSubmatch(line); m != nil {
			d, err := wrkDuration(m[2], m[3])
			if err != nil {
				return res, err
			}
			switch m[1] {
			case "50":
				res.p50, have50 = d, true
			case "99":
				res.p99, have99 = d, true
			}
		} else if m := wrkNon2xxRe.FindStringSubmatch(line); m != nil {
			n, err := strconv.ParseInt(m[1], 10, 64)
			if err != nil {
				return res, err
			}
			res.non2xx = n
		} else if m := wrkSocketRe.FindStringSubmatch(line); m != nil {
			if m[2] != "0" || m[3] != "0" || m[4] != "0" || m[5] != "0" {
				res.socketErrors = m[1]
			}
		}
	}
	switch {
	case !haveRequests:
		return res, fmt.Errorf(`no "N requests in T" line`)
	case !haveRate:
		return res, fmt.Errorf(`no "Requests/sec:" line`)
	case !have50 || !have99:
		return res, fmt.Errorf("no latency distribution (50%% and 99%%); was wrk run with --latency?")
	}
	return res, nil
}

// wrkDuration reads one of wrk's times: a number in us, ms, s, m or h.
func wrkDuration(num, unit string) (time.Duration, error) {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, err
	}
	scale := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour}[unit]
	if scale == 0 {
		return 0, fmt.Errorf("unknown unit %q", unit)
	}
	return time.Duration(f * float64(scale)), nil
}

// wrkVersion is wrk's first line of `wrk -v` (it exits 1 after printing it).
func wrkVersion(ctx context.Context) string {
	out, _ := exec.CommandContext(ctx, "wrk", "-v").CombinedOutput()
	line, _, _ := strings.Cut(string(out), "\n")
	line, _, _ = strings.Cut(line, " Copyright")
	if line = strings.TrimSpace(line); line == "" {
		return "unknown"
	}
	return line
}
