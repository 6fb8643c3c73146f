package mockserver_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/password"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/openapi"
)

func newServer(t *testing.T, cfg mockserver.Config) *mockserver.Server {
	t.Helper()
	cfg.PasswordCost = password.MinCost
	cfg.Logger = slog.New(slog.DiscardHandler)
	s, err := mockserver.New(cfg)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func call(t *testing.T, h http.Handler, method, target, contentType, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Body)
	var out map[string]any
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &out), string(raw))
	}
	return rec.Code, out
}

const formType = "application/x-www-form-urlencoded"

func TestDefaultFixturesParseAndPrintEveryRole(t *testing.T) {
	f := mockserver.DefaultFixtures()
	roles := map[string]bool{}
	for _, p := range f.Principals() {
		roles[p.Role] = true
	}
	for _, want := range []string{"rambase.internal_user", "rambase.customer_portal_user", "rambase.supplier_portal_user",
		"rambase.otp_user", "rambase.api_client", "rambase.portal_client"} {
		assert.True(t, roles[want], want)
	}
}

func TestParseFixturesIsStrict(t *testing.T) {
	_, err := mockserver.ParseFixtures([]byte("rambase:\n  system: A\n  database: B\n  userz: []\n"))
	assert.Error(t, err)
	_, err = mockserver.ParseFixtures([]byte("rambase:\n  system: A\n"))
	assert.ErrorContains(t, err, "database")
	f, err := mockserver.ParseFixtures([]byte(`{"rambase":{"system":"A","database":"B"}}`))
	require.NoError(t, err)
	assert.Equal(t, "A", f.RamBase.System)
}

func TestControlAPIIsServedAtRootAndUnderEachPrefix(t *testing.T) {
	s := newServer(t, mockserver.Config{Clock: clock.NewFake(time.Unix(0, 0))})
	for _, p := range []string{"/_mock/capabilities", "/rambase/_mock/capabilities"} {
		code, body := call(t, s, "GET", p, "", "")
		require.Equal(t, 200, code, p)
		assert.Equal(t, mockserver.ControlVersion, body["version"])
		assert.ElementsMatch(t, openapi.MustLoad(openapi.Control).Enum("Capability"), body["capabilities"],
			"the full mock offers every capability")
	}
	code, body := call(t, s, "GET", "/_mock/healthz", "", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, "ok", body["status"])
}

func TestClockThroughTheControlAPI(t *testing.T) {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newServer(t, mockserver.Config{Clock: clock.NewFake(start)})
	code, body := call(t, s, "POST", "/_mock/clock/advance", "application/json", `{"seconds":90.5}`)
	require.Equal(t, 200, code)
	assert.Equal(t, "2030-01-01T00:01:30.5Z", body["now"])
	code, body = call(t, s, "PUT", "/_mock/clock", "application/json", `{"now":"2030-06-01T00:00:00Z"}`)
	require.Equal(t, 200, code)
	assert.Equal(t, "2030-06-01T00:00:00Z", body["now"])
}

type frozenClock struct{ clock.Clock }

func TestAFixedClockOffersNoClockCapability(t *testing.T) {
	s := newServer(t, mockserver.Config{Clock: frozenClock{clock.NewFake(time.Unix(0, 0))}})
	_, body := call(t, s, "GET", "/_mock/capabilities", "", "")
	assert.NotContains(t, body["capabilities"], "clock.advance")
	code, _ := call(t, s, "POST", "/_mock/clock/advance", "application/json", `{"seconds":1}`)
	assert.Equal(t, 404, code)
}

func TestOnlyServesOneAPIAtTheRoot(t *testing.T) {
	s := newServer(t, mockserver.Config{Only: "rambase", Clock: clock.NewFake(time.Unix(0, 0))})
	code, body := call(t, s, "POST", "/oauth2/access_token", formType, "grant_type=client_credentials&client_id=forecast-api&client_secret=forecast-secret")
	assert.Equal(t, 200, code, body)
	code, _ = call(t, s, "GET", "/_mock/healthz", "", "")
	assert.Equal(t, 200, code)
	code, body = call(t, s, "GET", "/rambase/oauth2/access_token", "", "")
	assert.Equal(t, 404, code)
	assert.EqualValues(t, 404, body["httpStatusCode"], "unknown paths get the served API's error shape")

	_, err := mockserver.New(mockserver.Config{Only: "nope"})
	assert.ErrorContains(t, err, "unknown API")
}

func TestPublicURLIsWrittenIntoLinks(t *testing.T) {
	s := newServer(t, mockserver.Config{PublicURL: "https://idv.example/", Clock: clock.NewFake(time.Unix(0, 0))})
	_, tok := call(t, s, "POST", "/rambase/oauth2/access_token", formType, "grant_type=password&client_id=forecast-api&client_secret=forecast-secret&username=anna&password=anna-password")
	req := httptest.NewRequest("GET", "/rambase/system/sessions/current", nil)
	req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var sess struct {
		Session struct{ IDVerificationToken string }
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &sess))

	req = httptest.NewRequest("GET", "/rambase/id-verification?id_verification_token="+sess.Session.IDVerificationToken, nil)
	req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	assert.Contains(t, rec.Body.String(), `"userLink":"https://idv.example/rambase/system/users/666?$format=json"`)
}

// The sweeper deletes records past retention, on the mock's clock, so a long-running mock keeps
// flat memory; fixtures have no retention and stay.
func TestSweeperDeletesPastRetention(t *testing.T) {
	c := clock.NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	st := memory.New()
	s := newServer(t, mockserver.Config{Clock: c, Store: st})
	code, _ := call(t, s, "POST", "/rambase/oauth2/access_token", formType, "grant_type=client_credentials&client_id=forecast-api&client_secret=forecast-secret")
	require.Equal(t, 200, code)
	sessions := func() int {
		_, n, err := st.List(context.Background(), "rambase.session", store.OldestFirst, store.Page{})
		require.NoError(t, err)
		return n
	}
	require.Equal(t, 1, sessions())
	require.NoError(t, c.Advance(time.Hour+24*time.Hour-time.Minute))
	assert.Equal(t, 1, sessions(), "expired but retained")
	require.NoError(t, c.Advance(2*time.Minute))
	assert.Equal(t, 0, sessions(), "swept after retention")
	_, n, _ := st.List(context.Background(), "rambase.user", store.OldestFirst, store.Page{})
	assert.Equal(t, 4, n, "fixtures are never swept")
}

func TestResetForgetsSessions(t *testing.T) {
	s := newServer(t, mockserver.Config{Clock: clock.NewFake(time.Unix(0, 0))})
	_, tok := call(t, s, "POST", "/rambase/oauth2/access_token", formType, "grant_type=client_credentials&client_id=forecast-api&client_secret=forecast-secret")
	code, _ := call(t, s, "POST", "/_mock/reset", "", "")
	require.Equal(t, 204, code)
	req := httptest.NewRequest("GET", "/rambase/system/sessions/current", nil)
	req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	assert.Equal(t, 401, rec.Code)
}
