package docs_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var packageClause = regexp.MustCompile(`(?m)^package\s+(\w+)`)

// TestGoBlocksCompile: every go block of every guide is a whole file that compiles (go vet) in a module
// outside this repository that uses it as a partner would, through a replace directive.
func TestGoBlocksCompile(t *testing.T) {
	root := repoRoot(t)
	mod := t.TempDir()
	n := 0
	for _, file := range guides(t) {
		rel, _ := filepath.Rel(root, file)
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := parseGuide(rel, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			if b.lang != "go" {
				continue
			}
			pkg := packageClause.FindStringSubmatch(b.text)
			if pkg == nil {
				t.Errorf("%s: a go block must be a whole file, starting with its package clause", b.where())
				continue
			}
			name := "guide.go"
			if strings.HasSuffix(pkg[1], "_test") || strings.Contains(b.text, "*testing.T") {
				name = "guide_test.go"
			}
			n++
			dir := filepath.Join(mod, fmt.Sprintf("block%02d", n))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			// Where the file came from, for the compiler's messages.
			text := fmt.Sprintf("// %s\n\n%s\n", b.where(), b.text)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n == 0 {
		return
	}
	gomod := fmt.Sprintf("module example.com/guides\n\ngo 1.26.0\n\nreplace github.com/idvkit/idvkit => %s\n", root)
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"mod", "tidy"}, {"vet", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in a module of the guides' go blocks: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
