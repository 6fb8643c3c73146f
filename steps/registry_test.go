package steps

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/idvkit/idvkit/features"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/openapi"
)

// Adding an API takes its package, spec, features and steps file, and one registry line: an API
// with any of them missing, or any of them without the registry line, fails here.
func TestEveryAPIIsRegisteredWithSpecFeaturesAndSteps(t *testing.T) {
	registered := mocktest.APIs()
	for _, api := range registered {
		_, err := openapi.Load(api)
		assert.NoError(t, err, "%s has no spec openapi/%s.yaml", api, api)
		feats, _ := fs.Glob(features.FS, api+"/*.feature")
		assert.NotEmpty(t, feats, "%s has no features/%s/*.feature", api, api)
		assert.NotNil(t, apis[api], "%s has no steps file registering its steps", api)
	}
	for _, spec := range openapi.Names() {
		assert.True(t, spec == openapi.Control || slices.Contains(registered, spec), "openapi/%s.yaml is not a registered API", spec)
	}
	dirs, err := fs.ReadDir(features.FS, ".")
	assert.NoError(t, err)
	for _, d := range dirs {
		assert.Contains(t, registered, d.Name(), "features/%s is not a registered API", d.Name())
	}
	for name := range apis {
		assert.Contains(t, registered, name, "steps are registered for %s, which is not a registered API", name)
	}
	// An API package is a directory of mockserver/ named like a spec, or one whose code has the
	// mockapi.Factory constructor; mechanism packages are neither.
	pkgs, err := os.ReadDir("../mockserver")
	assert.NoError(t, err)
	for _, p := range pkgs {
		if p.IsDir() && (slices.Contains(openapi.Names(), p.Name()) || hasAPIConstructor(t, "../mockserver/"+p.Name())) {
			assert.Contains(t, registered, p.Name(), "mockserver/%s is not in the registry", p.Name())
		}
	}
}

var apiConstructor = regexp.MustCompile(`(?m)^func New\(\w+ mockapi\.Env\) mockapi\.API`)

func hasAPIConstructor(t *testing.T, dir string) bool {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	assert.NoError(t, err)
	for _, f := range files {
		src, err := os.ReadFile(f)
		assert.NoError(t, err)
		if apiConstructor.Match(src) {
			return true
		}
	}
	return false
}
