// Command idvkit-bench measures the idvkit mock server alone: the mock (`idvkit serve`) in its own
// process pinned to CPU 0, load from wrk pinned to CPU 1, beside a bare net/http server returning
// the same bytes, alternating. It prints a markdown table per hot path (hotpaths.go): req/s, server
// CPU per request, both ratios to bare, p50/p99 latency, allocations per request (from an in-process
// Go benchmark of the handler), then idle and peak RSS and the memory after a million RamBase
// sessions are stored and swept. `make bench` builds the mock and runs it:
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
	idvkit       string
	rounds       int
	duration     time.Duration
	warmup       time.Duration
	only         string
	skipMemory   bool
	sessions     int64
	prism        bool
	prismVersion string
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
	fs.BoolVar(&o.skipMemory, "skip-memory", false, "skip the memory phase (a million sessions stored, then swept)")
	fs.Int64Var(&o.sessions, "sessions", 1_000_000, "sessions the memory phase stores before it sweeps them")
	fs.BoolVar(&o.prism, "prism", false, "also measure Prism (npx @stoplight/prism-cli) on each row's spec, the same way")
	fs.StringVar(&o.prismVersion, "prism-version", "5.16.0", "the @stoplight/prism-cli version --prism runs")
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

// prepared is a row ready to run against a served mock.
type prepared struct {
	row      hotPath
	req      request
	ans      answer // the mock's answer, which the bare server repeats
	script   string // wrk's Lua script
	bodyFile string
	allocs   allocs
}

// target is what one wrk run sends and must get back.
type target struct {
	name   string // for messages: the row's name
	req    request
	script string
	status int // every response's status must be of this one's class: 2xx, or not
	// socketErrorsOK reports wrk's socket errors (timeouts, say) instead of failing on them: for
	// Prism, a comparison, not the server under test.
	socketErrorsOK bool
}

func (p prepared) target() target {
	return target{name: p.row.name, req: p.req, script: p.script, status: p.row.status}
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

type round struct {
	mock, bare sample
	prism      *sample // with --prism
}

type rowResult struct {
	prepared
	rounds      []round
	idle, peak  int64 // the row's mock's VmRSS before load and VmHWM after its rounds
	prismStatus int   // what Prism answered the row's request, with --prism
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
	tools := []string{"taskset", "wrk"}
	if o.prism {
		tools = append(tools, "npx")
	}
	for _, tool := range tools {
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
	b := &bench{o: o, ticks: readClockTicks(ctx), logf: logf, self: self, dir: dir, prisms: map[string]*server{},
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}}
	defer b.stopPrisms()
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
	if o.prism {
		if err := b.installPrism(ctx); err != nil {
			return err
		}
	}

	var results []rowResult
	for _, p := range preps {
		r, err := b.runRow(ctx, p)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	var mem memResult
	if !o.skipMemory {
		if err := b.memoryPhase(ctx, &mem); err != nil {
			return err
		}
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
	self   string // this binary, which serves the bare server
	dir    string // scratch: logs, scripts, bodies, specs
	prisms map[string]*server
}

// startMock starts `idvkit serve` pinned to the server core.
func (b *bench) startMock(ctx context.Context) (*server, error) {
	mock, err := startServer(ctx, "mock", b.dir, []string{b.o.idvkit, "serve", "--addr", "{addr}"},
		answers(b.client, request{Method: "GET", Path: "/_mock/healthz"}, http.StatusOK), 15*time.Second)
	if err != nil {
		return nil, err
	}
	b.logf("mock pid %d at %s, pinned to CPU %s", mock.Pid, mock.root, serverCPU)
	return mock, nil
}

// prepare runs a row's preparation against the served mock and records its answer for the bare server.
func (b *bench) prepare(ctx context.Context, mock *server, p *prepared) error {
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
	base := filepath.Join(b.dir, strings.ReplaceAll(p.row.name, "/", "-"))
	p.script, p.bodyFile = base+".lua", base+".body"
	if err := os.WriteFile(p.script, []byte(luaScript(req)), 0o600); err != nil {
		return err
	}
	return os.WriteFile(p.bodyFile, body, 0o600)
}

// runRow measures one row against a mock of its own (so no row runs on the state an earlier one
// left, such as the token row's sessions) and the row's bare server, alternating, for the rounds.
func (b *bench) runRow(ctx context.Context, p prepared) (rowResult, error) {
	r := rowResult{prepared: p}
	mock, err := b.startMock(ctx)
	if err != nil {
		return r, err
	}
	defer mock.Stop()
	if err := b.prepare(ctx, mock, &r.prepared); err != nil {
		return r, err
	}
	p = r.prepared
	if r.idle, err = memory(mock.Pid, "VmRSS"); err != nil {
		return r, err
	}
	bare, err := startServer(ctx, "bare "+p.row.name, b.dir, bareArgs(b.self, p.ans, p.bodyFile),
		answers(b.client, p.req, p.row.status), 10*time.Second)
	if err != nil {
		return r, err
	}
	defer bare.Stop()
	var prism *server
	var prismTarget target
	if b.o.prism {
		if prism, prismTarget, err = b.prismTarget(ctx, p); err != nil {
			return r, err
		}
		r.prismStatus = prismTarget.status
	}

	preparedAt := time.Now()
	for i := range b.o.rounds {
		// A round runs a warm-up and a measured run on each server; a request that would not outlive
		// it by a margin (an eeID token's 120 s) is prepared again, on the same mock.
		if life := p.row.lifetime; life > 0 && time.Since(preparedAt)+3*(b.o.warmup+b.o.duration) > life*3/4 {
			if err := b.prepare(ctx, mock, &r.prepared); err != nil {
				return r, err
			}
			p, preparedAt = r.prepared, time.Now()
		}
		for _, s := range []*server{mock, bare, prism} {
			t := p.target()
			if s == nil {
				continue
			} else if s == prism {
				t = prismTarget
			}
			if _, err := b.measure(ctx, s, t, b.o.warmup); err != nil {
				return r, err
			}
		}
		var rd round
		if rd.mock, err = b.measure(ctx, mock, p.target(), b.o.duration); err != nil {
			return r, err
		}
		if rd.bare, err = b.measure(ctx, bare, p.target(), b.o.duration); err != nil {
			return r, err
		}
		prismLog := ""
		if prism != nil {
			s, err := b.measure(ctx, prism, prismTarget, b.o.duration)
			if err != nil {
				return r, err
			}
			rd.prism = &s
			prismLog = fmt.Sprintf("  prism %5.0f req/s %6.1f µs/req", s.wrk.rate, micros(s.cpuPerRequest()))
		}
		b.logf("%-22s round %d/%d  mock %6.0f req/s %5.1f µs/req p99 %-8v  bare %6.0f req/s %5.1f µs/req%s  (CPU %s busy %.2f/%.2f, process %.2f/%.2f; wrk process %.2f/%.2f)",
			p.row.name, i+1, b.o.rounds, rd.mock.wrk.rate, micros(rd.mock.cpuPerRequest()), rd.mock.wrk.p99.Round(10*time.Microsecond),
			rd.bare.wrk.rate, micros(rd.bare.cpuPerRequest()), prismLog, serverCPU, rd.mock.serverCore, rd.bare.serverCore,
			rd.mock.serverCores(), rd.bare.serverCores(), rd.mock.wrkCores(), rd.bare.wrkCores())
		r.rounds = append(r.rounds, rd)
	}
	if r.peak, err = memory(mock.Pid, "VmHWM"); err != nil {
		return r, err
	}
	return r, mock.Exited()
}

// measure runs wrk against s for d, between two status checks with a Go client, and reads the
// server's CPU time around it. A run that answers another status than the target's fails.
func (b *bench) measure(ctx context.Context, s *server, t target, d time.Duration) (sample, error) {
	check := answers(b.client, t.req, t.status)
	fail := func(err error) (sample, error) {
		if dead := s.Exited(); dead != nil {
			err = fmt.Errorf("%v\n%v", err, dead)
		}
		return sample{}, fmt.Errorf("%s against %s: %w", t.name, s.Name, err)
	}
	if err := check(ctx, s.root); err != nil {
		return fail(fmt.Errorf("before the run: %w", err))
	}
	cpu0, err := s.cpuTicks()
	if err != nil {
		return fail(err)
	}
	serverCore0, err1 := cpuBusy("cpu" + serverCPU)
	wrkCore0, err2 := cpuBusy("cpu" + wrkCPU)
	if err := errors.Join(err1, err2); err != nil {
		return fail(err)
	}
	start := time.Now()
	res, err := runWrk(ctx, s.root+t.req.Path, t.script, d)
	wall := time.Since(start)
	if err != nil {
		return fail(err)
	}
	cpu1, err := s.cpuTicks()
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
	valid := t.status >= 200 && t.status < 300
	switch {
	case res.requests == 0:
		return fail(errors.New("wrk completed no request"))
	case res.socketErrors != "" && !t.socketErrorsOK:
		return fail(fmt.Errorf("wrk saw socket errors: %s", res.socketErrors))
	case valid && res.non2xx != 0:
		return fail(fmt.Errorf("%d of %d responses were not 2xx; the row expects %d", res.non2xx, res.requests, t.status))
	case !valid && res.non2xx != res.requests:
		return fail(fmt.Errorf("%d of %d responses were 2xx or 3xx; the row expects %d", res.requests-res.non2xx, res.requests, t.status))
	}
	busy := func(t0, t1 cpuTicks) float64 { return b.ticks.duration(t1.busy-t0.busy).Seconds() / wall.Seconds() }
	return sample{wrk: res, cpu: b.ticks.duration(cpu1 - cpu0), wall: wall,
		serverCore: busy(serverCore0, serverCore1), wrkCore: busy(wrkCore0, wrkCore1)}, nil
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
