package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// The report of wrk 4.1.0 (Debian's), a rejected row: every response is counted as non-2xx.
const wrkRejected = `Running 2s test @ http://127.0.0.1:18080/rambase/oauth2/access_token
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.40ms    3.84ms  45.38ms   81.43%
    Req/Sec    16.22k     3.23k   23.32k    75.00%
  Latency Distribution
     50%    3.89ms
     75%    5.76ms
     90%    8.01ms
     99%   21.42ms
  32214 requests in 2.00s, 9.74MB read
  Non-2xx or 3xx responses: 32214
Requests/sec:  16092.33
Transfer/sec:      4.86MB
`

// A valid row with microsecond and second latencies, and socket errors.
const wrkMixed = `Running 5s test @ http://127.0.0.1:40000/rambase/id-verification?id_verification_token=x
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.00us    1.10ms   1.20s    97.10%
    Req/Sec    58.90k     2.31k   62.01k    88.00%
  Latency Distribution
     50%  645.00us
     75%  801.00us
     90%    1.01ms
     99%    1.20s 
  294512 requests in 5.00s, 80.12MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:  58902.40
Transfer/sec:     16.02MB
`

func TestParseWrk(t *testing.T) {
	res, err := parseWrk(wrkRejected)
	if err != nil {
		t.Fatal(err)
	}
	want := wrkResult{requests: 32214, elapsed: 2 * time.Second, rate: 16092.33, p50: 3890 * time.Microsecond, p99: 21420 * time.Microsecond, non2xx: 32214}
	if res != want {
		t.Errorf("rejected:\n got %+v\nwant %+v", res, want)
	}

	res, err = parseWrk(wrkMixed)
	if err != nil {
		t.Fatal(err)
	}
	want = wrkResult{requests: 294512, elapsed: 5 * time.Second, rate: 58902.40, p50: 645 * time.Microsecond, p99: 1200 * time.Millisecond,
		socketErrors: "connect 0, read 2, write 0, timeout 1"}
	if res != want {
		t.Errorf("mixed:\n got %+v\nwant %+v", res, want)
	}

	noLatency := strings.Replace(wrkRejected, "     50%    3.89ms\n", "", 1)
	if _, err := parseWrk(noLatency); err == nil {
		t.Error("a report without the 50% latency parsed")
	}
	if _, err := parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n"); err == nil {
		t.Error("wrk's connection error parsed as a report")
	}
}

func TestWrkDuration(t *testing.T) {
	for _, c := range []struct {
		num, unit string
		want      time.Duration
	}{{"645.00", "us", 645 * time.Microsecond}, {"3.89", "ms", 3890 * time.Microsecond}, {"1.20", "s", 1200 * time.Millisecond}, {"1.50", "m", 90 * time.Second}} {
		if got, err := wrkDuration(c.num, c.unit); err != nil || got != c.want {
			t.Errorf("%s%s: %v, %v; want %v", c.num, c.unit, got, err, c.want)
		}
	}
	if _, err := wrkDuration("1", "ns"); err == nil {
		t.Error("unit ns accepted")
	}
}

func TestLuaScript(t *testing.T) {
	got := luaScript(request{Method: "POST", Path: "/a?b=c%2F", Header: http.Header{"Content-Type": {formType}, "Authorization": {`Bearer x"y\z`}},
		Body: "a=1\nb=é"})
	want := `wrk.method = "POST"
wrk.path = "/a?b=c%2F"
wrk.body = "a=1\010b=\195\169"
wrk.headers["Authorization"] = "Bearer x\"y\\z"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestParseStat(t *testing.T) {
	// A command name with a space and parentheses; utime 1234 and stime 567 are fields 14 and 15.
	stat := "4242 (idvkit (x) y) S 1 4242 4242 0 -1 4194560 1510 0 0 0 1234 567 0 0 20 0 5 0 123456 1262485504 3563 18446744073709551615 1 1 0 0 0 0 0 0 2143420159 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
	ppid, cpu, err := parseStat(stat)
	if err != nil || ppid != 1 || cpu != 1234+567 {
		t.Errorf("got ppid %d, cpu %d, %v; want 1, %d", ppid, cpu, err, 1234+567)
	}
	if _, _, err := parseStat("4242 (idvkit) S 1 2"); err == nil {
		t.Error("a short stat line parsed")
	}
	// This process's own stat parses, and its tree holds at least its own time.
	own, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if tree, err := treeCPU(os.Getpid()); err != nil || tree < own {
		t.Errorf("treeCPU: %d, %v; the process alone: %d", tree, err, own)
	}
}

func TestParseStatusSize(t *testing.T) {
	status := "Name:\tidvkit\nVmPeak:\t 1262488 kB\nVmHWM:\t   30112 kB\nVmRSS:\t   14252 kB\nThreads:\t5\n"
	if got, err := parseStatusSize(status, "VmRSS"); err != nil || got != 14252<<10 {
		t.Errorf("VmRSS: %d, %v", got, err)
	}
	if got, err := parseStatusSize(status, "VmHWM"); err != nil || got != 30112<<10 {
		t.Errorf("VmHWM: %d, %v", got, err)
	}
	if _, err := parseStatusSize(status, "VmSwap"); err == nil {
		t.Error("a missing line parsed")
	}
}

func TestParseCPULine(t *testing.T) {
	stat := "cpu  57581 0 12646 313586 618 0 835 727 0 0\ncpu0 28857 0 5697 157486 155 0 484 356 0 0\ncpu1 28723 0 6949 156099 463 0 351 370 0 0\nintr 1\n"
	got, err := parseCPULine(stat, "cpu1")
	want := cpuTicks{busy: 28723 + 6949 + 351 + 370, total: 28723 + 6949 + 156099 + 463 + 351 + 370}
	if err != nil || got != want {
		t.Errorf("cpu1: %+v, %v; want %+v", got, err, want)
	}
	if _, err := parseCPULine(stat, "cpu2"); err == nil {
		t.Error("a missing CPU parsed")
	}
}

func TestSig3(t *testing.T) {
	for x, want := range map[float64]string{13812: "13,800", 58902.4: "58,900", 0.2437: "0.244", 72.34: "72.3", 999.6: "1,000",
		1.0: "1.00", 0.6: "0.600", 12.8: "12.8", 1234567: "1,230,000"} {
		if got := sig3(x); got != want {
			t.Errorf("sig3(%v) = %q, want %q", x, got, want)
		}
	}
	if got := span([]float64{0.2431, 0.2434}, "x"); got != "0.243x" {
		t.Errorf("span of agreeing values: %q", got)
	}
	if got := span([]float64{13812, 12401}, ""); got != "12,400–13,800" {
		t.Errorf("span: %q", got)
	}
}

// Each row's preparation works against an in-process mock, the mock answers the row's status, and
// the bare handler answers the same status and bytes.
func TestHotPaths(t *testing.T) {
	names := map[string]bool{}
	for _, row := range hotPaths {
		t.Run(row.name, func(t *testing.T) {
			if names[row.name] {
				t.Fatalf("duplicate row %s", row.name)
			}
			names[row.name] = true
			p, err := newInProcess(context.Background(), row, journaled)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			newReq, err := serverRequests(p.req)
			if err != nil {
				t.Fatal(err)
			}
			// Twice each, so the request is fresh and the state the row needs survives its use.
			for range 2 {
				if err := checkServe(p.mock, newReq(), row.status); err != nil {
					t.Error("mock:", err)
				}
			}
			rec := httptest.NewRecorder()
			p.bare.ServeHTTP(rec, newReq())
			if rec.Code != row.status || rec.Header().Get("Content-Type") != p.ans.contentType || !bytes.Equal(rec.Body.Bytes(), p.ans.body) {
				t.Errorf("bare answered %d %q %q, want the mock's %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes(),
					p.ans.status, p.ans.contentType, p.ans.body)
			}
		})
	}
}

// The report prints every table from made-up rounds, with and without Prism.
func TestPrintReport(t *testing.T) {
	run := func(rate float64, cpu time.Duration) sample {
		return sample{wrk: wrkResult{requests: int64(rate * 5), rate: rate, p50: time.Millisecond, p99: 4 * time.Millisecond},
			cpu: cpu, wall: 5 * time.Second, serverCore: 0.99, wrkCore: 0.5}
	}
	rows := []rowResult{{prepared: prepared{row: hotPaths[0], allocs: allocs{mock: 42, bare: 14}}, idle: 18 << 20, peak: 20 << 20,
		prismStatus: 200, rounds: []round{{mock: run(40000, 5*time.Second), bare: run(60000, 5*time.Second), prism: ptr(run(1000, 5*time.Second))}}}}
	for _, prism := range []bool{false, true} {
		var out bytes.Buffer
		printReport(&out, machine{cpu: "cpu", cores: 2, ticks: clockTicks{perSecond: 100}}, options{rounds: 1, duration: 5 * time.Second, warmup: time.Second, prism: prism},
			rows, memResult{})
		for _, want := range []string{"| `rambase/verify` | 200 | 40,000 | 60,000 | 0.667x | ≥ 0.6x: met | 25.0 | 16.7 | 0.667x | 1.00 ms | 4.00 ms | < 5 ms: met | 42 | 14 |",
			"idle RSS: 18.0 MiB", "memory phase skipped"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("prism %v: the report lacks %q:\n%s", prism, want, out.String())
			}
		}
		if got := strings.Contains(out.String(), "| `rambase/verify` | 200 | 1,000 | 40.0x |"); got != prism {
			t.Errorf("prism %v: Prism's row printed: %v\n%s", prism, got, out.String())
		}
	}
}

func ptr[T any](v T) *T { return &v }

// Every row has a req/s goal against the bare server: 0.6x for a request the mock accepts, 0.5x for
// one it rejects, and 0.3x for a password login (RandaVerify's and Rampable's: each checks the
// password and signs a JWT), which had none while each login spent a bcrypt comparison.
func TestEveryRowHasAGoal(t *testing.T) {
	logins := map[string]bool{"randaverify/login": true, "rampable/login": true}
	for _, row := range hotPaths {
		want := 0.5
		switch {
		case logins[row.name]:
			want = 0.3
		case row.valid():
			want = 0.6
		}
		if row.goal() != want {
			t.Errorf("%s: goal %vx, want %vx", row.name, row.goal(), want)
		}
	}
}
