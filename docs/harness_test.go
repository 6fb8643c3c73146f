package docs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOutputMatching(t *testing.T) {
	for _, c := range []struct {
		want, got string
		ok        bool
	}{
		{"a\nb", "a\nb\n", true},
		{"a\nb", "a\nc", false},
		{"a\nb", "a", false},
		{"a", "a\nb", false},
		{`{"id":"...","status":"pending"}`, `{"id":"9f2c","status":"pending"}`, true},
		{`{"id":"...","status":"pending"}`, `{"id":"9f2c","status":"completed"}`, false},
		{"first\n...\nlast", "first\nlast", true},
		{"first\n...\nlast", "first\none\ntwo\nlast", true},
		{"first\n...\nlast", "first\none\ntwo", false},
		{"a.b", "axb", false}, // the guide's text is literal, not a pattern
		{"", "", true},
		{"", "something", false},
	} {
		if got := outputMatches(c.want, c.got); got != c.ok {
			t.Errorf("outputMatches(%q, %q) = %v, want %v", c.want, c.got, got, c.ok)
		}
	}
}

func TestParseGuide(t *testing.T) {
	src := "# A guide\n\n```sh\necho one\n```\n\n```output\none\n```\n\n```sh server\nmake run\n```\n\n```go\npackage x\n```\n"
	blocks, err := parseGuide("g.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 3 {
		t.Fatalf("got %d blocks, want 3: %+v", len(blocks), blocks)
	}
	if b := blocks[0]; b.lang != "sh" || b.mode != "" || b.text != "echo one" || b.line != 3 || b.output == nil || b.output.text != "one" {
		t.Errorf("first block: %+v", b)
	}
	if b := blocks[1]; b.mode != "server" || b.output != nil {
		t.Errorf("second block: %+v", b)
	}
	if blocks[2].lang != "go" {
		t.Errorf("third block: %+v", blocks[2])
	}
	saved, err := parseGuide("g.md", []byte("```go client_test.go\npackage client\n```\n"))
	if err != nil || len(saved) != 1 || saved[0].lang != "go" || saved[0].mode != "client_test.go" {
		t.Errorf("a go block saved as a file: %+v, %v", saved, err)
	}
	for _, bad := range []string{
		"```sh\necho never closed\n",
		"```output\nno block before\n```\n",
		"```sh later\necho\n```\n",
		"```go ../escape.go\npackage x\n```\n",
		"```go notgo.txt\npackage x\n```\n",
	} {
		if _, err := parseGuide("bad.md", []byte(bad)); err == nil {
			t.Errorf("parseGuide accepted %q", bad)
		}
	}
}

// The harness itself fails a guide whose command fails, naming the block, and one whose output drifted.
func TestRunGuideFailsOnAFailingBlockAndOnDrift(t *testing.T) {
	guide := func(src string) []block {
		blocks, err := parseGuide("g.md", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return blocks
	}
	ok := guide("```sh\nX=$(curl -s http://$IDVKIT_ADDR/_mock/healthz)\n```\n\n```sh\necho \"$X\" | wc -c | tr -d ' '\n```\n\n```output\n...\n```\n")
	if err := runGuide(t, ok, false); err != nil {
		t.Fatalf("a guide that should pass failed: %v", err)
	}
	failing := guide("```sh\necho before\n```\n\n```sh\necho in-the-middle\nfalse\necho never\n```\n\n```sh\necho after\n```\n")
	err := runGuide(t, failing, false)
	if err == nil || !strings.Contains(err.Error(), "g.md:5") || !strings.Contains(err.Error(), "--- its output\nin-the-middle\n\n--- stderr") {
		t.Fatalf("a failing block was not reported as g.md:5: %v", err)
	}
	drift := guide("```sh\necho actual\n```\n\n```output\nshown\n```\n")
	if err := runGuide(t, drift, false); err == nil || !strings.Contains(err.Error(), "g.md:1") {
		t.Fatalf("drift was not reported: %v", err)
	}
	pipe := guide("```sh\nfalse | cat\necho reached\n```\n")
	if err := runGuide(t, pipe, false); err == nil {
		t.Fatal("a failure inside a pipe passed (pipefail)")
	}
}

// A go block with a file name is saved where the guide is at that point, and what a guide starts in
// the background is stopped when it ends.
func TestRunGuideSavesGoFilesAndStopsBackgroundJobs(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	src := "```sh\nmkdir -p sub && cd sub\n```\n\n```go x_test.go\npackage x\n```\n\n```sh\ncat x_test.go\nsleep 300 &\necho $! >" + pidFile + "\n```\n\n```output\npackage x\n```\n"
	blocks, err := parseGuide("g.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := runGuide(t, []block{blocks[0], blocks[1], blocks[2]}, false); err != nil {
		t.Fatal(err)
	}
	pid, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if _, err := fmt.Sscanf(string(pid), "%d", &n); err != nil {
		t.Fatal(err)
	}
	// Signal 0 checks that the process exists; once stopped, it is gone when its new parent has
	// reaped it.
	for deadline := time.Now().Add(5 * time.Second); syscall.Kill(n, 0) == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(n, syscall.SIGKILL)
			t.Fatalf("the guide's background job (pid %d) was still running 5 s after the guide ended", n)
		}
	}
}
