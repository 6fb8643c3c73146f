package mockserver_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/journal"
	"github.com/idvkit/idvkit/mockserver/password"
)

// syncBuffer is a log the mock writes from its handlers' goroutines while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// journaled is a mock whose log the test reads, as a partner reads `idvkit serve`'s.
func journaled(t *testing.T, cfg mockserver.Config) (*mockserver.Server, *syncBuffer) {
	t.Helper()
	log := &syncBuffer{}
	cfg.PasswordCost = password.MinCost
	cfg.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg.Responses = apihttp.EveryResponse
	cfg.AllowedHosts = []string{"mock.test", "example.com"}
	cfg.Clock = clock.NewFake(start)
	s, err := mockserver.New(cfg)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s, log
}

const form = "application/x-www-form-urlencoded"

// A partner's app sends a request that breaks the spec and hides the 400 it got: the mock logs a line
// for it as it happens, and GET /_mock/violations lists it with the reason; GET /_mock/requests lists
// every request, the good ones too, and neither lists the control API's own calls.
func TestThePartnerFindsWhatTheirAppGotWrong(t *testing.T) {
	m, log := journaled(t, mockserver.Config{})
	status, _, _ := do(t, m, call{method: "POST", target: "/rambase/oauth2/access_token", contentType: form,
		body: "grant_type=client_credentials&client_id=forecast-api&client_secret=forecast-secret"})
	require.Equal(t, http.StatusOK, status)
	status, _, _ = do(t, m, call{method: "POST", target: "/rambase/oauth2/access_token", contentType: form,
		body: "grant_type=implicit&client_id=forecast-api&client_secret=forecast-secret"})
	require.Equal(t, http.StatusBadRequest, status)

	status, _, page := do(t, m, call{method: "GET", target: "/_mock/violations"})
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, false, page["has_more"])
	require.Len(t, page["items"], 1)
	v := page["items"].([]any)[0].(map[string]any)
	assert.Equal(t, "POST", v["method"])
	assert.Equal(t, "/rambase/oauth2/access_token", v["path"])
	assert.Equal(t, "getAccessToken", v["operation"])
	assert.Equal(t, float64(400), v["status"])
	assert.Equal(t, start.Format(time.RFC3339), v["at"], "on the mock's clock")
	assert.Equal(t, map[string]any{"pointer": "/body/grant_type", "rule": "enum", "spec": "rambase.yaml#/paths/~1oauth2~1access_token/post",
		"reason": "POST /oauth2/access_token: body.grant_type must be one of: password, client_credentials"}, v["violation"])
	assert.Equal(t, map[string]any{"grant_type": "<8 chars>", "client_id": "<12 chars>", "client_secret": "<15 chars>"}, v["body"])

	_, _, page = do(t, m, call{method: "GET", target: "/_mock/requests"})
	require.Len(t, page["items"], 2, "both requests, and none of the control API's")
	assert.Nil(t, page["items"].([]any)[1].(map[string]any)["violation"])

	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	var warnings []string
	for _, l := range lines {
		if strings.Contains(l, "level=WARN") {
			warnings = append(warnings, l)
		}
	}
	require.Len(t, warnings, 1, "one line per violation:\n%s", log.String())
	assert.Contains(t, warnings[0], `msg="contract violation: POST /oauth2/access_token: body.grant_type must be one of: password, client_credentials" request="POST /rambase/oauth2/access_token" status=400`)
	assert.NotContains(t, log.String(), "forecast-secret")

	// The control API under an API's prefix serves the same journal, and DELETE clears it.
	_, _, page = do(t, m, call{method: "GET", target: "/rambase/_mock/violations"})
	require.Len(t, page["items"], 1)
	status, _, _ = do(t, m, call{method: "DELETE", target: "/_mock/violations"})
	assert.Equal(t, http.StatusNoContent, status)
	_, _, page = do(t, m, call{method: "GET", target: "/_mock/requests"})
	assert.Empty(t, page["items"], "clearing either clears both")
}

// A request to a path no API serves is journaled too: a client with the wrong base URL sends all its
// requests there.
func TestARequestToNoAPIIsAViolation(t *testing.T) {
	m, _ := journaled(t, mockserver.Config{})
	status, _, _ := do(t, m, call{method: "GET", target: "/rambse/system/sessions/current"})
	require.Equal(t, http.StatusNotFound, status)
	status, _, _ = do(t, m, call{method: "GET", target: "/rambase/system/session/current"})
	require.Equal(t, http.StatusNotFound, status)
	_, _, page := do(t, m, call{method: "GET", target: "/_mock/violations"})
	items := page["items"].([]any)
	require.Len(t, items, 2)
	assert.Equal(t, "GET /rambase/system/session/current: the rambase spec has no such path", items[0].(map[string]any)["violation"].(map[string]any)["reason"])
	assert.Equal(t, "rambase", items[0].(map[string]any)["api"])
	assert.Equal(t, "GET /rambse/system/sessions/current: no API is served at this path", items[1].(map[string]any)["violation"].(map[string]any)["reason"])
	assert.Nil(t, items[1].(map[string]any)["api"])

	only, _ := journaled(t, mockserver.Config{Only: "rambase"})
	status, _, _ = do(t, only, call{method: "GET", target: "/nope"})
	require.Equal(t, http.StatusNotFound, status)
	_, _, page = do(t, only, call{method: "GET", target: "/_mock/violations"})
	require.Len(t, page["items"], 1)
	assert.Equal(t, "GET /nope: the rambase spec has no such path", page["items"].([]any)[0].(map[string]any)["violation"].(map[string]any)["reason"])
}

// The lists filter by API, operation, status and time, and come in pages: limit pinned at its edges.
func TestTheJournalIsFilteredAndPaged(t *testing.T) {
	m, _ := journaled(t, mockserver.Config{JournalSize: 5})
	for i := range 7 {
		target := "/rambase/system/sessions/current"
		if i%2 == 1 {
			target = "/eeid/api/ident/v1/identification_requests"
		}
		do(t, m, call{method: "GET", target: target}) // 401 each: no credentials
	}
	get := func(query string) (int, []float64, bool) {
		t.Helper()
		status, _, page := do(t, m, call{method: "GET", target: "/_mock/requests" + query})
		var ids []float64
		if items, ok := page["items"].([]any); ok {
			for _, it := range items {
				ids = append(ids, it.(map[string]any)["id"].(float64))
			}
		}
		more, _ := page["has_more"].(bool)
		return status, ids, more
	}
	_, ids, more := get("")
	assert.Equal(t, []float64{7, 6, 5, 4, 3}, ids, "the last 5 of 7")
	assert.False(t, more)
	_, ids, _ = get("?api=eeid")
	assert.Equal(t, []float64{6, 4}, ids)
	_, ids, _ = get("?operation=getCurrentSession&status=401")
	assert.Equal(t, []float64{7, 5, 3}, ids)
	_, ids, _ = get("?status=4xx&limit=2")
	assert.Equal(t, []float64{7, 6}, ids)
	_, ids, more = get("?status=2xx")
	assert.Empty(t, ids)
	assert.False(t, more)
	_, ids, _ = get("?since=" + start.Add(time.Second).Format(time.RFC3339))
	assert.Empty(t, ids, "every request was at the start")
	_, ids, more = get("?limit=1")
	assert.Equal(t, []float64{7}, ids)
	assert.True(t, more)
	_, ids, more = get("?limit=2&before=6")
	assert.Equal(t, []float64{5, 4}, ids)
	assert.True(t, more)
	status, ids, _ := get("?limit=1000")
	assert.Equal(t, http.StatusOK, status)
	assert.Len(t, ids, 5)
	for _, bad := range []string{"?limit=0", "?limit=1001", "?status=6xx", "?status=40", "?before=0", "?since=yesterday"} {
		status, _, _ := get(bad)
		assert.Equal(t, http.StatusBadRequest, status, bad)
	}
}

// The journal's size is the mock's to set, and bounds the requests it keeps.
func TestTheJournalKeepsTheLastN(t *testing.T) {
	m, _ := journaled(t, mockserver.Config{JournalSize: 3})
	for i := range 4 {
		do(t, m, call{method: "GET", target: fmt.Sprintf("/rambase/system/users/%d", i)})
	}
	items, _ := m.Journal().Requests(journal.Filter{}, 0)
	require.Len(t, items, 3)
	assert.Equal(t, "GET /rambase/system/users/3", items[0].Line())
	assert.Equal(t, "GET /rambase/system/users/1", items[2].Line())
}

// A mock with a negative JournalSize records nothing, so that a benchmark can set its cost apart; the
// same two violations (no credentials, no client_id) fill the journal of a mock with the default size.
func TestANegativeJournalSizeRecordsNothing(t *testing.T) {
	for _, c := range []struct {
		size, kept int
	}{{0, 2}, {-1, 0}} {
		m, log := journaled(t, mockserver.Config{JournalSize: c.size})
		do(t, m, call{method: "GET", target: "/rambase/system/users/1"})
		status, _, _ := do(t, m, call{method: "POST", target: "/rambase/oauth2/access_token", contentType: form, body: "grant_type=client_credentials"})
		require.Equal(t, http.StatusBadRequest, status)
		requests, _ := m.Journal().Requests(journal.Filter{}, 0)
		violations, _ := m.Journal().Violations(journal.Filter{}, 0)
		assert.Len(t, requests, c.kept, "JournalSize %d", c.size)
		assert.Len(t, violations, c.kept, "JournalSize %d", c.size)
		assert.Equal(t, c.kept > 0, strings.Contains(log.String(), "contract violation"), "JournalSize %d: %s", c.size, log)
	}
}
