// Package webhook delivers the mock's webhooks, for any API that has them: the API builds and signs
// the body (eeID's identificationRequestCompleted, X-HMAC-Signature), Send records it in the store and
// POSTs it, retrying on the mock's clock, and every attempt lands in a delivery log the control API
// reads.
//
// A delivery never runs on the caller's goroutine: Send returns once the delivery is recorded and its
// first attempt scheduled with the clock's AfterFunc(0, ...), so a handler that sends a webhook never
// waits for the receiver. That matters because a receiver calls the mock back while its delivery is
// still open (eeID's own receiver fetches a token, the request and its proof before it answers).
//
// An attempt is acknowledged by 200, 201 or 204 within the timeout (10 s of real time: the receiver
// takes real time to answer, whatever the mock's clock says). Anything else (another status, a
// refused connection, no answer in time) fails it, and the next attempt is scheduled on the mock's
// clock the backoff after the failure (1 s, 2 s, 4 s by default: at most 3 retries, 4 attempts). Under
// a fake clock the retries play out as a test advances the clock, which never sleeps for backoff.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/store"
)

// Kind is the store kind of a delivery record; each is owned by its Delivery.Owner.
const Kind = "webhook.delivery"

// Defaults of a Config left zero.
var (
	// DefaultBackoff is how long after each failed attempt the next one starts: at most 3 retries,
	// 4 attempts.
	DefaultBackoff = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}
	// DefaultTimeout is how long, in real time, a receiver has to acknowledge an attempt.
	DefaultTimeout = 10 * time.Second
	// DefaultRetention is how long a delivery stays in the log after its last change.
	DefaultRetention = 24 * time.Hour
)

// Acknowledged reports whether a receiver's status acknowledges a delivery: 200, 201 or 204. Every
// other status, a 202 or a redirect included, fails the attempt.
func Acknowledged(status int) bool {
	return status == http.StatusOK || status == http.StatusCreated || status == http.StatusNoContent
}

// State is where a delivery is in its life.
type State string

// The states of a delivery. Pending becomes Delivered on an acknowledged attempt, Failed when the last
// attempt fails, or Abandoned when the Sender is closed first (the mock shut down with it pending).
const (
	Pending   State = "pending"
	Delivered State = "delivered"
	Failed    State = "failed"
	Abandoned State = "abandoned"
)

// Delivery is one webhook: what an API asks Send to deliver (API, Owner, URL, Body, Header), and,
// once recorded, what has become of it. Values read back share Body, Header and Attempts with the
// store: treat them as read-only.
type Delivery struct {
	ID  string // set by Send
	API string // the API that sends it: eeid
	// Owner scopes the log: Log(ctx, owner) lists only the owner's deliveries (an eeID service's
	// client_id, so each service sees its own).
	Owner  string
	URL    string      // absolute http or https
	Body   []byte      // sent exactly as given, in every attempt
	Header http.Header // sent as given (Content-Type, X-HMAC-Signature, ...)

	State State
	// Attempts are the attempts made so far, oldest first.
	Attempts  []Attempt
	CreatedAt time.Time // on the mock's clock
	// NextAttemptAt is when, on the mock's clock, the next attempt is due while the delivery is
	// pending; zero otherwise.
	NextAttemptAt time.Time
	// ReplayOf is the delivery this one replays (Sender.Replay); empty for an original.
	ReplayOf string
	// Backoff, when not nil, replaces the Sender's for this delivery; NoRetry makes a single attempt,
	// however it ends. An API uses them to break its retry rules on purpose (serve --broken-rules),
	// so a suite can show it catches that.
	Backoff []time.Duration
	NoRetry bool
}

// Attempt is one POST of a delivery and its outcome.
type Attempt struct {
	Number int       // 1 for the first attempt
	At     time.Time // when it started, on the mock's clock
	// Status is the receiver's HTTP status; 0 when there was none (Error says why).
	Status int
	// Error says why an attempt got no status: a refused connection, a timeout, the mock shutting
	// down while it was in flight. Empty when the receiver answered, whatever the status.
	Error string
	// Latency is how long the receiver took, in real time: the receiver answers in real time even
	// when the mock's clock is fake.
	Latency time.Duration
	// Response is the start of the receiver's answer (at most 256 bytes), for a partner to see why
	// their receiver refused a delivery.
	Response string
}

// Acknowledged reports whether the attempt was acknowledged.
func (a Attempt) Acknowledged() bool { return a.Error == "" && Acknowledged(a.Status) }

// ErrClosed is returned by Send and Replay once the Sender is closed.
var ErrClosed = errors.New("webhook: sender closed")

// Config configures a Sender. Clock and Store are required.
type Config struct {
	Clock  clock.Clock
	Store  store.Store
	Logger *slog.Logger // nil: slog.Default()
	// Backoff is the wait, on the mock's clock, after each failed attempt before the next; its
	// length is the number of retries. nil: DefaultBackoff; an empty non-nil slice: no retries.
	Backoff []time.Duration
	// Timeout is how long, in real time, a receiver has to answer an attempt; zero: DefaultTimeout.
	Timeout time.Duration
	// Retention is how long a delivery is kept after its last change; zero: DefaultRetention.
	Retention time.Duration
	// Transport sends the attempts; nil: a clone of http.DefaultTransport of the Sender's own. Redirects
	// are never followed: a 3xx fails the attempt.
	Transport http.RoundTripper
}

// Sender delivers webhooks. It is safe for concurrent use; Close it when the mock shuts down.
type Sender struct {
	clock     clock.Clock
	store     store.Store
	log       *slog.Logger
	backoff   []time.Duration
	timeout   time.Duration
	retention time.Duration
	client    *http.Client

	ctx    context.Context // cancelled by Close: attempts in flight end at once
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool
	timers map[string]clock.Timer // the scheduled next attempt of each pending delivery, by id
	// running counts scheduled attempts not yet finished, so Close can wait for them. It is only
	// added to under mu while not closed.
	running sync.WaitGroup
}

// New returns a Sender.
func New(cfg Config) *Sender {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Sender{
		clock: cfg.Clock, store: cfg.Store, log: cfg.Logger, backoff: slices.Clone(cfg.Backoff),
		timeout: cfg.Timeout, retention: cfg.Retention, ctx: ctx, cancel: cancel,
		client: &http.Client{Transport: cfg.Transport, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		timers: map[string]clock.Timer{},
	}
}

// Send records a delivery of d.Body with d.Header to d.URL, owned by d.Owner, and schedules its first
// attempt at once, on a goroutine of the clock's: it never waits for the receiver. It returns the
// delivery's id. Body and Header are copied; the other fields but API, Owner, URL, ReplayOf, Backoff and
// NoRetry are ignored.
func (s *Sender) Send(ctx context.Context, d Delivery) (string, error) {
	u, err := url.Parse(d.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("webhook: %q is not an absolute http or https URL", d.URL)
	}
	now := s.clock.Now()
	rec := Delivery{ID: uuid.NewString(), API: d.API, Owner: d.Owner, URL: d.URL, Body: bytes.Clone(d.Body), Header: d.Header.Clone(),
		State: Pending, CreatedAt: now, NextAttemptAt: now, ReplayOf: d.ReplayOf, Backoff: slices.Clone(d.Backoff), NoRetry: d.NoRetry}
	if rec.Header == nil {
		rec.Header = http.Header{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", ErrClosed
	}
	if err := store.Create(ctx, s.store, Kind, rec.ID, rec, store.RetainUntil(now.Add(s.retention)), store.OwnedBy(rec.Owner)); err != nil {
		return "", fmt.Errorf("webhook: recording the delivery: %w", err)
	}
	s.scheduleLocked(rec.ID, 1, 0)
	return rec.ID, nil
}

// Replay sends a delivery again: a new delivery (a new id, returned) of the same API, owner, URL,
// body and headers, with ReplayOf naming the original, whose log stays as it happened. The body is
// not signed again: a replay is byte for byte what the receiver got, signature included.
func (s *Sender) Replay(ctx context.Context, id string) (string, error) {
	d, err := s.Get(ctx, id)
	if err != nil {
		return "", err
	}
	d.ReplayOf = id
	return s.Send(ctx, d)
}

// Get reads a delivery; the error wraps store.ErrNotFound when there is none.
func (s *Sender) Get(ctx context.Context, id string) (Delivery, error) {
	d, err := store.Get[Delivery](ctx, s.store, Kind, id)
	if err != nil {
		return Delivery{}, fmt.Errorf("webhook: delivery %s: %w", id, err)
	}
	return d, nil
}

// Log lists the deliveries of one owner ("" for every owner's), oldest first, with their attempts.
func (s *Sender) Log(ctx context.Context, owner string) ([]Delivery, error) {
	ds, _, err := store.List[Delivery](ctx, s.store, Kind, owner, store.OldestFirst, store.Page{})
	return ds, err
}

// Close stops the retries still scheduled, marks every delivery still pending abandoned and logs each
// (Warn): none is dropped silently. An attempt in flight is cancelled and recorded as such. Close
// returns once no attempt is running; it never waits for a receiver. Send fails after Close.
func (s *Sender) Close() {
	s.mu.Lock()
	first := !s.closed
	s.closed = true
	var stopped []string
	for id, t := range s.timers {
		if t.Stop() {
			stopped = append(stopped, id)
			s.running.Done()
		}
	}
	clear(s.timers)
	s.mu.Unlock()
	if !first {
		s.running.Wait()
		return
	}
	s.cancel()
	for _, id := range stopped {
		s.abandon(id)
	}
	s.running.Wait()
	if t, ok := s.client.Transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// scheduleLocked schedules attempt n of a delivery after d on the mock's clock.
func (s *Sender) scheduleLocked(id string, n int, d time.Duration) {
	s.running.Add(1)
	s.timers[id] = s.clock.AfterFunc(d, func() { s.attempt(id, n) })
}

// attempt makes attempt n of a delivery, records it, and schedules the next one when it failed and
// retries are left.
func (s *Sender) attempt(id string, n int) {
	defer s.running.Done()
	s.mu.Lock()
	delete(s.timers, id)
	closed := s.closed
	s.mu.Unlock()
	if closed {
		s.abandon(id)
		return
	}
	ctx := context.Background() // the store outlives the Sender; s.ctx only bounds the HTTP call
	d, err := s.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		// The mock's state was reset (the store's content replaced) since the delivery was sent.
		s.log.Info("webhook delivery forgotten: the mock's state was reset", "id", id)
		return
	}
	if err != nil {
		s.log.Error("webhook delivery: reading it", "id", id, "error", err)
		return
	}
	a := s.post(d, n)

	backoff := s.backoff
	if d.Backoff != nil {
		backoff = d.Backoff
	}
	retry := !a.Acknowledged() && !d.NoRetry && n <= len(backoff)
	var wait time.Duration
	if retry {
		wait = backoff[n-1]
	}
	failedAt := s.clock.Now()
	d, err = s.update(ctx, id, func(d *Delivery) {
		d.Attempts = append(slices.Clip(d.Attempts), a)
		d.NextAttemptAt = time.Time{}
		switch {
		case a.Acknowledged():
			d.State = Delivered
		case retry:
			d.NextAttemptAt = failedAt.Add(wait)
		default:
			d.State = Failed
		}
	})
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("webhook delivery: recording an attempt", "id", id, "error", err)
		}
		return
	}
	attrs := []any{"id", id, "api", d.API, "owner", d.Owner, "url", redact(d.URL), "attempt", n, "status", a.Status}
	if a.Error != "" {
		attrs = append(attrs, "error", a.Error)
	}
	switch d.State {
	case Delivered:
		s.log.Info("webhook delivered", attrs...)
		return
	case Failed:
		s.log.Warn("webhook delivery failed: no attempts left", attrs...)
		return
	}
	s.mu.Lock()
	if !s.closed {
		s.scheduleLocked(id, n+1, wait)
		s.mu.Unlock()
		s.log.Info("webhook attempt failed; retrying", append(attrs, "retry_in", wait)...)
		return
	}
	s.mu.Unlock()
	s.abandon(id) // the mock shut down during the attempt: no retry to announce
}

// post makes one attempt and says how it went.
func (s *Sender) post(d Delivery, n int) Attempt {
	a := Attempt{Number: n, At: s.clock.Now()}
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		a.Error = err.Error()
		return a
	}
	for k, vs := range d.Header {
		req.Header[k] = slices.Clone(vs)
	}
	start := time.Now() // latency is real time (see Attempt.Latency)
	resp, err := s.client.Do(req)
	a.Latency = time.Since(start)
	if err != nil {
		switch {
		case s.ctx.Err() != nil:
			a.Error = "cancelled: the mock shut down during the attempt"
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			a.Error = fmt.Sprintf("timeout: no answer within %s", s.timeout)
		default:
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			a.Error = err.Error()
		}
		return a
	}
	defer resp.Body.Close()
	a.Status = resp.StatusCode
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	a.Response = strings.ToValidUTF8(string(head), "\uFFFD")
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	return a
}

// abandon marks a pending delivery abandoned and logs it; it leaves one in any other state alone.
func (s *Sender) abandon(id string) {
	var was State
	d, err := s.update(context.Background(), id, func(d *Delivery) {
		was = d.State
		if d.State == Pending {
			d.State, d.NextAttemptAt = Abandoned, time.Time{}
		}
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		s.log.Error("webhook delivery: marking it abandoned", "id", id, "error", err)
	case was == Pending:
		s.log.Warn("webhook delivery abandoned: the mock shut down with it pending", "id", id, "api", d.API, "owner", d.Owner,
			"url", redact(d.URL), "attempts", len(d.Attempts))
	}
}

// update changes a delivery atomically and keeps it for the retention from now.
func (s *Sender) update(ctx context.Context, id string, change func(*Delivery)) (Delivery, error) {
	return store.Update(ctx, s.store, Kind, id, func(d *Delivery) (time.Time, error) {
		change(d)
		return s.clock.Now().Add(s.retention), nil
	})
}

// redact drops what may carry a credential from a URL written to the log: its user info and query.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
