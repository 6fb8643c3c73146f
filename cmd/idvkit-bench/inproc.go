package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/idvkit/idvkit/mockserver"
)

// bareHandler is the baseline: a plain net/http handler that drains the request body and answers
// the status, Content-Type and exact body bytes the mock answered. The bare server process and the
// in-process benchmark use this same handler.
func bareHandler(status int, contentType string, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

// answer is one response of the mock's, which the bare handler repeats.
type answer struct {
	status      int
	contentType string
	body        []byte
}

// inProcess is one row in process: a mock built as `idvkit serve` builds it (zero-value Config, but
// a discarded log and the journal size asked for), the row's request prepared against it over HTTP, and a
// bare handler answering what the mock answered.
type inProcess struct {
	row  hotPath
	mock *mockserver.Server
	srv  *httptest.Server
	req  request
	ans  answer
	bare http.Handler
}

// The mock's journal sizes in process: the served default, and none, beside which BenchmarkHandler
// shows what journaling a request costs.
const (
	journaled   = 0
	unjournaled = -1
)

func newInProcess(ctx context.Context, row hotPath, journalSize int) (*inProcess, error) {
	mock, err := mockserver.New(mockserver.Config{Logger: slog.New(slog.DiscardHandler), JournalSize: journalSize})
	if err != nil {
		return nil, err
	}
	p := &inProcess{row: row, mock: mock, srv: httptest.NewServer(mock)}
	if err := p.prepare(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("%s: %w", row.name, err)
	}
	return p, nil
}

func (p *inProcess) prepare(ctx context.Context) error {
	req, err := p.row.prepare(ctx, p.srv.Client(), p.srv.URL)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	status, header, body, err := send(ctx, p.srv.Client(), p.srv.URL, req)
	if err != nil {
		return err
	}
	if status != p.row.status {
		return fmt.Errorf("%s %s answered %d, want %d: %.300s", req.Method, pathOnly(req.Path), status, p.row.status, body)
	}
	p.req = req
	p.ans = answer{status: status, contentType: header.Get("Content-Type"), body: body}
	p.bare = bareHandler(status, p.ans.contentType, body)
	return nil
}

func (p *inProcess) Close() {
	p.srv.Close()
	p.mock.Close()
}

// benchMock and benchBare benchmark the handler's ServeHTTP alone, with a fresh request and
// recorder per iteration (as the server makes a request per request), after checking the status once.
func (p *inProcess) benchMock(b *testing.B) { benchServe(b, p.mock, p.req, p.row.status) }
func (p *inProcess) benchBare(b *testing.B) { benchServe(b, p.bare, p.req, p.row.status) }

func benchServe(b *testing.B, h http.Handler, req request, want int) {
	newReq, err := serverRequests(req)
	if err != nil {
		b.Fatal(err)
	}
	if err := checkServe(h, newReq(), want); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), newReq())
	}
}

func checkServe(h http.Handler, r *http.Request, want int) error {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != want {
		return fmt.Errorf("%s %s answered %d, want %d: %.300s", r.Method, r.URL.Path, rec.Code, want, rec.Body.Bytes())
	}
	return nil
}

// serverRequests returns a function making the request as a server hands it to its handler: its
// own URL, header and body, and the request line's fields set.
func serverRequests(req request) (func() *http.Request, error) {
	u, err := url.ParseRequestURI(req.Path)
	if err != nil {
		return nil, err
	}
	return func() *http.Request {
		cp := *u
		r := &http.Request{Method: req.Method, URL: &cp, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: req.Header.Clone(), Host: "127.0.0.1", RemoteAddr: "127.0.0.1:40000", RequestURI: req.Path,
			Body: http.NoBody}
		if r.Header == nil {
			r.Header = http.Header{}
		}
		if req.Body != "" {
			r.Body = io.NopCloser(strings.NewReader(req.Body))
			r.ContentLength = int64(len(req.Body))
			r.Header.Set("Content-Length", strconv.Itoa(len(req.Body)))
		}
		return r
	}, nil
}

// allocs is one row's allocations per request in process, mock and bare.
type allocs struct{ mock, bare int64 }

// measureAllocs runs the row's in-process benchmarks with testing.Benchmark.
func measureAllocs(ctx context.Context, row hotPath) (allocs, error) {
	p, err := newInProcess(ctx, row, journaled)
	if err != nil {
		return allocs{}, err
	}
	defer p.Close()
	run := func(name string, f func(*testing.B)) (int64, error) {
		// A failing benchmark's message goes nowhere under testing.Benchmark: check first.
		newReq, err := serverRequests(p.req)
		if err != nil {
			return 0, err
		}
		h := http.Handler(p.mock)
		if name == "bare" {
			h = p.bare
		}
		if err := checkServe(h, newReq(), row.status); err != nil {
			return 0, fmt.Errorf("%s/%s in process: %w", row.name, name, err)
		}
		res := testing.Benchmark(f)
		if res.N == 0 {
			return 0, fmt.Errorf("%s/%s in process: the benchmark failed", row.name, name)
		}
		return res.AllocsPerOp(), nil
	}
	var a allocs
	if a.mock, err = run("mock", p.benchMock); err != nil {
		return allocs{}, err
	}
	if a.bare, err = run("bare", p.benchBare); err != nil {
		return allocs{}, err
	}
	return a, nil
}
