package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// govulncheck's JSON stream: a finding whose trace starts at a function is reached by idvkit's code;
// one that names only a module is not.
const stream = `{"config":{"protocol_version":"v1.0.0"}}
{"finding":{"osv":"GO-1","fixed_version":"v1.2.0","trace":[{"module":"example.com/a","version":"v1.0.0","package":"example.com/a","function":"Parse"},{"module":"github.com/idvkit/idvkit","package":"github.com/idvkit/idvkit/steps","function":"init"}]}}
{"finding":{"osv":"GO-2","trace":[{"module":"example.com/b","version":"v2.0.0","package":"example.com/b","function":"Do"},{"module":"github.com/idvkit/idvkit","package":"github.com/idvkit/idvkit/cmd/idvkit","function":"main"}]}}
{"finding":{"osv":"GO-3","fixed_version":"v3.1.0","trace":[{"module":"example.com/c","version":"v3.0.0"}]}}
`

func allowFile(t *testing.T, content string) string {
	path := filepath.Join(t.TempDir(), "allow.yaml")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestReachedFindingsFailUnlessAllowed(t *testing.T) {
	var out bytes.Buffer
	err := run(strings.NewReader(stream), &out, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reaches 2 known vulnerabilities")
	assert.Contains(t, err.Error(), "GO-1 in example.com/a@v1.0.0 (fixed in v1.2.0), reached from github.com/idvkit/idvkit/steps.init")
	assert.NotContains(t, err.Error(), "GO-3", "a module that is only required, never called, does not count")

	err = run(strings.NewReader(stream), &out, allowFile(t, "- {id: GO-2, reason: no fix exists}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reaches 1 known vulnerabilities")
	assert.Contains(t, out.String(), "allowed: GO-2")

	out.Reset()
	assert.NoError(t, run(strings.NewReader(stream), &out, allowFile(t, "- {id: GO-1, reason: r}\n- {id: GO-2, reason: r}\n- {id: GO-9, reason: r}\n")))
	assert.Contains(t, out.String(), "GO-9 is allowed but no longer found")
}

func TestEveryAllowedFindingHasAReason(t *testing.T) {
	assert.ErrorContains(t, run(strings.NewReader(stream), &bytes.Buffer{}, allowFile(t, "- {id: GO-1}\n")), "every entry has an id and a reason")
	assert.ErrorContains(t, run(strings.NewReader("{not json"), &bytes.Buffer{}, ""), "reading govulncheck's JSON")
}
