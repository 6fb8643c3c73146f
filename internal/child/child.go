// Package child runs a server a tool starts for the length of a run (the mock, Prism, a bare
// server): in a process group of its own, so that stopping it stops what it started, killed if the
// tool dies, its output kept in a file that a failure shows.
package child

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Process is a started child.
type Process struct {
	Name string
	Pid  int
	log  *os.File
	done chan struct{} // closed when it has exited
	err  error         // why it exited, once done
}

// Start starts args with env (nil: the tool's own), its output to a file in dir.
func Start(name, dir string, env []string, args ...string) (*Process, error) {
	log, err := os.CreateTemp(dir, strings.ReplaceAll(name, "/", "-")+"-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = log, log
	// If the tool dies, so does the child; Stop ends the child's whole process group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %v", name, err)
	}
	p := &Process{Name: name, Pid: cmd.Process.Pid, log: log, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited is nil while the process runs, and once it has exited says so, why, and what it wrote.
func (p *Process) Exited() error {
	select {
	case <-p.done:
		return fmt.Errorf("%s exited: %v\n%s", p.Name, p.err, p.Output())
	default:
		return nil
	}
}

// Output is the end of what the process wrote, its last 8 KiB.
func (p *Process) Output() string {
	data, err := os.ReadFile(p.log.Name())
	if err != nil {
		return err.Error()
	}
	const keep = 8 << 10
	if len(data) > keep {
		data = append([]byte("...\n"), data[len(data)-keep:]...)
	}
	return fmt.Sprintf("--- %s output ---\n%s\n--- end of %s output ---", p.Name, strings.TrimRight(string(data), "\n"), p.Name)
}

// Stop ends the process group with SIGTERM, then SIGKILL after 5 s, and removes the output file.
func (p *Process) Stop() {
	_ = syscall.Kill(-p.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
		<-p.done
	}
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL) // what is left of the group once its leader exited
	p.log.Close()
	_ = os.Remove(p.log.Name())
}

// FreeAddr is a loopback address nothing listens on right now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
