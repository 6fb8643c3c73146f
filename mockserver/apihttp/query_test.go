package apihttp

import (
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// queries are the seeds of the comparison with url.ParseQuery: the fast path's shapes, and every
// reason to leave it.
var queries = []string{
	"", "a", "a=", "=b", "a=b", "a=b&a=c", "a=b&&c=d&", "&", "==", "a==b", "a=b=c",
	"id_verification_token=eyJhbGciOiJIUzI1NiJ9.eyJzaWQiOiJ4In0.c2ln",
	"grant_type=client_credentials&client_id=forecast-api&client_secret=forecast-secret",
	"a=%41", "a=%zz&b=c", "a=%4", "a+b=c+d", "a=b;c=d", "a;b", "%=b", "a=b&%",
	strings.Repeat("a=b&", 63) + "a=b", strings.Repeat("a=b&", 64) + "a=b", strings.Repeat("&", 20000),
}

// parseQuery returns exactly what url.ParseQuery returns, on and off its fast path.
func TestParseQueryIsURLParseQuery(t *testing.T) {
	for _, q := range queries {
		assertSameAsURL(t, q)
	}
}

// net/url's parameter limit can be lowered, by GODEBUG or by a //go:debug line of the program;
// parseQuery follows it. Both are read as the program starts, so each case runs a program of its
// own: this test binary again, under GODEBUG, and a small main package with the //go:debug line.
func TestParseQueryFollowsALoweredParamLimit(t *testing.T) {
	if os.Getenv("IDVKIT_QUERY_LIMIT_CHILD") == "1" {
		for _, q := range []string{"a=1&b=2&c=3", "a=1&b=2", "a=1"} {
			assertSameAsURL(t, q)
		}
		_, err := parseQuery("a=1&b=2&c=3")
		assert.Error(t, err, "three parameters against a limit of 2")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestParseQueryFollowsALoweredParamLimit$", "-test.count=1")
	cmd.Env = append(os.Environ(), "IDVKIT_QUERY_LIMIT_CHILD=1", "GODEBUG=urlmaxqueryparams=2")
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "GODEBUG: %s", out)

	run := exec.Command("go", "run", "./testdata/querylimit") // go test puts its own go first in PATH
	run.Env = append(os.Environ(), "GODEBUG=")
	out, err = run.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, "0\n", string(out), "//go:debug urlmaxqueryparams=2: url.ParseQuery refuses all three, and so does Query")
}

func FuzzParseQuery(f *testing.F) {
	for _, q := range queries {
		f.Add(q)
	}
	f.Fuzz(assertSameAsURL)
}

func assertSameAsURL(t *testing.T, q string) {
	want, wantErr := url.ParseQuery(q)
	got, err := parseQuery(q)
	assert.Equal(t, want, got, "%.80q", q)
	assert.Equal(t, wantErr, err, "%.80q", q)
}
