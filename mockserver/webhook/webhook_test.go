package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/mockserver/webhook"
)

var (
	ctx   = context.Background()
	start = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	body  = []byte(`{"identification_request_id":"5f0c3f4e-8f5d-4a43-9d5e-1b1a1c3e2d10","client_id":"svc-a"}`)
)

// fixture is a Sender on a fake clock and a memory store, logging into a buffer.
type fixture struct {
	clock *clock.Adjustable
	store store.Store
	s     *webhook.Sender
	log   *syncBuffer
}

func newFixture(t *testing.T, edit ...func(*webhook.Config)) *fixture {
	t.Helper()
	f := &fixture{clock: clock.NewFake(start), store: memory.New(), log: &syncBuffer{}}
	cfg := webhook.Config{Clock: f.clock, Store: f.store, Logger: slog.New(slog.NewTextHandler(f.log, nil))}
	for _, e := range edit {
		e(&cfg)
	}
	f.s = webhook.New(cfg)
	t.Cleanup(f.s.Close)
	return f
}

func (f *fixture) send(t *testing.T, url string) string {
	t.Helper()
	id, err := f.s.Send(ctx, webhook.Delivery{API: "eeid", Owner: "svc-a", URL: url, Body: body,
		Header: http.Header{"Content-Type": {"application/json"}, "X-Hmac-Signature": {"abc123"}}})
	require.NoError(t, err)
	return id
}

func (f *fixture) get(t *testing.T, id string) webhook.Delivery {
	t.Helper()
	d, err := f.s.Get(ctx, id)
	require.NoError(t, err)
	return d
}

// offsets are when, after start on the mock's clock, each attempt began.
func offsets(d webhook.Delivery) []time.Duration {
	var out []time.Duration
	for _, a := range d.Attempts {
		out = append(out, a.At.Sub(start))
	}
	return out
}

func statuses(d webhook.Delivery) []int {
	var out []int
	for _, a := range d.Attempts {
		out = append(out, a.Status)
	}
	return out
}

// receiver answers each delivery with the next of its statuses, then with the last one.
type receiver struct {
	URL string

	mu       sync.Mutex
	statuses []int
	got      []*http.Request
	bodies   [][]byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got, r.bodies = append(r.got, req), append(r.bodies, b)
		status := r.statuses[0]
		if len(r.statuses) > 1 {
			r.statuses = r.statuses[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(status)
		fmt.Fprintf(w, "answered %d", status)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/eeid/webhooks/identification_requests"
	return r
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func TestAnAcknowledgedDeliveryIsMadeOnceAtOnce(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t, 200)
	id := f.send(t, r.URL)
	f.clock.Settle()

	d := f.get(t, id)
	assert.Equal(t, webhook.Delivered, d.State)
	assert.Equal(t, []time.Duration{0}, offsets(d))
	assert.Equal(t, []int{200}, statuses(d))
	assert.Equal(t, "answered 200", d.Attempts[0].Response)
	assert.Empty(t, d.Attempts[0].Error)
	assert.True(t, d.NextAttemptAt.IsZero())
	assert.Equal(t, start, d.CreatedAt)

	require.Equal(t, 1, r.count())
	assert.Equal(t, http.MethodPost, r.got[0].Method)
	assert.Equal(t, "/eeid/webhooks/identification_requests", r.got[0].URL.Path)
	assert.Equal(t, body, r.bodies[0], "the body is sent byte for byte")
	assert.Equal(t, "abc123", r.got[0].Header.Get("X-HMAC-Signature"))
	assert.Equal(t, "application/json", r.got[0].Header.Get("Content-Type"))

	require.NoError(t, f.clock.Advance(time.Hour))
	assert.Equal(t, 1, r.count(), "no retry after an acknowledgement")
	assert.Contains(t, f.log.String(), "webhook delivered")
}

func TestAFailedAttemptIsRetriedOnTheClockUntilAcknowledged(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t, 500, 500, 200)
	id := f.send(t, r.URL)
	f.clock.Settle()

	d := f.get(t, id)
	assert.Equal(t, webhook.Pending, d.State)
	assert.Equal(t, start.Add(time.Second), d.NextAttemptAt)
	require.NoError(t, f.clock.Advance(time.Second-time.Nanosecond))
	assert.Equal(t, 1, r.count(), "the retry waits its backoff on the mock's clock")
	require.NoError(t, f.clock.Advance(time.Nanosecond))
	assert.Equal(t, 2, r.count())

	require.NoError(t, f.clock.Advance(time.Minute))
	d = f.get(t, id)
	assert.Equal(t, webhook.Delivered, d.State)
	assert.Equal(t, []time.Duration{0, time.Second, 3 * time.Second}, offsets(d))
	assert.Equal(t, []int{500, 500, 200}, statuses(d))
	assert.Equal(t, 3, r.count())
}

func TestAReceiverThatAlwaysFailsGetsFourAttempts(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t, 500)
	id := f.send(t, r.URL)
	require.NoError(t, f.clock.Advance(time.Hour))

	d := f.get(t, id)
	assert.Equal(t, webhook.Failed, d.State)
	assert.Equal(t, []time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second}, offsets(d))
	assert.Equal(t, []int{500, 500, 500, 500}, statuses(d))
	for i, a := range d.Attempts {
		assert.Equal(t, i+1, a.Number)
	}
	assert.True(t, d.NextAttemptAt.IsZero())
	assert.Equal(t, 4, r.count())
	assert.Contains(t, f.log.String(), "no attempts left")
}

func TestANoRetryDeliveryIsAttemptedOnce(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t, 500)
	id, err := f.s.Send(ctx, webhook.Delivery{API: "eeid", Owner: "svc-a", URL: r.URL, Body: body, NoRetry: true})
	require.NoError(t, err)
	require.NoError(t, f.clock.Advance(time.Hour))

	d := f.get(t, id)
	assert.Equal(t, webhook.Failed, d.State)
	assert.Equal(t, []int{500}, statuses(d))
	assert.Equal(t, 1, r.count())
}

func TestADeliveryMayHaveItsOwnBackoff(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t, 500)
	id, err := f.s.Send(ctx, webhook.Delivery{API: "eeid", Owner: "svc-a", URL: r.URL, Body: body,
		Backoff: []time.Duration{2 * time.Second, 4 * time.Second}})
	require.NoError(t, err)
	require.NoError(t, f.clock.Advance(time.Hour))

	d := f.get(t, id)
	assert.Equal(t, []time.Duration{0, 2 * time.Second, 6 * time.Second}, offsets(d))
	assert.Equal(t, webhook.Failed, d.State)
}

// 200, 201 and 204 acknowledge; any other status fails the attempt, a redirect included (it is not
// followed).
func TestOnly200201And204Acknowledge(t *testing.T) {
	for status, acked := range map[int]bool{200: true, 201: true, 204: true, 202: false, 302: false, 400: false, 401: false, 404: false, 503: false} {
		f := newFixture(t, func(c *webhook.Config) { c.Backoff = []time.Duration{} })
		r := newReceiver(t, status)
		id := f.send(t, r.URL)
		f.clock.Settle()
		d := f.get(t, id)
		assert.Equal(t, acked, d.Attempts[0].Acknowledged(), status)
		want := webhook.Failed
		if acked {
			want = webhook.Delivered
		}
		assert.Equal(t, want, d.State, status)
		assert.Equal(t, []int{status}, statuses(d))
		assert.Equal(t, 1, r.count(), "%d: one attempt, no redirect followed", status)
	}
}

// A refused connection fails the attempt and is retried; once the receiver listens, the retry
// delivers.
func TestARefusedConnectionIsRetried(t *testing.T) {
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	id := f.send(t, "http://"+addr+"/eeid/webhooks/identification_requests")
	f.clock.Settle()
	d := f.get(t, id)
	require.Len(t, d.Attempts, 1)
	assert.Equal(t, 0, d.Attempts[0].Status)
	assert.Contains(t, d.Attempts[0].Error, "refused")
	assert.Equal(t, webhook.Pending, d.State)

	ln, err = net.Listen("tcp", addr)
	require.NoError(t, err, "the port was taken meanwhile")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) })}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	require.NoError(t, f.clock.Advance(time.Second))
	d = f.get(t, id)
	assert.Equal(t, webhook.Delivered, d.State)
	assert.Equal(t, []int{0, 204}, statuses(d))
	assert.Equal(t, []time.Duration{0, time.Second}, offsets(d))
}

// hanging is a receiver that holds each request until the request ends (the sender gives up) or the
// test ends; it signals each arrival.
func hanging(t *testing.T) (url string, arrived chan struct{}) {
	arrived = make(chan struct{}, 16)
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(func() { close(done); srv.Close() })
	return srv.URL + "/hook", arrived
}

// A receiver that does not answer within the timeout fails the attempt, which is retried.
func TestASilentReceiverTimesOut(t *testing.T) {
	f := newFixture(t, func(c *webhook.Config) { c.Timeout = 50 * time.Millisecond })
	url, arrived := hanging(t)
	id := f.send(t, url)
	f.clock.Settle()
	d := f.get(t, id)
	require.Len(t, d.Attempts, 1)
	assert.Equal(t, "timeout: no answer within 50ms", d.Attempts[0].Error)
	assert.GreaterOrEqual(t, d.Attempts[0].Latency, 50*time.Millisecond, "latency is real time")
	assert.Equal(t, webhook.Pending, d.State)
	assert.Len(t, arrived, 1)

	require.NoError(t, f.clock.Advance(time.Minute))
	d = f.get(t, id)
	assert.Equal(t, webhook.Failed, d.State)
	assert.Equal(t, []time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second}, offsets(d))
}

// Close abandons a delivery whose retry is scheduled, logs it, and nothing more is sent.
func TestCloseAbandonsAPendingRetryAndLogsIt(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t, 500)
	id := f.send(t, r.URL)
	f.clock.Settle()
	require.Equal(t, webhook.Pending, f.get(t, id).State)

	f.s.Close()
	d := f.get(t, id)
	assert.Equal(t, webhook.Abandoned, d.State)
	assert.True(t, d.NextAttemptAt.IsZero())
	assert.Regexp(t, `level=WARN msg="webhook delivery abandoned: the mock shut down with it pending" id=`+id+` api=eeid owner=svc-a url=http://127\.0\.0\.1:\d+/eeid/webhooks/identification_requests attempts=1`, f.log.String())

	require.NoError(t, f.clock.Advance(time.Hour))
	assert.Equal(t, 1, r.count(), "no attempt after Close")
	_, err := f.s.Send(ctx, webhook.Delivery{URL: r.URL})
	assert.ErrorIs(t, err, webhook.ErrClosed)
	f.s.Close() // twice is fine
}

// Close cancels an attempt in flight rather than waiting for the receiver, and abandons the delivery.
func TestCloseDoesNotWaitForAReceiver(t *testing.T) {
	f := newFixture(t) // the default 10 s timeout
	url, arrived := hanging(t)
	id := f.send(t, url)
	<-arrived

	closed := make(chan struct{})
	go func() { f.s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the receiver")
	}
	d := f.get(t, id)
	assert.Equal(t, webhook.Abandoned, d.State)
	require.Len(t, d.Attempts, 1)
	assert.Equal(t, "cancelled: the mock shut down during the attempt", d.Attempts[0].Error)
	assert.Contains(t, f.log.String(), "webhook delivery abandoned")
	assert.NotContains(t, f.log.String(), "retrying", "no retry is announced for an attempt cut off by the shutdown")
}

// Send returns before the receiver has answered: a delivery never runs on the caller's goroutine.
func TestSendDoesNotWaitForTheReceiver(t *testing.T) {
	f := newFixture(t)
	url, arrived := hanging(t)
	id := f.send(t, url) // would not return if it waited for the hanging receiver
	<-arrived
	assert.Equal(t, webhook.Pending, f.get(t, id).State)
}

func TestConcurrentSendsAreEachDeliveredOnce(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t, 200)
	const n = 50
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id, err := f.s.Send(ctx, webhook.Delivery{API: "eeid", Owner: "svc-a", URL: r.URL, Body: fmt.Appendf(nil, `{"n":%d}`, i)})
			assert.NoError(t, err)
			ids[i] = id
		})
	}
	wg.Wait()
	f.clock.Settle()
	require.NoError(t, f.clock.Advance(time.Hour))

	log, err := f.s.Log(ctx, "svc-a")
	require.NoError(t, err)
	require.Len(t, log, n)
	for _, d := range log {
		assert.Equal(t, webhook.Delivered, d.State)
		assert.Len(t, d.Attempts, 1)
	}
	assert.Equal(t, n, r.count())
	seen := map[string]bool{}
	for _, b := range r.bodies {
		seen[string(b)] = true
	}
	assert.Len(t, seen, n, "each body arrived once")
}

func TestTheLogIsScopedByOwner(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t, 200)
	a1 := f.send(t, r.URL)
	b1, err := f.s.Send(ctx, webhook.Delivery{API: "eeid", Owner: "svc-b", URL: r.URL, Body: body})
	require.NoError(t, err)
	a2 := f.send(t, r.URL)
	f.clock.Settle()

	ids := func(owner string) []string {
		log, err := f.s.Log(ctx, owner)
		require.NoError(t, err)
		var out []string
		for _, d := range log {
			out = append(out, d.ID)
		}
		return out
	}
	assert.Equal(t, []string{a1, a2}, ids("svc-a"), "oldest first")
	assert.Equal(t, []string{b1}, ids("svc-b"))
	assert.Empty(t, ids("svc-c"))
	assert.Len(t, ids(""), 3)

	_, err = f.s.Get(ctx, "no-such-delivery")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

// A replay is a new delivery of the same bytes and headers; the original's log stays as it was.
func TestReplaySendsTheSameBytesAgain(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t, 500, 500, 500, 500, 200)
	id := f.send(t, r.URL)
	require.NoError(t, f.clock.Advance(time.Hour))
	require.Equal(t, webhook.Failed, f.get(t, id).State)

	again, err := f.s.Replay(ctx, id)
	require.NoError(t, err)
	assert.NotEqual(t, id, again)
	f.clock.Settle()
	d := f.get(t, again)
	assert.Equal(t, webhook.Delivered, d.State)
	assert.Equal(t, id, d.ReplayOf)
	assert.Equal(t, "svc-a", d.Owner)
	assert.Equal(t, []int{200}, statuses(d))
	assert.Equal(t, webhook.Failed, f.get(t, id).State)
	require.Equal(t, 5, r.count())
	assert.Equal(t, r.bodies[0], r.bodies[4])
	assert.Equal(t, r.got[0].Header.Get("X-HMAC-Signature"), r.got[4].Header.Get("X-HMAC-Signature"))

	_, err = f.s.Replay(ctx, "no-such-delivery")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func TestSendRefusesAURLItCannotPost(t *testing.T) {
	f := newFixture(t)
	for _, u := range []string{"", "/relative", "ftp://example.com/x", "http://", "::"} {
		_, err := f.s.Send(ctx, webhook.Delivery{URL: u, Body: body})
		assert.Error(t, err, u)
	}
	log, err := f.s.Log(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, log)
}

// A reset of the mock's state (the store's content replaced) forgets the delivery: its scheduled
// retry finds nothing to send.
func TestAResetForgetsAPendingDelivery(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t, 500)
	f.send(t, r.URL)
	f.clock.Settle()
	require.NoError(t, f.store.Replace(ctx, nil))
	require.NoError(t, f.clock.Advance(time.Hour))
	assert.Equal(t, 1, r.count())
	assert.Contains(t, f.log.String(), "forgotten")
}

// A delivery is kept for the retention after its last change, then swept.
func TestADeliveryIsKeptForTheRetention(t *testing.T) {
	f := newFixture(t, func(c *webhook.Config) { c.Retention = time.Hour })
	r := newReceiver(t, 500, 200)
	id := f.send(t, r.URL)
	require.NoError(t, f.clock.Advance(time.Second)) // delivered at +1 s
	require.Equal(t, webhook.Delivered, f.get(t, id).State)

	n, err := f.store.Sweep(ctx, start.Add(time.Hour))
	require.NoError(t, err)
	assert.Zero(t, n, "kept an hour after its last attempt, not after its creation")
	n, err = f.store.Sweep(ctx, start.Add(time.Hour+time.Second))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// syncBuffer is a bytes.Buffer for a logger written from the clock's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
