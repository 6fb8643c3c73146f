// Command idvkit-bench measures the idvkit mock server alone: the mock (`idvkit serve`) in its own
// process pinned to CPU 0, load from wrk pinned to CPU 1, beside a bare net/http server returning
// the same bytes, alternating. It prints a markdown table per hot path (hotpaths.go): req/s, server
// CPU per request, both ratios to bare, p50/p99 latency, allocations per request (from an in-process
// Go benchmark of the handler), then idle and peak RSS and the memory after a million sessions are
// created and swept. `make bench` builds the mock and runs it:
//
//	idvkit-bench --idvkit /tmp/idvkit [--rounds 3] [--duration 5s] [--only verify] [--skip-memory]
//
// `idvkit-bench bare --addr A --status N --content-type T --body-file F` is the bare server, which
// the driver starts by re-executing itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		err = runBare(ctx, os.Args[2:], os.Stderr)
	} else {
		err = run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "idvkit-bench:", err)
		stop()
		os.Exit(1)
	}
}

type options struct {
	idvkit     string
	rounds     int
	duration   time.Duration
	warmup     time.Duration
	only       string
	skipMemory bool
	sessions   int64
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("idvkit-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.idvkit, "idvkit", "", "the idvkit binary to measure (required; make bench builds it with CGO_ENABLED=0)")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds per row, each a warm-up, a mock run and a bare run")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "length of each measured wrk run (whole seconds)")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "length of the discarded warm-up run before each round, on each server")
	fs.StringVar(&o.only, "only", "", "run only the rows whose name contains this")
	fs.BoolVar(&o.skipMemory, "skip-memory", false, "skip the memory phase (a million sessions created, then swept)")
	fs.Int64Var(&o.sessions, "sessions", 1_000_000, "sessions the memory phase creates before it sweeps them")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.idvkit == "":
		return o, errors.New("--idvkit PATH is required (make bench builds it)")
	case o.rounds < 1:
		return o, errors.New("--rounds must be at least 1")
	case o.duration < time.Second || o.warmup < time.Second:
		return o, errors.New("--duration and --warmup must be at least 1s (wrk counts whole seconds)")
	case o.sessions < 1:
		return o, errors.New("--sessions must be at least 1")
	}
	return o, nil
}

// prepared is a row ready to run against the served mock.
type prepared struct {
	row      hotPath
	req      request
	ans      answer // the mock's answer, which the bare server repeats
	script   string // wrk's Lua script
	bodyFile string
	allocs   allocs
}

// sample is one wrk run against one server.
type sample struct {
	wrk  wrkResult
	cpu  time.Duration // the server process's CPU time over the run
	wall time.Duration // the run's wall time, wrk's start to its exit
	// The server's and wrk's cores' busy time (/proc/stat: not idle, not iowait) as a fraction of
	// the wall time: unlike the process's CPU time, it includes the kernel's softirq work.
	serverCore, wrkCore float64
}

func (s sample) cpuPerRequest() time.Duration { return s.cpu / time.Duration(s.wrk.requests) }
func (s sample) serverCores() float64         { return s.cpu.Seconds() / s.wall.Seconds() }
func (s sample) wrkCores() float64            { return s.wrk.cpu.Seconds() / s.wall.Seconds() }

type round struct{ mock, bare sample }

type rowResult struct {
	prepared
	rounds []round
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	var rows []hotPath
	for _, r := range hotPaths {
		if strings.Contains(r.name, o.only) {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return fmt.Errorf("--only %q matches no row", o.only)
	}
	for _, tool := range []string{"taskset", "wrk"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is needed (make bench installs wrk with apt-get): %v", tool, err)
		}
	}
	if n := runtime.NumCPU(); n < 2 {
		return fmt.Errorf("the servers and wrk need a core each; this process may use %d", n)
	}
	if o.idvkit, err = filepath.Abs(o.idvkit); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "idvkit-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	b := &bench{o: o, ticks: readClockTicks(ctx), logf: logf,
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}}
	mach := describeMachine(ctx, o.idvkit, b.ticks)

	// Allocations first: the in-process benchmarks also show each row works before any load.
	var preps []prepared
	for _, row := range rows {
		a, err := measureAllocs(ctx, row)
		if err != nil {
			return err
		}
		logf("allocs/req in process %-24s mock %d, bare %d", row.name, a.mock, a.bare)
		preps = append(preps, prepared{row: row, allocs: a})
	}

	mock, err := startServer(ctx, "mock", dir, []string{o.idvkit, "serve", "--addr", "{addr}"},
		answers(b.client, request{Method: "GET", Path: "/_mock/healthz"}, http.StatusOK), 15*time.Second)
	if err != nil {
		return err
	}
	defer mock.stop()
	logf("mock pid %d at %s, pinned to CPU %s", mock.pid, mock.root, serverCPU)
	for i := range preps {
		if err := b.prepare(ctx, mock, &preps[i], dir); err != nil {
			return err
		}
	}
	var mem memResult
	if mem.idle, err = memory(mock.pid, "VmRSS"); err != nil {
		return err
	}

	var results []rowResult
	for _, p := range preps {
		r, err := b.runRow(ctx, mock, p, self, dir)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	if mem.peakRows, err = memory(mock.pid, "VmHWM"); err != nil {
		return err
	}
	if !o.skipMemory {
		if err := b.memoryPhase(ctx, mock, &mem, results, dir); err != nil {
			return err
		}
	}
	if err := mock.alive(); err != nil {
		return err
	}
	printReport(stdout, mach, o, results, mem)
	return nil
}

// bench holds what every run shares.
type bench struct {
	o      options
	ticks  clockTicks
	client *http.Client // for status checks; no keep-alive, so it holds no connection during a run
	logf   func(string, ...any)
	// tokenSessions counts the sessions the token row's runs created in the mock, warm-ups included.
	tokenSessions int64
}

// prepare runs a row's preparation against the served mock and records its answer for the bare server.
func (b *bench) prepare(ctx context.Context, mock *server, p *prepared, dir string) error {
	req, err := p.row.prepare(ctx, b.client, mock.root)
	if err != nil {
		return fmt.Errorf("%s: prepare: %w", p.row.name, err)
	}
	status, header, body, err := send(ctx, b.client, mock.root, req)
	if err != nil {
		return fmt.Errorf("%s: %w", p.row.name, err)
	}
	if status != p.row.status {
		return fmt.Errorf("%s: %s %s answered %d, want %d: %.300s", p.row.name, req.Method, pathOnly(req.Path), status, p.row.status, body)
	}
	p.req = req
	p.ans = answer{status: status, contentType: header.Get("Content-Type"), body: body}
	base := filepath.Join(dir, strings.ReplaceAll(p.row.name, "/", "-"))
	p.script, p.bodyFile = base+".lua", base+".body"
	if err := os.WriteFile(p.script, []byte(luaScript(req)), 0o600); err != nil {
		return err
	}
	return os.WriteFile(p.bodyFile, body, 0o600)
}

// runRow starts the row's bare server and runs the rounds, alternating mock and bare.
func (b *bench) runRow(ctx context.Context, mock *server, p prepared, self, dir string) (rowResult, error) {
	bare, err := startServer(ctx, "bare "+p.row.name, dir, bareArgs(self, p.ans, p.bodyFile),
		answers(b.client, p.req, p.row.status), 10*time.Second)
	if err != nil {
		return rowResult{}, err
	}
	defer bare.stop()
	r := rowResult{prepared: p}
	for i := range b.o.rounds {
		for _, s := range []*server{mock, bare} {
			if _, err := b.measure(ctx, s, p, b.o.warmup); err != nil {
				return r, err
			}
		}
		var rd round
		if rd.mock, err = b.measure(ctx, mock, p, b.o.duration); err != nil {
			return r, err
		}
		if rd.bare, err = b.measure(ctx, bare, p, b.o.duration); err != nil {
			return r, err
		}
		b.logf("%-22s round %d/%d  mock %6.0f req/s %5.1f µs/req p99 %-8v  bare %6.0f req/s %5.1f µs/req  (CPU %s busy %.2f/%.2f, process %.2f/%.2f; wrk process %.2f/%.2f)",
			p.row.name, i+1, b.o.rounds, rd.mock.wrk.rate, micros(rd.mock.cpuPerRequest()), rd.mock.wrk.p99.Round(10*time.Microsecond),
			rd.bare.wrk.rate, micros(rd.bare.cpuPerRequest()), serverCPU, rd.mock.serverCore, rd.bare.serverCore,
			rd.mock.serverCores(), rd.bare.serverCores(), rd.mock.wrkCores(), rd.bare.wrkCores())
		r.rounds = append(r.rounds, rd)
	}
	return r, nil
}

// measure runs wrk against s for d, between two status checks with a Go client, and reads the
// server's CPU time around it. A run that answers another status than the row's fails.
func (b *bench) measure(ctx context.Context, s *server, p prepared, d time.Duration) (sample, error) {
	check := answers(b.client, p.req, p.row.status)
	fail := func(err error) (sample, error) {
		if dead := s.alive(); dead != nil {
			err = fmt.Errorf("%v\n%v", err, dead)
		}
		return sample{}, fmt.Errorf("%s against %s: %w", p.row.name, s.name, err)
	}
	if err := check(ctx, s.root); err != nil {
		return fail(fmt.Errorf("before the run: %w", err))
	}
	cpu0, err := processCPU(s.pid)
	if err != nil {
		return fail(err)
	}
	serverCore0, err1 := cpuBusy("cpu" + serverCPU)
	wrkCore0, err2 := cpuBusy("cpu" + wrkCPU)
	if err := errors.Join(err1, err2); err != nil {
		return fail(err)
	}
	start := time.Now()
	res, err := runWrk(ctx, s.root+p.req.Path, p.script, d)
	wall := time.Since(start)
	if err != nil {
		return fail(err)
	}
	cpu1, err := processCPU(s.pid)
	if err != nil {
		return fail(err)
	}
	serverCore1, err1 := cpuBusy("cpu" + serverCPU)
	wrkCore1, err2 := cpuBusy("cpu" + wrkCPU)
	if err := errors.Join(err1, err2); err != nil {
		return fail(err)
	}
	if err := check(ctx, s.root); err != nil {
		return fail(fmt.Errorf("after the run: %w", err))
	}
	switch {
	case res.requests == 0:
		return fail(errors.New("wrk completed no request"))
	case res.socketErrors != "":
		return fail(fmt.Errorf("wrk saw socket errors: %s", res.socketErrors))
	case p.row.valid() && res.non2xx != 0:
		return fail(fmt.Errorf("%d of %d responses were not 2xx; the row expects %d", res.non2xx, res.requests, p.row.status))
	case !p.row.valid() && res.non2xx != res.requests:
		return fail(fmt.Errorf("%d of %d responses were 2xx or 3xx; the row expects %d", res.requests-res.non2xx, res.requests, p.row.status))
	}
	if s.name == "mock" && p.row.name == tokenRow {
		b.tokenSessions += res.requests - res.non2xx
	}
	busy := func(t0, t1 cpuTicks) float64 { return b.ticks.duration(t1.busy-t0.busy).Seconds() / wall.Seconds() }
	return sample{wrk: res, cpu: b.ticks.duration(cpu1 - cpu0), wall: wall,
		serverCore: busy(serverCore0, serverCore1), wrkCore: busy(wrkCore0, wrkCore1)}, nil
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
