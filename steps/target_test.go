package steps_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/steps"
)

// readyBase makes a target ready and returns the base URL a scenario of api gets, and its description.
func readyBase(t *testing.T, target steps.Target, api string) (base, described string) {
	t.Helper()
	require.NoError(t, target.Ready(context.Background()))
	ep, err := target.Open(context.Background(), api)
	require.NoError(t, err)
	defer ep.Close()
	return ep.BaseURL, target.Describe()
}

// A base URL that is the root of the combined mock (every API under its prefix) is checked at the
// API's prefix, and the description says why; the API's own base URL is used as given. Before, every
// scenario against the root answered 404.
func TestURLTargetAtTheRootOfSeveralAPIsUsesTheAPIsPrefix(t *testing.T) {
	m := mocktest.New(t, mocktest.WithControlToken("s3cret-control"))
	token := steps.WithControl("", "s3cret-control")

	base, described := readyBase(t, steps.URL(m.APIURL("rambase"), token, steps.WithAPI("rambase")), "rambase")
	assert.Equal(t, m.APIURL("rambase"), base, "the API's base URL, as given")
	assert.Equal(t, m.APIURL("rambase"), described)

	for _, root := range []string{m.URL, m.URL + "/"} {
		target := steps.URL(root, token, steps.WithAPI("rambase"))
		base, described = readyBase(t, target, "rambase")
		assert.Equal(t, m.APIURL("rambase"), base, root)
		assert.Equal(t, m.APIURL("rambase")+" (the base URL given, "+m.URL+": it serves "+strings.Join(mocktest.APIs(), ", ")+
			", each under its own prefix (its GET /capabilities and /rambase/... say so), so the suite checks rambase at /rambase)", described)
	}

	target := steps.URL(m.URL, token, steps.WithAPI("rambase"))
	require.NoError(t, target.Ready(context.Background()))
	report := runAll(t, steps.Config{API: "rambase", Target: target})
	counts := report.Counts()
	assert.Positive(t, counts.Passed)
	assert.Zero(t, counts.Failed+counts.PolicyFailed, "every scenario passes at the prefix")

	base, _ = readyBase(t, steps.URL(m.URL, token), "rambase")
	assert.Equal(t, m.URL, base, "without the API's name, the base URL as given")
}

// The root of a mock serving one API (--only) is that API's base URL, and so is the root of a target
// that serves several APIs at its root: neither answers its control API under a prefix.
func TestURLTargetAtTheRootOfOneAPIOrOfSeveralAtTheRootStaysThere(t *testing.T) {
	only := mocktest.New(t, mocktest.WithConfig(func(c *mockserver.Config) { c.Only = "rambase" }))
	base, described := readyBase(t, steps.URL(only.URL, steps.WithAPI("rambase")), "rambase")
	assert.Equal(t, only.URL, base)
	assert.Equal(t, only.URL, described)

	var prefixAsked bool
	several := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/_mock/capabilities":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"version":"1","apis":["eeid","rambase"],"capabilities":[]}`))
		case "/rambase/_mock/capabilities":
			prefixAsked = true
			http.NotFound(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(several.Close)
	base, described = readyBase(t, steps.URL(several.URL, steps.WithAPI("rambase")), "rambase")
	assert.True(t, prefixAsked, "the prefix was tried")
	assert.Equal(t, several.URL, base)
	assert.Equal(t, several.URL, described)
}
