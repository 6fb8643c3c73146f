package target_test

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
	"github.com/idvkit/idvkit/steps/suite"
	"github.com/idvkit/idvkit/steps/target"
)

// asTarget is the option of a mock the conformance suite runs against: the suite sends requests
// that break the contract on purpose (bad input, a missing token), which its test allows.
var asTarget = mocktest.AllowViolations("*")

// readyBase makes a target ready and returns the base URL a scenario of api gets, and its description.
func readyBase(t *testing.T, tg target.Target, api string) (base, described string) {
	t.Helper()
	require.NoError(t, tg.Ready(context.Background()))
	ep, err := tg.Open(context.Background(), api)
	require.NoError(t, err)
	defer ep.Close()
	return ep.BaseURL, tg.Describe()
}

// A base URL that is the root of the combined mock (every API under its prefix) is checked at the
// API's prefix, and the description says why; the API's own base URL is used as given. Before, every
// scenario against the root answered 404.
func TestURLTargetAtTheRootOfSeveralAPIsUsesTheAPIsPrefix(t *testing.T) {
	m := mocktest.New(t, asTarget, mocktest.WithControlToken("s3cret-control"))
	token := target.WithControl("", "s3cret-control")

	base, described := readyBase(t, target.URL(m.APIURL("rambase"), token, target.WithAPI("rambase")), "rambase")
	assert.Equal(t, m.APIURL("rambase"), base, "the API's base URL, as given")
	assert.Equal(t, m.APIURL("rambase"), described)

	for _, root := range []string{m.URL, m.URL + "/"} {
		tg := target.URL(root, token, target.WithAPI("rambase"))
		base, described = readyBase(t, tg, "rambase")
		assert.Equal(t, m.APIURL("rambase"), base, root)
		assert.Equal(t, m.APIURL("rambase")+" (the base URL given, "+m.URL+": it serves "+strings.Join(mocktest.APIs(), ", ")+
			", each under its own prefix (its GET /capabilities and /rambase/... say so), so the suite checks rambase at /rambase)", described)
	}

	tg := target.URL(m.URL, token, target.WithAPI("rambase"))
	require.NoError(t, tg.Ready(context.Background()))
	report := suite.RunT(t, suite.Plan{Config: suite.Config{API: "rambase", Target: tg}})
	counts := report.Counts()
	assert.Positive(t, counts.Passed)
	assert.Zero(t, counts.Failed+counts.PolicyFailed, "every scenario passes at the prefix")

	base, _ = readyBase(t, target.URL(m.URL, token), "rambase")
	assert.Equal(t, m.URL, base, "without the API's name, the base URL as given")
}

// The root of a mock serving one API (--only) is that API's base URL, and so is the root of a target
// that serves several APIs at its root: neither answers its control API under a prefix.
func TestURLTargetAtTheRootOfOneAPIOrOfSeveralAtTheRootStaysThere(t *testing.T) {
	only := mocktest.New(t, asTarget, mocktest.WithConfig(func(c *mockserver.Config) { c.Only = "rambase" }))
	base, described := readyBase(t, target.URL(only.URL, target.WithAPI("rambase")), "rambase")
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
	base, described = readyBase(t, target.URL(several.URL, target.WithAPI("rambase")), "rambase")
	assert.True(t, prefixAsked, "the prefix was tried")
	assert.Equal(t, several.URL, base)
	assert.Equal(t, several.URL, described)
}

// A target is ready when its base URL answers and, unless it is declared without one, its control
// API answers GET /capabilities: a mistyped control URL or a wrong token stops the run as not ready
// instead of turning its scenarios into quiet skips.
func TestReadinessNeedsTheControlAPIThatWasGiven(t *testing.T) {
	m := mocktest.New(t, asTarget, mocktest.WithControlToken("s3cret-control"))
	base := m.APIURL("rambase")
	ctx := context.Background()
	assert.NoError(t, target.URL(base, target.WithControl("", "s3cret-control")).Ready(ctx))
	assert.NoError(t, target.URL(base, target.WithoutControl()).Ready(ctx))
	for name, tg := range map[string]target.Target{
		"mistyped control URL": target.URL(base, target.WithControl(m.URL+"/_mok", "s3cret-control")),
		"wrong token":          target.URL(base, target.WithControl("", "wrong")),
		"no token":             target.URL(base),
		"unreachable base":     target.URL("http://127.0.0.1:1/rambase"),
	} {
		var notReady *target.NotReadyError
		assert.ErrorAs(t, tg.Ready(ctx), &notReady, name)
	}
}
