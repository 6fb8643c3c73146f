package docs_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A block is one fenced block of a guide.
type block struct {
	lang, mode string // ```sh server: lang "sh", mode "server"; ```go client_test.go: lang "go", mode the file's name
	text       string
	line       int    // the line of its opening fence, for messages
	output     *block // the ```output block that follows it, if any
	file       string // the guide, relative to the repository
}

func (b block) where() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

var fence = regexp.MustCompile("^```\\s*([A-Za-z0-9_-]*)\\s*([A-Za-z0-9_.-]*)\\s*$")

// goFileName is what a go block's mode may be: the name of the file the guide saves it as.
var goFileName = regexp.MustCompile(`^[A-Za-z0-9_]+\.go$`)

// parseGuide returns a guide's fenced blocks in order; an output block hangs off the block before it.
func parseGuide(file string, src []byte) ([]block, error) {
	var blocks []block
	lines := strings.Split(string(src), "\n")
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		b := block{lang: m[1], mode: m[2], line: i + 1, file: file}
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, lines[i])
		}
		if i == len(lines) {
			return nil, fmt.Errorf("%s: the block opened here is never closed", b.where())
		}
		b.text = strings.Join(body, "\n")
		if b.lang == "output" {
			if len(blocks) == 0 || blocks[len(blocks)-1].lang != "sh" || blocks[len(blocks)-1].output != nil {
				return nil, fmt.Errorf("%s: an output block must follow a sh block", b.where())
			}
			blocks[len(blocks)-1].output = &b
			continue
		}
		switch {
		case b.lang == "sh":
			switch b.mode {
			case "", "server", "docker", "no-run":
			default:
				return nil, fmt.Errorf("%s: unknown sh block mode %q (sh, sh server, sh docker, sh no-run)", b.where(), b.mode)
			}
		case b.lang == "go" && b.mode != "" && !goFileName.MatchString(b.mode):
			return nil, fmt.Errorf("%s: a go block's mode is the file it is saved as (```go client_test.go), not %q", b.where(), b.mode)
		}
		blocks = append(blocks, b)
	}
	return blocks, nil
}

// outputMatches reports whether got is what want shows: lines compared in order, `...` within a line
// matching any text, a line of only `...` any number of lines; trailing blanks ignored.
func outputMatches(want, got string) bool {
	split := func(s string) []string {
		s = strings.TrimRight(s, " \t\n")
		if s == "" {
			return nil
		}
		lines := strings.Split(s, "\n")
		for i := range lines {
			lines[i] = strings.TrimRight(lines[i], " \t")
		}
		return lines
	}
	return linesMatch(split(want), split(got))
}

func linesMatch(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if strings.TrimSpace(want[0]) == "..." {
		for k := 0; k <= len(got); k++ {
			if linesMatch(want[1:], got[k:]) {
				return true
			}
		}
		return false
	}
	if len(got) == 0 {
		return false
	}
	parts := strings.Split(want[0], "...")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	ok, _ := regexp.MatchString("^"+strings.Join(parts, ".*")+"$", got[0])
	return ok && linesMatch(want[1:], got[1:])
}

// The marker the script prints between blocks: a record separator no guide prints.
const mark = "\x1e"

// The delimiter of the here-document that saves a go block as a file: a line no guide holds.
const goFileEOF = "IDVKIT_GUIDE_GO_FILE"

// script is one guide's blocks as one bash script, a marker before each block; a server block starts
// in its own session in the background and is waited for at $IDVKIT_ADDR; a go block with a file name
// is saved under that name in the directory the guide is in at that point. On exit the servers and
// whatever the guide started in the background (cmd &) are stopped.
func script(blocks []block) string {
	var s strings.Builder
	s.WriteString("set -euo pipefail\n")
	s.WriteString("servers=()\n")
	s.WriteString("trap 'for p in \"${servers[@]}\" $(jobs -p); do kill -TERM -- -$p 2>/dev/null || kill -TERM $p 2>/dev/null || true; done' EXIT\n")
	for i, b := range blocks {
		fmt.Fprintf(&s, "printf '\\n%s%d\\n'\n", mark, i)
		switch {
		case b.lang == "go":
			fmt.Fprintf(&s, "cat >%s <<'%s'\n%s\n%s\n", shellQuote(b.mode), goFileEOF, b.text, goFileEOF)
		case b.mode == "server":
			fmt.Fprintf(&s, "setsid bash -c %s >>\"$SERVER_LOG\" 2>&1 &\nservers+=($!)\n", shellQuote(b.text))
			s.WriteString("for _ in $(seq 1 600); do curl -sf \"http://$IDVKIT_ADDR/_mock/healthz\" >/dev/null && break; sleep 0.5; done\n")
			s.WriteString("curl -sf \"http://$IDVKIT_ADDR/_mock/healthz\" >/dev/null || { echo \"the server block did not answer at $IDVKIT_ADDR\" >&2; exit 1; }\n")
		default:
			s.WriteString(b.text)
			s.WriteString("\n")
		}
	}
	fmt.Fprintf(&s, "printf '\\n%send\\n'\n", mark)
	return s.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// splitOutput cuts the script's stdout at its markers: what block i printed, and whether the end was
// reached.
func splitOutput(stdout string) (outputs map[int]string, last int, end bool) {
	outputs = map[int]string{}
	last = -1
	for i, seg := range strings.Split(stdout, "\n"+mark) {
		if i == 0 {
			continue
		}
		label, rest, _ := strings.Cut(seg, "\n")
		if label == "end" {
			return outputs, last, true
		}
		fmt.Sscanf(label, "%d", &last)
		outputs[last] = rest
	}
	return outputs, last, false
}

// repoRoot is the checkout this test runs in.
func repoRoot(t testing.TB) string {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// guides are every Markdown file a user reads: README.md, CONTRIBUTING.md and docs/*.md.
func guides(t testing.TB) []string {
	root := repoRoot(t)
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"README.md", "CONTRIBUTING.md"} {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			files = append(files, filepath.Join(root, f))
		}
	}
	return files
}

// scratch is a directory named idvkit, as git clone names a checkout, that links every top-level entry
// of the repository but bin/ and reports/, so a guide runs as if in a checkout (a module beside it
// finds it at ../idvkit) and what it writes stays out of it.
func scratch(t *testing.T) string {
	root := repoRoot(t)
	dir := filepath.Join(t.TempDir(), "idvkit")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch e.Name() {
		case ".git", "bin", "reports":
			continue
		}
		if err := os.Symlink(filepath.Join(root, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// binDir holds the idvkit binary the guides call, built once for the whole test.
var binDir string

// guidesAtOnce is how many guides run at once unless -test.parallel says otherwise: a guide mostly
// waits (for curl, a container, a clock move), so the default, one per CPU, would leave the slowest
// guide waiting for a slot.
const guidesAtOnce = 16

func TestMain(m *testing.M) {
	flag.Parse()
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		_ = flag.Set("test.parallel", strconv.Itoa(guidesAtOnce))
	}
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "idvkit-guides-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		build := exec.Command("go", "build", "-o", filepath.Join(dir, "idvkit"), "../cmd/idvkit")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building idvkit: %v\n%s", err, out)
			return 1
		}
		binDir = dir
		return m.Run()
	}())
}

// serve starts `idvkit serve` on addr for a guide that starts no server of its own.
func serve(t *testing.T, dir, addr string) {
	cmd := exec.Command(filepath.Join(binDir, "idvkit"), "serve", "--addr", addr)
	cmd.Dir = dir
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/_mock/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("idvkit serve did not answer at %s within 30 s: %s", addr, log.String())
}

func dockerAnswers() bool {
	return exec.Command("docker", "info").Run() == nil
}

// TestGuidesRun runs every guide's shell blocks, in order, against a mock of its own, and compares
// each block's output with what the guide shows.
func TestGuidesRun(t *testing.T) {
	for _, file := range guides(t) {
		rel, _ := filepath.Rel(repoRoot(t), file)
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			all, err := parseGuide(rel, src)
			if err != nil {
				t.Fatal(err)
			}
			var run []block
			server := false
			for _, b := range all {
				saved := b.lang == "go" && b.mode != ""
				if (b.lang != "sh" && !saved) || b.mode == "no-run" {
					continue
				}
				if b.mode == "docker" && !dockerAnswers() {
					skipDocker(t, b)
					continue
				}
				server = server || b.mode == "server"
				run = append(run, b)
			}
			if len(run) == 0 {
				return
			}
			if err := runGuide(t, run, server); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// runGuide runs blocks as one script against a mock on a free port (started here unless a server
// block starts one) and returns what went wrong: the block that failed, or each block whose output
// differs from what the guide shows.
func runGuide(t *testing.T, blocks []block, hasServer bool) error {
	dir := scratch(t)
	addr := freeAddr(t)
	if !hasServer {
		serve(t, dir, addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script(blocks))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"IDVKIT_ADDR="+addr,
		"OTHER_ADDR="+freeAddr(t),
		// A build's cache key holds the package's directory, and each run's scratch directory is new:
		// without -trimpath every go command of a guide would compile idvkit afresh.
		"GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -trimpath"),
		"PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"SERVER_LOG="+filepath.Join(t.TempDir(), "server.log"),
	)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	outputs, last, end := splitOutput(stdout.String())
	if err != nil || !end {
		b := block{file: "?"}
		if last >= 0 && last < len(blocks) {
			b = blocks[last]
		}
		return fmt.Errorf("%s: the block failed (%v)\n--- block\n%s\n--- its output\n%s\n--- stderr\n%s",
			b.where(), err, b.text, outputs[last], tail(stderr.String(), 40))
	}
	var errs []error
	for i, b := range blocks {
		if b.output != nil && !outputMatches(b.output.text, outputs[i]) {
			errs = append(errs, fmt.Errorf("%s: the block printed what the guide does not show\n--- the guide shows (%s)\n%s\n--- it printed\n%s",
				b.where(), b.output.where(), b.output.text, outputs[i]))
		}
	}
	return errors.Join(errs...)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// skipDocker says a Docker block could not run: a skip outside CI, a failure in CI.
func skipDocker(t *testing.T, b block) {
	t.Helper()
	why := fmt.Sprintf("%s needs a Docker daemon and none answers", b.where())
	if os.Getenv("CI") != "" {
		t.Errorf("CI=%s: %s", os.Getenv("CI"), why)
		return
	}
	t.Log("not run: " + why)
}

// TestNoRunBlocksNameRealTargets: a block shown and not run holds only make targets the Makefile has.
func TestNoRunBlocksNameRealTargets(t *testing.T) {
	makefile, err := os.ReadFile(filepath.Join(repoRoot(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([a-z][a-z-]*):`).FindAllStringSubmatch(string(makefile), -1) {
		targets[m[1]] = true
	}
	for _, file := range guides(t) {
		rel, _ := filepath.Rel(repoRoot(t), file)
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := parseGuide(rel, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			if b.lang != "sh" || (b.mode != "no-run" && b.mode != "server") {
				continue
			}
			sc := bufio.NewScanner(strings.NewReader(b.text))
			for sc.Scan() {
				line, _, _ := strings.Cut(sc.Text(), "#")
				fields := strings.Fields(line)
				for len(fields) > 0 && strings.Contains(fields[0], "=") { // VAR=value make run
					fields = fields[1:]
				}
				if len(fields) == 0 {
					continue
				}
				if fields[0] != "make" || len(fields) < 2 || !targets[fields[1]] {
					t.Errorf("%s: a %s block may hold only `make <target>` lines of the Makefile's targets: %q", b.where(), b.mode, sc.Text())
				}
			}
		}
	}
}
