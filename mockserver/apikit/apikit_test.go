package apikit_test

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/features"
	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/apikit"
	"github.com/idvkit/idvkit/openapi"
)

// Every registered API passes the kit: everything adding an API means.
func TestEveryRegisteredAPIPassesTheKit(t *testing.T) {
	for _, name := range mockserver.Registered() {
		t.Run(name, func(t *testing.T) {
			apikit.Run(t, apikit.API{New: mockserver.Factory(name)})
		})
	}
}

// What adding an API touches is registered, or it is not an API: a spec, a folder of features, an
// example target file, a section of the fixture set or of control.yaml's, a control operation's
// x-api, or a package of mockserver/ with an API's constructor, each belongs to a registered API.
func TestNothingIsLeftUnregistered(t *testing.T) {
	registered := mockserver.Registered()
	for _, spec := range openapi.Names() {
		assert.True(t, spec == openapi.Control || slices.Contains(registered, spec), "openapi/%s.yaml is not a registered API", spec)
	}
	dirs, err := fs.ReadDir(features.FS, ".")
	require.NoError(t, err)
	for _, d := range dirs {
		assert.Contains(t, registered, d.Name(), "features/%s is not a registered API", d.Name())
	}
	examples, err := filepath.Glob("../../examples/*.yaml")
	require.NoError(t, err)
	for _, e := range examples {
		assert.Contains(t, registered, strings.TrimSuffix(filepath.Base(e), ".yaml"), "examples/%s is not a registered API's", filepath.Base(e))
	}
	for api := range maps.Keys(mockserver.DefaultFixtures()) {
		assert.Contains(t, registered, api, "mockserver/fixtures.yaml has a section for %s, which is not a registered API", api)
	}
	control := openapi.MustLoad(openapi.Control)
	for _, op := range control.Operations() {
		if api := op.Extension("x-api"); api != "" {
			assert.Contains(t, registered, api, "control.yaml's %s is marked x-api: %s, which is not a registered API", op.ID, api)
		}
	}
	pkgs, err := os.ReadDir("..")
	require.NoError(t, err)
	for _, p := range pkgs {
		if p.IsDir() && (slices.Contains(openapi.Names(), p.Name()) || hasAPIConstructor(t, "../"+p.Name())) {
			assert.Contains(t, registered, p.Name(), "mockserver/%s is not in the registry", p.Name())
		}
	}
}

var apiConstructor = regexp.MustCompile(`(?m)^func New\(\w+ mockapi\.Env\) mockapi\.API`)

// hasAPIConstructor reports whether a package has an API's constructor (a mockapi.Factory named New);
// the mechanism packages have none.
func hasAPIConstructor(t *testing.T, dir string) bool {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		if apiConstructor.Match(src) {
			return true
		}
	}
	return false
}
