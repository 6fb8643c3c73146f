package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// process is a server the gate started (the mock, or npx running Prism), in a process group of its
// own so that stopping it stops what it started; its output goes to a file shown on failure.
type process struct {
	name string
	pid  int
	log  *os.File
	done chan struct{} // closed when it has exited
	err  error         // why it exited, once done
}

func start(name, dir string, env []string, args ...string) (*process, error) {
	log, err := os.CreateTemp(dir, name+"-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = log, log
	// If the gate dies, so does the server.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %v", name, err)
	}
	p := &process{name: name, pid: cmd.Process.Pid, log: log, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// waitReady polls url until ready accepts an answer, the process exits, or within passes.
func (p *process) waitReady(ctx context.Context, url string, ready func(status int) bool, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if ready(resp.StatusCode) {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before it was ready: %v\n%s", p.name, p.err, p.output())
		case <-ctx.Done():
			return fmt.Errorf("%s not ready within %v\n%s", p.name, within, p.output())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// output is the end of the process's log.
func (p *process) output() string {
	data, err := os.ReadFile(p.log.Name())
	if err != nil {
		return err.Error()
	}
	const keep = 8 << 10
	if len(data) > keep {
		data = append([]byte("...\n"), data[len(data)-keep:]...)
	}
	return fmt.Sprintf("--- %s output ---\n%s\n--- end of %s output ---", p.name, strings.TrimRight(string(data), "\n"), p.name)
}

// stop ends the process group with SIGTERM, then SIGKILL after 5 s.
func (p *process) stop() {
	_ = syscall.Kill(-p.pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-p.pid, syscall.SIGKILL)
		<-p.done
	}
	_ = syscall.Kill(-p.pid, syscall.SIGKILL) // what is left of the group once its leader exited
	p.log.Close()
}

// freeAddr is a loopback address nothing listens on right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
