package mockserver_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/password"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/mockserver/token"
	"github.com/idvkit/idvkit/openapi"
)

var start = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func newServer(t *testing.T, cfg mockserver.Config) *mockserver.Server {
	t.Helper()
	cfg.PasswordCost = password.MinCost
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.Responses = apihttp.EveryResponse
	cfg.AllowedHosts = append(cfg.AllowedHosts, "mock.test", "example.com") // do's Host, and httptest.NewRequest's
	if cfg.Clock == nil {
		cfg.Clock = clock.NewFake(start)
	}
	s, err := mockserver.New(cfg)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// widgetServer serves the tests' own widgets API, seeded with widgets a and b.
func widgetServer(t *testing.T, cfg mockserver.Config) *mockserver.Server {
	cfg.APIs = []mockapi.Factory{newWidgets}
	cfg.Fixtures = mockserver.Fixtures{"widgets": json.RawMessage(`["a","b"]`)}
	return newServer(t, cfg)
}

type call struct {
	method, target, auth, contentType, body string
}

func do(t *testing.T, h http.Handler, c call) (int, http.Header, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body)) // the path as sent, dots and all
	req.Host = "mock.test"
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Body)
	var out map[string]any
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &out), "%s: %s", c.target, raw)
	}
	return rec.Code, rec.Header(), out
}

func get(t *testing.T, h http.Handler, target string) (int, map[string]any) {
	code, _, body := do(t, h, call{method: "GET", target: target})
	return code, body
}

func TestDefaultFixturesParse(t *testing.T) {
	f := mockserver.DefaultFixtures()
	for _, api := range mockserver.Registered() {
		assert.NotEmpty(t, f[api], "the default set has a section for %s", api)
	}
}

// A misspelt key is named, not only where it is.
func TestParseFixturesNamesAnUnknownKey(t *testing.T) {
	_, err := mockserver.ParseFixtures([]byte("nope: {}\n"))
	assert.EqualError(t, err, "fixtures: Field /nope is not allowed here")
	_, err = mockserver.ParseFixtures([]byte("- not an object\n"))
	assert.Error(t, err)
	f, err := mockserver.ParseFixtures([]byte(`{}`))
	require.NoError(t, err)
	assert.Empty(t, f)
}

func TestConfigThatWouldDoLessThanAskedIsRefused(t *testing.T) {
	for name, cfg := range map[string]mockserver.Config{
		"unknown only":         {Only: "nope"},
		"unbreakable rule":     {BrokenRules: []string{"WG-02"}},
		"fixtures of a no-API": {Fixtures: mockserver.Fixtures{"nope": json.RawMessage(`[]`)}},
		"an API twice":         {APIs: []mockapi.Factory{newWidgets, newWidgets}},
		"public URL no scheme": {PublicURL: "idv.example"},
	} {
		if cfg.APIs == nil {
			cfg.APIs = []mockapi.Factory{newWidgets}
		}
		_, err := mockserver.New(cfg)
		assert.Error(t, err, name)
	}
}

func TestControlAPIIsServedAtRootAndUnderEachPrefix(t *testing.T) {
	s := widgetServer(t, mockserver.Config{})
	for _, p := range []string{"/_mock/capabilities", "/widgets/_mock/capabilities"} {
		code, body := get(t, s, p)
		require.Equal(t, 200, code, p)
		assert.Equal(t, mockserver.ControlVersion, body["version"])
		assert.Equal(t, []any{"widgets"}, body["apis"])
		assert.Contains(t, body["capabilities"], "outbox")
	}
	code, body := get(t, s, "/_mock/healthz")
	assert.Equal(t, 200, code)
	assert.Equal(t, "ok", body["status"])
}

// The control API's version and its Capability enum are what the full mock, with every registered
// API, actually offers: nothing listed that no one serves, nothing served that is not listed.
func TestCapabilityEnumIsWhatTheRegisteredAPIsOffer(t *testing.T) {
	control := openapi.MustLoad(openapi.Control)
	s := newServer(t, mockserver.Config{})
	assert.ElementsMatch(t, control.Enum("Capability"), s.Capabilities())
	raw, err := openapi.Raw(openapi.Control)
	require.NoError(t, err)
	assert.Contains(t, string(raw), "version: "+mockserver.ControlVersion)
}

func TestClockThroughTheControlAPI(t *testing.T) {
	s := widgetServer(t, mockserver.Config{})
	code, _, body := do(t, s, call{method: "POST", target: "/_mock/clock/advance", contentType: "application/json", body: `{"seconds":90.5}`})
	require.Equal(t, 200, code)
	assert.Equal(t, "2030-01-01T00:01:30.5Z", body["now"])
	code, _, body = do(t, s, call{method: "PUT", target: "/_mock/clock", contentType: "application/json", body: `{"now":"2030-06-01T00:00:00Z"}`})
	require.Equal(t, 200, code)
	assert.Equal(t, "2030-06-01T00:00:00Z", body["now"])
	code, _, _ = do(t, s, call{method: "PUT", target: "/_mock/clock", contentType: "application/json", body: `{"now":"2029-06-01T00:00:00Z"}`})
	assert.Equal(t, 409, code)

	// Seconds are rounded to the nanosecond: 1.001 s is 1001 ms exactly (1.001 * 1e9 is
	// 1000999999.9999999 in floating point), so a test pinning an edge in milliseconds lands on it.
	_, _, body = do(t, s, call{method: "POST", target: "/_mock/clock/advance", contentType: "application/json", body: `{"seconds":1.001}`})
	assert.Equal(t, "2030-06-01T00:00:01.001Z", body["now"])
}

// The clock stops at clock.Max with a 400 and never wraps: today's year 9999 or 293 one-year
// advances must not take it back to the past, where expired tokens would verify again.
func TestClockRefusesToPassItsMaximumAndNeverWraps(t *testing.T) {
	s := widgetServer(t, mockserver.Config{})
	code, _, body := do(t, s, call{method: "PUT", target: "/_mock/clock", contentType: "application/json", body: `{"now":"9999-01-01T00:00:00Z"}`})
	assert.Equal(t, 400, code, body)
	assert.Equal(t, "body", body["error"])
	_, now := get(t, s, "/_mock/clock")
	assert.Equal(t, "2030-01-01T00:00:00Z", now["now"], "a refused move changes nothing")

	last := start
	refused := 0
	for range 300 {
		code, _, body := do(t, s, call{method: "POST", target: "/_mock/clock/advance", contentType: "application/json", body: `{"seconds":31536000}`})
		if code == 400 {
			refused++
			continue
		}
		require.Equal(t, 200, code, body)
		now, err := time.Parse(time.RFC3339Nano, body["now"].(string))
		require.NoError(t, err)
		require.True(t, now.After(last), "the clock went from %s to %s", last, now)
		last = now
	}
	assert.Positive(t, refused)
	assert.False(t, last.After(clock.Max))
}

type frozenClock struct{ clock.Clock }

func TestAFixedClockOffersNoClockCapability(t *testing.T) {
	s := widgetServer(t, mockserver.Config{Clock: frozenClock{clock.NewFake(start)}})
	_, body := get(t, s, "/_mock/capabilities")
	assert.NotContains(t, body["capabilities"], "clock.advance")
	code, _, _ := do(t, s, call{method: "POST", target: "/_mock/clock/advance", contentType: "application/json", body: `{"seconds":1}`})
	assert.Equal(t, 404, code)
}

// With a control token, every control call but the health check needs it, compared in constant
// time; without one, none does.
func TestControlTokenGuardsTheControlAPI(t *testing.T) {
	s := widgetServer(t, mockserver.Config{ControlToken: "s3cret"})
	for _, op := range openapi.MustLoad(openapi.Control).Operations() {
		if op.ID == "getHealth" {
			continue
		}
		target := "/_mock" + strings.NewReplacer("{", "", "}", "").Replace(op.Path)
		for _, auth := range []string{"", "Bearer wrong", "Basic czNjcmV0", "Bearer s3cre"} {
			code, _, body := do(t, s, call{method: op.Method, target: target, auth: auth, contentType: "application/json", body: `{}`})
			assert.Equal(t, 401, code, "%s %s with %q: %v", op.Method, target, auth, body)
		}
	}
	for _, c := range []call{
		{method: "GET", target: "/_mock/capabilities"},
		{method: "POST", target: "/_mock/clock/advance", contentType: "application/json", body: `{"seconds":1}`},
		{method: "POST", target: "/_mock/principals", contentType: "application/json", body: `{"role":"widgets.maker"}`},
		{method: "GET", target: "/_mock/outbox"},
		{method: "POST", target: "/_mock/reset"},
		{method: "GET", target: "/widgets/_mock/clock"},
	} {
		c.auth = "Bearer s3cret"
		code, _, body := do(t, s, c)
		assert.Less(t, code, 300, "%s %s with the token: %v", c.method, c.target, body)
	}
	code, _ := get(t, s, "/_mock/healthz")
	assert.Equal(t, 200, code, "the health check needs no token")

	open := widgetServer(t, mockserver.Config{})
	code, _ = get(t, open, "/_mock/capabilities")
	assert.Equal(t, 200, code)
}

// Paths are answered as sent, in the API's own error shape: no bare 301 to a cleaned path, no
// plain-text 404 for a percent-encoded prefix, and no dot segment reaching past the prefix.
func TestNonCanonicalPathsGetTheAPIsErrors(t *testing.T) {
	s := widgetServer(t, mockserver.Config{})
	code, _, body := do(t, s, call{method: "GET", target: "/widgets/widgets/a", auth: "Bearer good"})
	require.Equal(t, 200, code, body)
	for _, target := range []string{"/widgets//widgets/a", "/widgets/../_mock/reset", "/widgets/./widgets/a"} {
		code, _, body := do(t, s, call{method: "GET", target: target, auth: "Bearer good"})
		assert.Equal(t, 404, code, target)
		assert.EqualValues(t, 404, body["widgetError"], "%s: the API's shape: %v", target, body)
	}
	code, _, body = do(t, s, call{method: "GET", target: "/%77idgets/widgets/a", auth: "Bearer good"})
	assert.Equal(t, 200, code, "a percent-encoded prefix is the prefix: %v", body)
	code, _, body = do(t, s, call{method: "GET", target: "//widgets/widgets/a"})
	assert.Equal(t, 404, code)
	assert.Equal(t, "not-found", body["error"], "outside every prefix: the control API's shape")
}

// Credentials are judged before parameters: an invalid token is 401 whatever else is wrong.
func TestAuthenticationIsJudgedFirst(t *testing.T) {
	s := widgetServer(t, mockserver.Config{})
	code, _, _ := do(t, s, call{method: "GET", target: "/widgets/widgets/a", auth: "Bearer bad"})
	assert.Equal(t, 401, code)
}

func TestOnlyServesOneAPIAtTheRoot(t *testing.T) {
	s := widgetServer(t, mockserver.Config{Only: "widgets"})
	code, _, body := do(t, s, call{method: "GET", target: "/widgets/a", auth: "Bearer good"})
	assert.Equal(t, 200, code, body)
	code, _ = get(t, s, "/_mock/healthz")
	assert.Equal(t, 200, code)
	code, body = get(t, s, "/nope")
	assert.Equal(t, 404, code)
	assert.EqualValues(t, 404, body["widgetError"], "unknown paths get the served API's error shape")
}

func TestPublicURLIsWhereTheAPIIsServed(t *testing.T) {
	_, body := get(t, widgetServer(t, mockserver.Config{PublicURL: "https://idv.example/"}), "/widgets/here")
	assert.Equal(t, "https://idv.example/widgets", body["base"])
	_, body = get(t, widgetServer(t, mockserver.Config{}), "/widgets/here")
	assert.Equal(t, "http://mock.test/widgets", body["base"])
}

// An API is served under every base path of its spec's servers, at its prefix and with --only at the
// root, each with the control API beside it.
func TestEveryBasePathOfTheSpecIsServed(t *testing.T) {
	for _, c := range []struct {
		only, root string
	}{{"", "/widgets"}, {"widgets", ""}} {
		s := widgetServer(t, mockserver.Config{Only: c.only})
		for _, base := range []string{c.root, c.root + "/v2"} {
			code, body := get(t, s, base+"/here")
			require.Equal(t, 200, code, base)
			assert.Equal(t, "http://mock.test"+base, body["base"])
			code, _ = get(t, s, base+"/_mock/healthz")
			assert.Equal(t, 200, code, base)
		}
		code, _ := get(t, s, c.root+"/v3/here")
		assert.Equal(t, 404, code)
	}
}

// An API whose vendor serves it only under a path is served there alone, and the control API is at
// its prefix too, and with --only at the root: a mock serving only such an API answered its health
// check 404, and the combined mock had no control API under its prefix.
func TestTheControlAPIIsAtThePrefixOfAnAPIServedOnlyUnderAPath(t *testing.T) {
	v2Only := func(env mockapi.Env) mockapi.API { return underV2{newWidgets(env)} }
	for _, c := range []struct {
		only, root string
	}{{"", "/widgets"}, {"widgets", ""}} {
		s := newServer(t, mockserver.Config{Only: c.only, APIs: []mockapi.Factory{v2Only}, Fixtures: mockserver.Fixtures{"widgets": json.RawMessage(`["a"]`)}})
		code, _ := get(t, s, c.root+"/v2/here")
		assert.Equal(t, 200, code, c.root)
		code, _ = get(t, s, c.root+"/here")
		assert.Equal(t, 404, code, c.root)
		for _, base := range []string{c.root, c.root + "/v2"} {
			code, _ = get(t, s, base+"/_mock/healthz")
			assert.Equal(t, 200, code, base)
		}
	}
}

// A client configured with the vendor's base URL finds the API at mocktest's APIURL: under the
// shortest base path of its spec's servers, /v2 for an API its vendor serves only there.
func TestAnAPIsBaseURLHasItsBasePath(t *testing.T) {
	v2Only := func(env mockapi.Env) mockapi.API { return underV2{newWidgets(env)} }
	fixtures := mockserver.Fixtures{"widgets": json.RawMessage(`["a"]`)}
	assert.Empty(t, widgetServer(t, mockserver.Config{}).BasePath("widgets"), "served at its root and under /v2")
	s := newServer(t, mockserver.Config{APIs: []mockapi.Factory{v2Only}, Fixtures: fixtures})
	assert.Equal(t, "/v2", s.BasePath("widgets"))
	assert.Empty(t, s.BasePath("rambase"), "not served")

	m := mocktest.New(t, mocktest.WithConfig(func(c *mockserver.Config) { c.APIs, c.Fixtures = []mockapi.Factory{v2Only}, fixtures }))
	assert.Equal(t, m.URL+"/widgets/v2", m.APIURL("widgets"))
	resp, err := m.Client().Get(m.APIURL("widgets") + "/here")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// underV2 is the widgets API as a vendor would serve it only under /v2.
type underV2 struct{ mockapi.API }

func (underV2) Spec() *openapi.Spec {
	s, err := openapi.Parse("widgets", []byte(strings.Replace(widgetSpec,
		`servers: [{url: "https://widgets.example"}, {url: "https://widgets.example/v2"}]`, `servers: [{url: "https://widgets.example/v2"}]`, 1)))
	if err != nil {
		panic(err)
	}
	return s
}

// End-user pages are served at /_mock/ui/<api>/<page>, without the control token.
func TestPagesAreServedUnderTheUIPath(t *testing.T) {
	s := widgetServer(t, mockserver.Config{ControlToken: "s3cret"})
	code, body := get(t, s, "/_mock/ui/widgets/hello")
	require.Equal(t, 200, code)
	assert.Equal(t, "hello", body["page"])
	code, _, _ = do(t, s, call{method: "GET", target: "/_mock/ui/widgets/nope"})
	assert.Equal(t, 404, code)
}

// Every page is HTML that carries a secret in its URL: not cached, not named to the next site, and
// read no further than a small form (64 KiB); a form over that, or malformed, is answered by the mock
// for every page alike, saying what is wrong.
func TestPagesAreUncachedUnreferredAndReadASmallFormOnly(t *testing.T) {
	s := widgetServer(t, mockserver.Config{})
	post := func(size int) *httptest.ResponseRecorder {
		return postPage(s, "x="+strings.Repeat("a", size-2))
	}
	rec := post(64 << 10)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, fmt.Sprintf("<p>%d bytes</p>", 64<<10-2), rec.Body.String())
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	assert.Equal(t, "no-referrer", rec.Header().Get("Referrer-Policy"))
	for _, size := range []int{64<<10 + 1, 70_000} {
		rec = post(size)
		assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, size)
		assert.Contains(t, rec.Body.String(), "The form is too large: a page takes at most 64 KiB.", size)
		assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
		assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	}
	rec = postPage(s, "x=%zz")
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), "malformed %-escape")
}

// postPage posts a form body to the widgets' form page.
func postPage(s http.Handler, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/_mock/ui/widgets/form?token=secret", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// A reset seeds off to the side and swaps the store's content whole: a request never sees a
// half-seeded mock, and concurrent resets never interleave.
func TestResetIsAtomic(t *testing.T) {
	s := widgetServer(t, mockserver.Config{})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var missing []int
	var mu sync.Mutex
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if code, _, _ := do(t, s, call{method: "GET", target: "/widgets/widgets/a", auth: "Bearer good"}); code != 200 {
					mu.Lock()
					missing = append(missing, code)
					mu.Unlock()
				}
			}
		})
	}
	var resets sync.WaitGroup
	for range 50 {
		resets.Go(func() {
			code, _, body := do(t, s, call{method: "POST", target: "/_mock/reset"})
			assert.Equal(t, 204, code, body)
		})
	}
	resets.Wait()
	close(stop)
	wg.Wait()
	assert.Empty(t, missing, "a widget in every set must never be missing")
	code, _, _ := do(t, s, call{method: "GET", target: "/widgets/widgets/b", auth: "Bearer good"})
	assert.Equal(t, 200, code)
}

// Records past retention are swept, judged on the mock's clock, as soon as the control API moves
// it (and every SweepInterval of real time), so a long-running mock keeps flat memory; fixtures have
// no retention and stay.
func TestClockMovesSweepPastRetention(t *testing.T) {
	st := memory.New()
	s := widgetServer(t, mockserver.Config{Store: st})
	require.NoError(t, store.Create(context.Background(), st, "session", "s1", 1, store.RetainUntil(start.Add(time.Hour))))
	count := func(kind string) int {
		_, n, err := st.List(context.Background(), kind, "", store.OldestFirst, store.Page{})
		require.NoError(t, err)
		return n
	}
	advance := func(seconds string) {
		code, _, body := do(t, s, call{method: "POST", target: "/_mock/clock/advance", contentType: "application/json", body: `{"seconds":` + seconds + `}`})
		require.Equal(t, 200, code, body)
	}
	advance("3599")
	assert.Equal(t, 1, count("session"), "retained until its time")
	advance("1")
	assert.Equal(t, 0, count("session"), "swept at its retention")
	assert.Equal(t, 2, count("widget"), "fixtures are never swept")
}

// The real-time sweeper sweeps at the mock's time.
func TestSweeperRunsOnRealTime(t *testing.T) {
	c := clock.NewFake(start)
	st := memory.New()
	widgetServer(t, mockserver.Config{Clock: c, Store: st, SweepInterval: 5 * time.Millisecond})
	require.NoError(t, store.Create(context.Background(), st, "session", "s1", 1, store.RetainUntil(start)))
	require.Eventually(t, func() bool {
		_, err := st.Get(context.Background(), "session", "s1")
		return err != nil
	}, 5*time.Second, time.Millisecond)
}

func TestPrincipalsOfTheServedAPIs(t *testing.T) {
	s := widgetServer(t, mockserver.Config{})
	assert.Equal(t, "maker", s.Principals()[0].ClientID)
	code, _, body := do(t, s, call{method: "POST", target: "/_mock/principals", contentType: "application/json", body: `{"role":"widgets.maker"}`})
	assert.Equal(t, 201, code)
	assert.Equal(t, "maker-2", body["client_id"])
	code, _, _ = do(t, s, call{method: "POST", target: "/_mock/principals", contentType: "application/json", body: `{"role":"other.maker"}`})
	assert.Equal(t, 404, code)
}

// An API that implements only the core is served whole, and offers none of what the optional
// interfaces add: the same widgets with their pages, breakable rule and principal maker, then without.
func TestAnAPIWithOnlyTheCoreIsServed(t *testing.T) {
	full := widgetServer(t, mockserver.Config{BrokenRules: []string{"WG-01"}})
	code, _, _ := do(t, full, call{method: "POST", target: "/_mock/principals", contentType: "application/json", body: `{"role":"widgets.maker"}`})
	assert.Equal(t, 201, code)
	code, _ = get(t, full, "/_mock/ui/widgets/hello")
	assert.Equal(t, 200, code)

	fixtures := mockserver.Fixtures{"widgets": json.RawMessage(`["a"]`)}
	_, err := mockserver.New(mockserver.Config{APIs: []mockapi.Factory{newCoreOnly}, Fixtures: fixtures, BrokenRules: []string{"WG-01"}})
	assert.ErrorContains(t, err, "rule WG-01 cannot be broken")
	s := newServer(t, mockserver.Config{APIs: []mockapi.Factory{newCoreOnly}, Fixtures: fixtures})
	code, _, body := do(t, s, call{method: "GET", target: "/widgets/widgets/a", auth: "Bearer good"})
	assert.Equal(t, 200, code)
	assert.Equal(t, "a", body["name"])
	code, _, _ = do(t, s, call{method: "POST", target: "/_mock/principals", contentType: "application/json", body: `{"role":"widgets.maker"}`})
	assert.Equal(t, 404, code, "no principal maker")
	code, _ = get(t, s, "/_mock/ui/widgets/hello")
	assert.Equal(t, 404, code, "no pages")
	assert.ElementsMatch(t, []string{"clock.advance", "users.create", "outbox", "jwks"}, s.Capabilities())
}

func TestBadInputGetsControlErrors(t *testing.T) {
	s := widgetServer(t, mockserver.Config{})
	j := "application/json"
	for _, c := range []struct {
		name string
		call
		want int
	}{
		{"principal without role", call{method: "POST", target: "/_mock/principals", contentType: j, body: `{}`}, 400},
		{"principal with junk json", call{method: "POST", target: "/_mock/principals", contentType: j, body: `{"role":`}, 400},
		{"clock backwards", call{method: "PUT", target: "/_mock/clock", contentType: j, body: `{"now":"2000-01-01T00:00:00Z"}`}, 409},
		{"negative advance", call{method: "POST", target: "/_mock/clock/advance", contentType: j, body: `{"seconds":-1}`}, 400},
		{"advance over a year", call{method: "POST", target: "/_mock/clock/advance", contentType: j, body: `{"seconds":31536001}`}, 400},
		{"fixtures with unknown field", call{method: "PUT", target: "/_mock/fixtures", contentType: j, body: `{"nope":{}}`}, 400},
		{"fixtures null", call{method: "PUT", target: "/_mock/fixtures", contentType: j, body: `null`}, 400},
		{"unknown control path", call{method: "GET", target: "/_mock/nope"}, 404},
		{"outside every prefix", call{method: "GET", target: "/nope"}, 404},
	} {
		code, _, body := do(t, s, c.call)
		assert.Equal(t, c.want, code, "%s: %v", c.name, body)
		assert.NotEmpty(t, body["error"], c.name)
		assert.NotEmpty(t, body["message"], c.name)
	}
	_, _, body := do(t, s, call{method: "PUT", target: "/_mock/fixtures", contentType: j, body: `{"nope":{}}`})
	assert.Equal(t, "/nope", body["field"], "the unknown key is named")
}

// GET /_mock/jwks publishes the key RS256 tokens are signed with: a client verifies a token the mock
// minted with nothing but the JWKS, and a token signed by any other key fails against it.
func TestJWKSVerifiesTheMocksRS256Tokens(t *testing.T) {
	s := widgetServer(t, mockserver.Config{})
	code, _, body := do(t, s, call{method: "GET", target: "/_mock/jwks"})
	require.Equal(t, 200, code)
	keys := body["keys"].([]any)
	require.Len(t, keys, 1)
	jwk := keys[0].(map[string]any)
	assert.Equal(t, "RSA", jwk["kty"])
	assert.Equal(t, "RS256", jwk["alg"])
	n, err := base64.RawURLEncoding.DecodeString(jwk["n"].(string))
	require.NoError(t, err)
	e, err := base64.RawURLEncoding.DecodeString(jwk["e"].(string))
	require.NoError(t, err)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}

	issuer := token.New("api", token.Access, token.RS256, clock.NewFake(start))
	signed, err := issuer.Mint(token.NewEpoch(), &token.Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "u1"}})
	require.NoError(t, err)
	keyOf := func(tok *jwt.Token) (any, error) {
		assert.Equal(t, jwk["kid"], tok.Header["kid"], "the token names the published key")
		return pub, nil
	}
	_, err = jwt.Parse(signed, keyOf, jwt.WithValidMethods([]string{"RS256"}))
	assert.NoError(t, err)

	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	forged, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"sub": "u1"}).SignedString(other)
	require.NoError(t, err)
	_, err = jwt.Parse(forged, func(*jwt.Token) (any, error) { return pub, nil }, jwt.WithValidMethods([]string{"RS256"}))
	assert.ErrorIs(t, err, jwt.ErrTokenSignatureInvalid)
}

// DefaultFixtures hands every caller a copy of its own: changing one leaves the next caller's alone.
func TestDefaultFixturesAreACopy(t *testing.T) {
	f := mockserver.DefaultFixtures()
	want := string(f["rambase"])
	f["rambase"][0] = 'X'
	delete(f, "eeid")
	again := mockserver.DefaultFixtures()
	assert.Equal(t, want, string(again["rambase"]))
	assert.Contains(t, again, "eeid")
}
