package main

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// machine describes where and with what the run happened.
type machine struct {
	cpu, kernel, goVersion, wrk, idvkit string
	cores                               int
	ticks                               clockTicks
}

func describeMachine(ctx context.Context, idvkit string, ticks clockTicks) machine {
	m := machine{cpu: "unknown", kernel: "unknown", goVersion: runtime.Version(), wrk: wrkVersion(ctx), idvkit: "unknown", ticks: ticks}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			k, v, _ := strings.Cut(line, ":")
			switch strings.TrimSpace(k) {
			case "model name":
				if m.cpu == "unknown" {
					m.cpu = strings.TrimSpace(v)
				}
			case "processor":
				m.cores++
			}
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = "Linux " + strings.TrimSpace(string(data))
	}
	if bi, err := buildinfo.ReadFile(idvkit); err == nil {
		m.goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			if s.Key == "CGO_ENABLED" {
				m.goVersion += ", CGO_ENABLED=" + s.Value
			}
		}
	}
	if out, err := exec.CommandContext(ctx, idvkit, "version").Output(); err == nil {
		m.idvkit = strings.TrimSpace(string(out))
	}
	return m
}

// values collects one figure of every round of a row.
func values(r rowResult, f func(round) float64) []float64 {
	var v []float64
	for _, rd := range r.rounds {
		v = append(v, f(rd))
	}
	return v
}

func printReport(w io.Writer, m machine, o options, rows []rowResult, mem memResult) {
	secs := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s" }
	fmt.Fprintf(w, "\n## idvkit-bench: the mock server alone\n\n")
	fmt.Fprintf(w, "- Machine: %s, %d cores; %s; %s; %s; idvkit built with %s.\n", m.cpu, m.cores, m.kernel, m.idvkit, m.wrk, m.goVersion)
	prism, prismRun := "", ""
	if o.prism {
		prism = fmt.Sprintf(", and Prism %s started by `npx` with `--verboseLevel silent --errors false`", o.prismVersion)
		prismRun = fmt.Sprintf("; Prism %s", secs(o.duration))
	}
	fmt.Fprintf(w, "- Pinning: each server (`idvkit serve` with its defaults, a bare net/http server%s) in its own process under `taskset -c %s`, "+
		"so a Go server's GOMAXPROCS is 1; wrk under `taskset -c %s` as `wrk -t%d -c%d -d%s --latency`; the driver unpinned, idle during runs.\n",
		prism, serverCPU, wrkCPU, wrkThreads, wrkConnections, strings.TrimSuffix(secs(o.duration), " s")+"s")
	fmt.Fprintf(w, "- Method: each row against a mock of its own, just started (no row runs on the sessions an earlier one created), "+
		"%d rounds of [warm-up %s on each server, discarded; mock %s; bare %s%s]; "+
		"ranges are min–max over the rounds. Every run is checked: each response has the row's status (wrk's non-2xx count), "+
		"and a Go client checks one before and after. Server CPU is the process's utime+stime (/proc/<pid>/stat, CLK_TCK %d, %s) "+
		"before and after each run, divided by the requests wrk completed; it leaves out the kernel's softirq work of loopback delivery, "+
		"which the load check below counts. The bare server drains the body and writes the status, "+
		"Content-Type and bytes the mock answered, served by the same http.Server setup as `idvkit serve` (apihttp.NewServer). Allocations: testing.Benchmark "+
		"of the handler's ServeHTTP in process (a fresh request and recorder per iteration; zero-value Config).\n\n",
		o.rounds, secs(o.warmup), secs(o.duration), secs(o.duration), prismRun, m.ticks.perSecond, m.ticks.source)

	fmt.Fprintln(w, "| hot path | status | mock req/s | bare req/s | mock/bare | goal | mock CPU µs/req | bare CPU µs/req | bare/mock CPU | mock p50 | mock p99 | p99 goal | mock allocs/req | bare allocs/req |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range rows {
		ratio := values(r, func(rd round) float64 { return rd.mock.wrk.rate / rd.bare.wrk.rate })
		p99 := values(r, func(rd round) float64 { return rd.mock.wrk.p99.Seconds() * 1000 })
		fmt.Fprintf(w, "| `%s` | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %d |\n",
			r.row.name, r.row.status,
			span(values(r, func(rd round) float64 { return rd.mock.wrk.rate }), ""),
			span(values(r, func(rd round) float64 { return rd.bare.wrk.rate }), ""),
			span(ratio, "x"),
			ratioVerdict(r.row, ratio),
			span(values(r, func(rd round) float64 { return micros(rd.mock.cpuPerRequest()) }), ""),
			span(values(r, func(rd round) float64 { return micros(rd.bare.cpuPerRequest()) }), ""),
			span(values(r, func(rd round) float64 {
				return float64(rd.bare.cpuPerRequest()) / float64(rd.mock.cpuPerRequest())
			}), "x"),
			span(values(r, func(rd round) float64 { return rd.mock.wrk.p50.Seconds() * 1000 }), " ms"),
			span(p99, " ms"),
			p99Verdict(p99),
			r.allocs.mock, r.allocs.bare)
	}

	if o.prism {
		fmt.Fprintf(w, "\nPrism %s on the same rows, spec and machine, measured the same way (its CPU is its process tree's: npx, sh and node). "+
			"Prism is stateless: it answers from the spec's examples, so its status may differ from the mock's.\n\n", o.prismVersion)
		fmt.Fprintln(w, "| hot path | Prism answered | Prism req/s | mock/Prism | Prism CPU µs/req | Prism p50 | Prism p99 | wrk socket errors |")
		fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- |")
		for _, r := range rows {
			var errs []string
			for i, rd := range r.rounds {
				if rd.prism.wrk.socketErrors != "" {
					errs = append(errs, fmt.Sprintf("round %d: %s", i+1, rd.prism.wrk.socketErrors))
				}
			}
			if len(errs) == 0 {
				errs = []string{"none"}
			}
			fmt.Fprintf(w, "| `%s` | %d | %s | %s | %s | %s | %s | %s |\n", r.row.name, r.prismStatus,
				span(values(r, func(rd round) float64 { return rd.prism.wrk.rate }), ""),
				span(values(r, func(rd round) float64 { return rd.mock.wrk.rate / rd.prism.wrk.rate }), "x"),
				span(values(r, func(rd round) float64 { return micros(rd.prism.cpuPerRequest()) }), ""),
				span(values(r, func(rd round) float64 { return rd.prism.wrk.p50.Seconds() * 1000 }), " ms"),
				span(values(r, func(rd round) float64 { return rd.prism.wrk.p99.Seconds() * 1000 }), " ms"), strings.Join(errs, "; "))
		}
	}

	fmt.Fprintf(w, "\nLoad check, min–max over rounds: how busy each core was during the measured runs (/proc/stat, "+
		"softirq included), and how much of it the server's and wrk's processes used (their own CPU time / wall time).\n\n")
	fmt.Fprintf(w, "| hot path | CPU %s, mock runs | mock process | CPU %s, bare runs | bare process | CPU %s, mock runs | CPU %s, bare runs | wrk process, bare runs |\n",
		serverCPU, serverCPU, wrkCPU, wrkCPU)
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- |")
	var notes []string
	for _, r := range rows {
		mockCore := values(r, func(rd round) float64 { return rd.mock.serverCore })
		bareCore := values(r, func(rd round) float64 { return rd.bare.serverCore })
		wrkCoreBare := values(r, func(rd round) float64 { return rd.bare.wrkCore })
		wrkBare := values(r, func(rd round) float64 { return rd.bare.wrkCores() })
		fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", r.row.name,
			span(mockCore, ""), span(values(r, func(rd round) float64 { return rd.mock.serverCores() }), ""),
			span(bareCore, ""), span(values(r, func(rd round) float64 { return rd.bare.serverCores() }), ""),
			span(values(r, func(rd round) float64 { return rd.mock.wrkCore }), ""), span(wrkCoreBare, ""), span(wrkBare, ""))
		if slices.Min(bareCore) < 0.9 {
			notes = append(notes, fmt.Sprintf("`%s`: CPU %s was only %s busy during the bare runs: the bare server was not saturated, "+
				"so its req/s is the load generator's limit and mock/bare overstates the mock; compare the CPU per request.", r.row.name, serverCPU, span(bareCore, "")))
		}
		if slices.Min(mockCore) < 0.9 {
			notes = append(notes, fmt.Sprintf("`%s`: CPU %s was only %s busy during the mock runs: the mock was not saturated.", r.row.name, serverCPU, span(mockCore, "")))
		}
		if slices.Max(wrkCoreBare) >= 0.9 || slices.Max(wrkBare) >= 0.9 {
			notes = append(notes, fmt.Sprintf("`%s`: wrk's core was %s busy during the bare runs (wrk's process %s): wrk may be what limits the bare "+
				"server, so mock/bare overstates the mock; the CPU ratio does not depend on the load generator.", r.row.name, span(wrkCoreBare, ""), span(wrkBare, "")))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintln(w, "- Note:", n)
		}
	}

	fmt.Fprintf(w, "\nMemory of the mock process (VmRSS and VmHWM from /proc/<pid>/status):\n\n")
	var idle []float64
	var peaks []string
	for _, r := range rows {
		idle = append(idle, float64(r.idle))
		peaks = append(peaks, fmt.Sprintf("`%s` %s", r.row.name, mib(r.peak)))
	}
	if mem.ran {
		idle = append(idle, float64(mem.idle))
	}
	fmt.Fprintf(w, "- idle RSS: %s MiB (each mock after start and its row's preparation, before any load); goal < 25 MiB: %s\n",
		span(scale(idle, 1.0/(1<<20)), ""), metOrMissed(slices.Max(idle) < 25<<20))
	fmt.Fprintf(w, "- peak RSS at the end of each row (VmHWM): %s\n", strings.Join(peaks, ", "))
	if !mem.ran {
		fmt.Fprintln(w, "- memory phase skipped (--skip-memory)")
		return
	}
	fmt.Fprintf(w, "- memory phase, a mock of its own (idle RSS %s): after about %s RamBase sessions stored (each a client-credentials login, "+
		"which stores nothing, then the read of its ID verification token, which stores the session: half the 2xx responses over %d wrk runs, %.0f s): RSS %s\n",
		mib(mem.idle), thousands(mem.created), mem.runs, mem.loadTime.Seconds(), mib(mem.loaded))
	fmt.Fprintf(w, "- after `POST /_mock/clock/advance {\"seconds\": %d}` (%v: past every session's expiry and retention; the call took %.1f s, sweep included): "+
		"RSS %s %.1f s after the call; goal within 2x idle (%s): %s\n",
		int(sweepAdvance/time.Second), sweepAdvance, mem.advanceTook.Seconds(), mib(mem.swept), mem.sweptAfter.Seconds(), mib(2*mem.idle),
		metOrMissed(mem.within)+map[bool]string{true: "", false: " (polled every 0.5 s for 30 s)"}[mem.within])
	fmt.Fprintf(w, "- peak RSS of the memory phase (VmHWM): %s\n", mib(mem.peak))
}

func scale(v []float64, f float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x * f
	}
	return out
}

// span writes the range of values, min–max, each to 3 significant digits; one value when they agree.
func span(v []float64, unit string) string {
	lo, hi := sig3(slices.Min(v)), sig3(slices.Max(v))
	if lo == hi {
		return lo + unit
	}
	return lo + "–" + hi + unit
}

// ratioVerdict is the row's req/s goal and whether it was met.
func ratioVerdict(row hotPath, ratio []float64) string {
	return verdict("≥ "+strconv.FormatFloat(row.goal(), 'f', -1, 64)+"x", ratio, func(v float64) bool { return v >= row.goal() })
}

// p99Verdict is the row's latency goal and whether it was met.
func p99Verdict(p99 []float64) string {
	return verdict("< 5 ms", p99, func(v float64) bool { return v < 5 })
}

// verdict says whether a goal was met in every round.
func verdict(goal string, v []float64, ok func(float64) bool) string {
	missed := 0
	for _, x := range v {
		if !ok(x) {
			missed++
		}
	}
	switch {
	case missed == 0:
		return goal + ": met"
	case missed == len(v):
		return goal + ": missed"
	default:
		return fmt.Sprintf("%s: missed in %d of %d rounds", goal, missed, len(v))
	}
}

func metOrMissed(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

// sig3 writes x to 3 significant digits, with thousands separators: 13812 is 13,800; 0.2437 is 0.244.
func sig3(x float64) string {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	if x < 0 {
		return "-" + sig3(-x)
	}
	mag := int(math.Floor(math.Log10(x)))
	scale := math.Pow10(mag - 2)
	r := math.Round(x/scale) * scale
	mag = int(math.Floor(math.Log10(r))) // 999.6 rounds up to 1,000
	s := strconv.FormatFloat(r, 'f', max(0, 2-mag), 64)
	intPart, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return s
	}
	if frac != "" {
		return thousands(n) + "." + frac
	}
	return thousands(n)
}

func thousands(n int64) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func mib(n int64) string { return sig3(float64(n)/(1<<20)) + " MiB" }
