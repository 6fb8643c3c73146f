package mockserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/password"
	"github.com/idvkit/idvkit/mockserver/webhook"
	"github.com/idvkit/idvkit/openapi"
)

// controlReply is a control API answer that was checked against control.yaml.
type controlReply struct {
	status int
	raw    []byte
}

// callControl sends a control request to a served mock over HTTP, path below /_mock, and checks the
// answer against control.yaml, undocumented statuses included, whatever the mock itself validated.
func callControl(t *testing.T, m *mocktest.Server, method, path string, header http.Header, body string) controlReply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, m.ControlURL()+path, rd)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	if h := header.Get("Host"); h != "" {
		req.Host = h
	}
	resp, err := m.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)

	spec := openapi.MustLoad(openapi.Control)
	op, params, f := spec.Find(method, strings.SplitN(path, "?", 2)[0])
	require.Nil(t, f, "%s %s is a control operation", method, path)
	check, err := http.NewRequest(method, path, bytes.NewReader(nil))
	require.NoError(t, err)
	if f := op.ValidateResponse(context.Background(), check, params, resp.StatusCode, resp.Header, raw); f != nil {
		t.Errorf("the %d answer to %s %s breaks control.yaml (%s): %v: %s", resp.StatusCode, method, path, op.ID, f, raw)
	}
	return controlReply{status: resp.StatusCode, raw: raw}
}

// Every operation that takes an id answers an id it does not know with 404, and an id its schema
// refuses with a documented 400 that names the parameter, never an undocumented status.
func TestControlIdsOutsideTheirSchemaGetADocumented400(t *testing.T) {
	m := mocktest.New(t)
	for _, c := range []struct {
		method, path, valid, invalid string
	}{
		{"POST", "/randaverify/users/%s/suspend", "999999", "abc"},
		{"POST", "/randaverify/users/%s/reactivate", "999999", "12a"},
		{"POST", "/eeid/identification_requests/%s/abort", strings.Repeat("a", 64), strings.Repeat("a", 65)},
		{"POST", "/eeid/identification_requests/%s/expire", strings.Repeat("a", 64), strings.Repeat("a", 65)},
		{"POST", "/eeid/deliveries/%s/replay", strings.Repeat("a", 64), strings.Repeat("a", 65)},
		{"GET", "/eeid/services/%s/deliveries", strings.Repeat("c", 256), strings.Repeat("c", 257)},
	} {
		valid := strings.Replace(c.path, "%s", c.valid, 1)
		r := callControl(t, m, c.method, valid, nil, "")
		assert.Contains(t, []int{http.StatusOK, http.StatusNotFound}, r.status, "%s %s: %s", c.method, valid, r.raw)

		invalid := strings.Replace(c.path, "%s", c.invalid, 1)
		r = callControl(t, m, c.method, invalid, nil, "")
		assert.Equal(t, http.StatusBadRequest, r.status, "%s %s: %s", c.method, invalid, r.raw)
		assert.Contains(t, string(r.raw), `"field":"`, "the parameter is named")
	}
}

// jsonBody is the header of a control call with a JSON body.
var jsonBody = http.Header{"Content-Type": {"application/json"}}

// clockOf reads the mock's clock through the control API.
func clockOf(t *testing.T, m *mocktest.Server) time.Time {
	t.Helper()
	r := callControl(t, m, "GET", "/clock", nil, "")
	require.Equal(t, http.StatusOK, r.status)
	var body struct{ Now time.Time }
	require.NoError(t, json.Unmarshal(r.raw, &body))
	return body.Now
}

func setClock(t *testing.T, m *mocktest.Server, to time.Time) controlReply {
	t.Helper()
	return callControl(t, m, "PUT", "/clock", jsonBody, `{"now":"`+to.Format(time.RFC3339Nano)+`"}`)
}

// assertRefused checks a 400 that names field and leaves the clock where it was.
func assertRefused(t *testing.T, m *mocktest.Server, r controlReply, field string, was time.Time) {
	t.Helper()
	assert.Equal(t, http.StatusBadRequest, r.status, string(r.raw))
	var body struct{ Field string }
	require.NoError(t, json.Unmarshal(r.raw, &body))
	assert.Equal(t, field, body.Field, string(r.raw))
	assert.Equal(t, was, clockOf(t, m), "a refused move changes nothing")
}

// Both clock moves take at most a year a call, as README and control.yaml say: PUT a year ahead of
// the clock, not a second more, and advance 31536000 seconds, not one more.
func TestClockMovesAtMostAYearACall(t *testing.T) {
	m := mocktest.New(t)
	const year = 365 * 24 * time.Hour
	now := clockOf(t, m)
	for _, d := range []time.Duration{year - time.Second, year} {
		now = now.Add(d)
		r := setClock(t, m, now)
		require.Equal(t, http.StatusOK, r.status, string(r.raw))
		assert.Equal(t, now, clockOf(t, m))
	}
	assertRefused(t, m, setClock(t, m, now.Add(year+time.Second)), "/now", now)

	for _, s := range []string{"31535999", "31536000"} {
		r := callControl(t, m, "POST", "/clock/advance", jsonBody, `{"seconds":`+s+`}`)
		require.Equal(t, http.StatusOK, r.status, string(r.raw))
	}
	now = clockOf(t, m)
	assertRefused(t, m, callControl(t, m, "POST", "/clock/advance", jsonBody, `{"seconds":31536001}`), "/seconds", now)
}

// setClockNear moves the clock to end, a year a call.
func setClockNear(t *testing.T, m *mocktest.Server, end time.Time) {
	t.Helper()
	const year = 365 * 24 * time.Hour
	for now := clockOf(t, m); now.Add(year).Before(end); now = now.Add(year) {
		r := setClock(t, m, now.Add(year))
		require.Equal(t, http.StatusOK, r.status, string(r.raw))
	}
	r := setClock(t, m, end)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
}

// The clock stops at clock.Max: PUT reaches a second before it and then Max itself, and a second
// past it is refused, naming the field.
func TestClockSetStopsAtItsMaximum(t *testing.T) {
	m := mocktest.New(t)
	setClockNear(t, m, clock.Max.Add(-time.Second))
	r := setClock(t, m, clock.Max)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	assertRefused(t, m, setClock(t, m, clock.Max.Add(time.Second)), "/now", clock.Max)
	assertRefused(t, m, callControl(t, m, "POST", "/clock/advance", jsonBody, `{"seconds":0.001}`), "/seconds", clock.Max)
}

// A served clock moved to its end runs past it in real time, where no move is possible and a plain
// reset keeps it; a reset with {"clock": "restart"} takes it back to real time without a restart,
// and what was made at the later time goes with it: a token minted there, which would otherwise
// live for the years the clock went back, no longer verifies.
func TestResetRestartsAServedClockStrandedPastItsMaximum(t *testing.T) {
	m := mocktest.New(t, mocktest.WithConfig(func(c *mockserver.Config) { c.Clock = clock.NewReal() }))
	setClockNear(t, m, clock.Max)
	token := ramBaseToken(t, m)
	assert.Equal(t, http.StatusOK, ramBaseSession(t, m, token), "the token verifies at the late time")

	assert.True(t, clockOf(t, m).After(clock.Max), "real time carries the clock past its maximum")
	r := callControl(t, m, "POST", "/clock/advance", jsonBody, `{"seconds":0}`)
	assert.Equal(t, http.StatusBadRequest, r.status, "no move is possible: %s", r.raw)
	assert.Contains(t, string(r.raw), `{\"clock\": \"restart\"}`, "the refusal says the way back")
	r = callControl(t, m, "POST", "/reset", nil, "")
	require.Equal(t, http.StatusNoContent, r.status)
	assert.True(t, clockOf(t, m).After(clock.Max), "a plain reset keeps the clock")

	r = callControl(t, m, "POST", "/reset", jsonBody, `{"clock":"restart"}`)
	require.Equal(t, http.StatusNoContent, r.status, string(r.raw))
	assert.WithinDuration(t, time.Now(), clockOf(t, m), time.Minute, "back to real time")
	r = callControl(t, m, "POST", "/clock/advance", jsonBody, `{"seconds":60}`)
	assert.Equal(t, http.StatusOK, r.status, "the clock moves again: %s", r.raw)
	assert.Equal(t, http.StatusUnauthorized, ramBaseSession(t, m, token), "the token of the late time is gone")
	assert.Equal(t, http.StatusOK, ramBaseSession(t, m, ramBaseToken(t, m)), "a new one verifies")
}

// ramBaseToken logs RamBase's fixture API client in.
func ramBaseToken(t *testing.T, m *mocktest.Server) string {
	t.Helper()
	r := m.Call(t, "POST", "/rambase/oauth2/access_token", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		[]byte("grant_type=client_credentials&client_id=forecast-api&client_secret=forecast-secret"))
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	return r.JSON["access_token"].(string)
}

// ramBaseSession is the status of reading the session of a RamBase token.
func ramBaseSession(t *testing.T, m *mocktest.Server, token string) int {
	t.Helper()
	return m.Call(t, "GET", "/rambase/system/sessions/current", http.Header{"Authorization": {"Bearer " + token}}, nil).Status
}

// A restart of the clock keeps a pending webhook retry's time left, as it keeps every timer's: the
// retry comes due a backoff after the restart, not when the clock gets back to years from now, and
// finds its delivery forgotten with the rest of the state, so the receiver gets no second attempt.
func TestResetRestartKeepsAPendingRetrysTimeLeftAndForgetsItsDelivery(t *testing.T) {
	var envs []mockapi.Env
	capture := func(env mockapi.Env) mockapi.API {
		envs = append(envs, env)
		return newWidgets(env)
	}
	var log lockedBuffer
	c := clock.NewFake(start)
	s, err := mockserver.New(mockserver.Config{Clock: c, APIs: []mockapi.Factory{capture},
		Fixtures: mockserver.Fixtures{"widgets": json.RawMessage(`[]`)}, PasswordCost: password.MinCost,
		Logger: slog.New(slog.NewTextHandler(&log, nil)), Responses: apihttp.EveryResponse, AllowedHosts: []string{"mock.test"}})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	var attempts atomic.Int32
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		attempts.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)

	require.NoError(t, c.Set(start.Add(5*365*24*time.Hour)))
	_, err = envs[0].Webhooks.Send(context.Background(), webhook.Delivery{API: "widgets", Owner: "o", URL: failing.URL, Body: []byte(`{}`)})
	require.NoError(t, err)
	c.Settle()
	require.Equal(t, int32(1), attempts.Load(), "the first attempt failed; a retry is due in a second")

	code, _, body := do(t, s, call{method: "POST", target: "/_mock/reset", contentType: "application/json", body: `{"clock":"restart"}`})
	require.Equal(t, http.StatusNoContent, code, body)
	assert.Equal(t, start, c.Now(), "an in-process clock goes back to its start")
	require.NoError(t, c.Advance(time.Second-time.Nanosecond))
	c.Settle()
	assert.NotContains(t, log.String(), "webhook delivery forgotten", "the retry is not due yet")
	require.NoError(t, c.Advance(time.Nanosecond))
	c.Settle()
	assert.Contains(t, log.String(), "webhook delivery forgotten", "the retry came due a second after the restart")
	assert.Equal(t, int32(1), attempts.Load(), "and sent nothing")
}
