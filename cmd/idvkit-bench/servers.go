package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/internal/child"
	"github.com/idvkit/idvkit/mockserver/apihttp"
)

// server is a server process under test, pinned to serverCPU by taskset (which execs it, so the
// pid is the server's).
type server struct {
	*child.Process
	root string // http://127.0.0.1:port
	// tree counts the CPU time of every process under pid (a server that npx starts), not pid's alone.
	tree bool
}

// cpuTicks is the server's CPU time so far, in clock ticks.
func (s *server) cpuTicks() (int64, error) {
	if s.tree {
		return treeCPU(s.Pid)
	}
	return processCPU(s.Pid)
}

// startServer starts args (with {addr}, {host} and {port} replaced by a free loopback address)
// pinned to the server core, in a process group of its own, and waits until ready succeeds or the
// deadline passes.
func startServer(ctx context.Context, name, dir string, args []string, ready func(ctx context.Context, root string) error, deadline time.Duration) (*server, error) {
	addr, err := child.FreeAddr()
	if err != nil {
		return nil, err
	}
	host, port, _ := net.SplitHostPort(addr)
	args = slices.Clone(args)
	for i, a := range args {
		args[i] = strings.NewReplacer("{addr}", addr, "{host}", host, "{port}", port).Replace(a)
	}
	p, err := child.Start(name, dir, nil, append([]string{"taskset", "-c", serverCPU}, args...)...)
	if err != nil {
		return nil, err
	}
	s := &server{Process: p, root: "http://" + addr}
	if err := s.waitReady(ctx, ready, deadline); err != nil {
		s.Stop()
		return nil, err
	}
	// taskset has exec'd the server by the time it answers; make sure it is pinned.
	if cpus, err := cpusAllowed(s.Pid); err != nil || cpus != serverCPU {
		s.Stop()
		return nil, fmt.Errorf("%s (pid %d) may run on CPUs %q, want %s (%v)", name, s.Pid, cpus, serverCPU, err)
	}
	return s, nil
}

func (s *server) waitReady(ctx context.Context, ready func(ctx context.Context, root string) error, deadline time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	var last error
	for {
		if err := s.Exited(); err != nil {
			return fmt.Errorf("before it was ready: %w", err)
		}
		rctx, rcancel := context.WithTimeout(ctx, time.Second)
		last = ready(rctx, s.root)
		rcancel()
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready within %v: %v\n%s", s.Name, deadline, last, s.Output())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// cpusAllowed is the Cpus_allowed_list of a process: "0" when pinned to CPU 0.
func cpusAllowed(pid int) (string, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "", err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", errors.New("no Cpus_allowed_list")
}

// answers returns a readiness check: a request whose status is want.
func answers(client *http.Client, req request, want int) func(ctx context.Context, root string) error {
	return func(ctx context.Context, root string) error {
		status, _, body, err := send(ctx, client, root, req)
		if err != nil {
			return err
		}
		if status != want {
			return fmt.Errorf("%s %s answered %d, want %d: %.300s", req.Method, pathOnly(req.Path), status, want, body)
		}
		return nil
	}
}

// runBare is `idvkit-bench bare`: a plain net/http server answering every request with one status,
// Content-Type and body, with the http.Server settings of `idvkit serve` (cmd/idvkit/serve.go).
func runBare(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("bare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	status := fs.Int("status", http.StatusOK, "status of every response")
	contentType := fs.String("content-type", "", "Content-Type of every response")
	bodyFile := fs.String("body-file", "", "file holding the body of every response")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var body []byte
	if *bodyFile != "" {
		var err error
		if body, err = os.ReadFile(*bodyFile); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := apihttp.NewServer(bareHandler(*status, *contentType, body), apihttp.ServeTimeouts, nil) // as idvkit serve's
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// bareArgs is how the driver starts itself as the bare server for an answer.
func bareArgs(self string, a answer, bodyFile string) []string {
	return []string{self, "bare", "--addr", "{addr}", "--status", strconv.Itoa(a.status), "--content-type", a.contentType, "--body-file", bodyFile}
}
