package steps_test

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/idvkit/idvkit"

// reach lists what a package of this module imports, directly or through other packages of the
// module, its test files left out: the module's packages and the outside ones they name.
func reach(t *testing.T, pkg string) []string {
	t.Helper()
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		if p != module && !strings.HasPrefix(p, module+"/") {
			return
		}
		bp, err := build.ImportDir(filepath.Join("..", strings.TrimPrefix(p, module)), 0)
		require.NoError(t, err, p)
		for _, imp := range bp.Imports {
			walk(imp)
		}
	}
	walk(pkg)
	delete(seen, pkg)
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func under(prefix string) func(string) bool {
	return func(p string) bool { return p == prefix || strings.HasPrefix(p, prefix+"/") }
}

// The suite is split by job, and each job imports only what it needs (DESIGN, the layout): no
// package of steps/ imports the mock's composition or an API package, only mocktest, which starts an
// in-process mock and itself imports no godog, dockertest or steps; targets, the webhook receiver,
// scenarios and reports reach nothing of godog or the steps.
func TestEachJobImportsOnlyWhatItNeeds(t *testing.T) {
	var pkgs []string
	require.NoError(t, filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() != "testdata" {
			if _, err := build.ImportDir(path, 0); err == nil {
				pkgs = append(pkgs, filepath.ToSlash(filepath.Join(module, "steps", path)))
			}
		}
		return err
	}))
	require.Contains(t, pkgs, module+"/steps/suite")
	for _, pkg := range pkgs {
		for _, imp := range directImports(t, pkg) {
			if under(module + "/mockserver")(imp) {
				assert.Equal(t, module+"/mockserver/mocktest", imp, "%s imports the mock other than through mocktest", pkg)
			}
		}
	}

	for _, imp := range reach(t, module+"/mockserver/mocktest") {
		for _, banned := range []string{"github.com/cucumber/godog", "github.com/ory/dockertest", module + "/steps"} {
			assert.False(t, under(banned)(imp), "mocktest reaches %s", imp)
		}
	}
	for _, job := range []string{"target", "webhookrecv", "scenario", "report"} {
		for _, imp := range reach(t, module+"/steps/"+job) {
			assert.False(t, under("github.com/cucumber/godog")(imp), "steps/%s reaches %s", job, imp)
			assert.NotEqual(t, module+"/steps", imp, "steps/%s reaches the steps", job)
		}
	}
}

func directImports(t *testing.T, pkg string) []string {
	t.Helper()
	bp, err := build.ImportDir(filepath.Join("..", strings.TrimPrefix(pkg, module)), 0)
	require.NoError(t, err, pkg)
	return bp.Imports
}
