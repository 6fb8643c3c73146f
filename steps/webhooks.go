package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
)

// The suite's webhook receiver: an HTTP server a scenario starts on demand (w.webhookReceiver), on
// 127.0.0.1 or the target file's webhook.listen, closed when the scenario ends. It records every
// delivery as it arrives and answers as the scenario tells it: a status for the next N deliveries,
// refusing connections, or staying silent for the next N until released. It knows nothing of any API: an API's steps
// (eeID's signature checks) read the recorded raw bodies and headers.

// defaultWebhookWait bounds how long a step waits for a delivery that has not arrived yet, unless
// the target file's webhook.wait says otherwise: longer than the 10 s a sender gives a receiver to
// answer, so a retry after a timed-out attempt still counts.
const defaultWebhookWait = 15 * time.Second

// webhookWait is how long the scenario's steps wait for a delivery.
func (w *world) webhookWait() time.Duration {
	if w.webhook.Wait > 0 {
		return time.Duration(w.webhook.Wait)
	}
	return defaultWebhookWait
}

// maxWebhookBody bounds what the receiver reads of a delivery.
const maxWebhookBody = 1 << 20

// delivery is one request the receiver got.
type delivery struct {
	At     time.Time // when it arrived, in real time: the sender's clock may be fake
	Method string
	Path   string // the URL path
	Query  string // the raw query, if any
	Header http.Header
	Body   []byte // raw, exactly as received
	// Status is what the receiver answered; 0 while it hangs, and when the sender gave up first.
	Status int
}

// receiver is the suite's webhook receiver. Its methods are safe for concurrent use: deliveries
// arrive on the server's goroutines while steps read them.
type receiver struct {
	addr   string // where it listens: the resolved address, so listening again keeps the port
	public string // the base URL the implementation calls: webhook.public_url, else its own

	mu         sync.Mutex
	srv        *http.Server // nil while refusing connections
	ln         net.Listener // srv's, closed with it: a Serve not yet started would not close it
	deliveries []delivery
	failLeft   int // how many more deliveries get failStatus
	failStatus int
	hangLeft   int           // how many more deliveries get no answer until released
	release    chan struct{} // closed to let the deliveries held answer
	arrived    chan struct{} // closed and replaced on every delivery
	closed     bool
}

// newReceiver starts a receiver listening on listen (default 127.0.0.1:0, a free port); publicURL,
// when given, is the base URL the implementation reaches it at.
func newReceiver(listen, publicURL string) (*receiver, error) {
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	r := &receiver{addr: listen, release: make(chan struct{}), arrived: make(chan struct{})}
	if err := r.listen(); err != nil {
		return nil, fmt.Errorf("webhook receiver: %w (a fixed webhook.listen address cannot serve scenarios running in parallel)", err)
	}
	r.public = strings.TrimSuffix(publicURL, "/")
	if r.public == "" {
		host, port, _ := net.SplitHostPort(r.addr)
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1"
		}
		r.public = "http://" + net.JoinHostPort(host, port)
	}
	return r, nil
}

// listen starts serving on r.addr, and keeps the address it got (a free port's number).
func (r *receiver) listen() error {
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		return err
	}
	r.addr = ln.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	r.srv, r.ln = srv, ln
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// stopLocked stops listening and cuts off the connections of deliveries in flight.
func (r *receiver) stopLocked() {
	if r.srv != nil {
		_ = r.ln.Close()
		_ = r.srv.Close()
		r.srv, r.ln = nil, nil
	}
}

// URL is the URL the implementation should deliver to at path ("/eeid/webhooks/identification_requests").
func (r *receiver) URL(path string) string {
	if path != "" && !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return r.public + path
}

// FailNext answers the next n deliveries with status, then 200 again.
func (r *receiver) FailNext(n, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failLeft, r.failStatus = n, status
}

// Refuse stops listening, so a delivery's connection is refused; deliveries in flight are cut off.
func (r *receiver) Refuse() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopLocked()
}

// Accept listens again, on the same address, after Refuse.
func (r *receiver) Accept() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv != nil || r.closed {
		return nil
	}
	if err := r.listen(); err != nil {
		return fmt.Errorf("webhook receiver: listening again on %s: %w", r.addr, err)
	}
	return nil
}

// HangNext holds the next n deliveries unanswered until Release or until the sender gives up (its
// request's context ends): a receiver silent past the sender's timeout, then answering again.
func (r *receiver) HangNext(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hangLeft = n
}

// Release answers the deliveries held and stops holding any.
func (r *receiver) Release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.releaseLocked()
}

func (r *receiver) releaseLocked() {
	r.hangLeft = 0
	close(r.release)
	r.release = make(chan struct{})
}

// Deliveries returns what has arrived so far, oldest first.
func (r *receiver) Deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]delivery, len(r.deliveries))
	copy(out, r.deliveries)
	return out
}

// Wait waits until at least n deliveries have arrived, for at most timeout (and the context), and
// returns them all; it does not wait for more than n.
func (r *receiver) Wait(ctx context.Context, n int, timeout time.Duration) ([]delivery, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		r.mu.Lock()
		got, arrived := len(r.deliveries), r.arrived
		r.mu.Unlock()
		if got >= n {
			return r.Deliveries(), nil
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			return r.Deliveries(), fmt.Errorf("%d webhook deliveries were received within %s, not %d", got, timeout, n)
		}
	}
}

// Close stops the receiver and answers what hangs; the scenario's end calls it.
func (r *receiver) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.closed = true
		r.releaseLocked()
	}
	r.stopLocked()
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, maxWebhookBody))
	d := delivery{At: time.Now().UTC(), Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Header: req.Header.Clone(), Body: body}
	r.mu.Lock()
	status := http.StatusOK
	if r.failLeft > 0 {
		r.failLeft--
		status = r.failStatus
	}
	hang, release := r.hangLeft > 0, r.release
	if hang {
		r.hangLeft--
	} else {
		d.Status = status
	}
	i := len(r.deliveries)
	r.deliveries = append(r.deliveries, d)
	close(r.arrived)
	r.arrived = make(chan struct{})
	r.mu.Unlock()
	if hang {
		select {
		case <-release:
		case <-req.Context().Done():
			return // the sender gave up: it gets no answer
		}
		r.mu.Lock()
		r.deliveries[i].Status = status
		r.mu.Unlock()
	}
	w.WriteHeader(status)
}

// webhookReceiver returns the scenario's webhook receiver, started on first use; the scenario's end
// closes it.
func (w *world) webhookReceiver(context.Context) (*receiver, error) {
	if w.hooks == nil {
		r, err := newReceiver(w.webhook.Listen, w.webhook.PublicURL)
		if err != nil {
			return nil, err
		}
		w.hooks = r
	}
	return w.hooks, nil
}

// closeWebhookReceiver closes the scenario's receiver, if it started one.
func (w *world) closeWebhookReceiver() {
	if w.hooks != nil {
		w.hooks.Close()
	}
}

// latestWebhookDelivery waits for a first delivery and returns the latest one.
func (w *world) latestWebhookDelivery(ctx context.Context) (delivery, error) {
	r, err := w.webhookReceiver(ctx)
	if err != nil {
		return delivery{}, err
	}
	ds, err := r.Wait(ctx, 1, w.webhookWait())
	if err != nil {
		return delivery{}, err
	}
	return ds[len(ds)-1], nil
}

// registerWebhookSteps adds the steps any API with webhooks shares: where the receiver is, how it
// answers, and what it got. Checks on the latest delivery's body and headers are the last response's
// checks, run on the delivery.
func registerWebhookSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the webhook receiver's URL for "([^"]*)" is saved as "([^"]*)"$`, saveWebhookURL)
	sc.Step(`^the webhook receiver answers (\d{3}) for the next (\d+) deliver(?:y|ies)$`, func(ctx context.Context, status, n int) error {
		return withReceiver(ctx, func(r *receiver) error { r.FailNext(n, status); return nil })
	})
	sc.Step(`^the webhook receiver refuses connections$`, func(ctx context.Context) error {
		return withReceiver(ctx, func(r *receiver) error { r.Refuse(); return nil })
	})
	sc.Step(`^the webhook receiver accepts connections again$`, func(ctx context.Context) error {
		return withReceiver(ctx, (*receiver).Accept)
	})
	sc.Step(`^the webhook receiver stays silent for the next (\d+) deliver(?:y|ies)$`, func(ctx context.Context, n int) error {
		return withReceiver(ctx, func(r *receiver) error { r.HangNext(n); return nil })
	})
	sc.Step(`^the webhook receiver answers the deliveries it holds$`, func(ctx context.Context) error {
		return withReceiver(ctx, func(r *receiver) error { r.Release(); return nil })
	})
	sc.Step(`^exactly (\d+) webhook deliver(?:y|ies) (?:was|were) received$`, deliveriesReceived)
	sc.Step(`^the latest webhook delivery was "([A-Z]+) ([^"]*)"$`, latestDeliveryWas)
	sc.Step(`^the latest webhook delivery's body is compact JSON$`, latestDeliveryIsCompactJSON)
	sc.Step(`^the latest webhook delivery's field "([^"]*)" is `+literalPattern+`$`, func(ctx context.Context, path, literal string) error {
		return onLatestDelivery(ctx, func() error { return fieldIs(ctx, path, literal) })
	})
	sc.Step(`^the latest webhook delivery's field "([^"]*)" is not empty$`, func(ctx context.Context, path string) error {
		return onLatestDelivery(ctx, func() error { return fieldIsNotEmpty(ctx, path) })
	})
	sc.Step(`^the latest webhook delivery's field "([^"]*)" is saved as "([^"]*)"$`, func(ctx context.Context, path, name string) error {
		return onLatestDelivery(ctx, func() error { return saveField(ctx, path, name) })
	})
	sc.Step(`^the latest webhook delivery's header "([^"]*)" is "([^"]*)"$`, func(ctx context.Context, name, want string) error {
		return onLatestDelivery(ctx, func() error { return headerIs(ctx, name, want) })
	})
}

func withReceiver(ctx context.Context, f func(*receiver) error) error {
	r, err := worldFrom(ctx).webhookReceiver(ctx)
	if err != nil {
		return err
	}
	return f(r)
}

// saveWebhookURL keeps the URL the implementation should deliver to at a path as ${name}, for the
// step that configures the implementation's webhook.
func saveWebhookURL(ctx context.Context, path, name string) error {
	w := worldFrom(ctx)
	path, err := w.interpolate(path, func(s string) string { return s })
	if err != nil {
		return err
	}
	return withReceiver(ctx, func(r *receiver) error {
		w.vars[name] = r.URL(path)
		return nil
	})
}

// deliveriesReceived waits until n deliveries have arrived (at most webhook.wait, 15 s by default) and checks that no
// more have. To show that no more will come (no retry after an acknowledgement), move the clock past
// every retry first.
func deliveriesReceived(ctx context.Context, n int) error {
	return withReceiver(ctx, func(r *receiver) error {
		ds, err := r.Wait(ctx, n, worldFrom(ctx).webhookWait())
		if err != nil {
			return err
		}
		if len(ds) != n {
			return fmt.Errorf("%d webhook deliveries were received, not %d: %s", len(ds), n, describeDeliveries(ds))
		}
		return nil
	})
}

func latestDeliveryWas(ctx context.Context, method, path string) error {
	w := worldFrom(ctx)
	path, err := w.interpolate(path, func(s string) string { return s })
	if err != nil {
		return err
	}
	d, err := w.latestWebhookDelivery(ctx)
	if err != nil {
		return err
	}
	if d.Method != method || d.Path != path {
		return fmt.Errorf("the latest webhook delivery was %s %s, not %s %s", d.Method, d.Path, method, path)
	}
	return nil
}

// latestDeliveryIsCompactJSON checks that the body is JSON with no whitespace outside its strings,
// so a receiver that strips whitespace before checking a signature sees the bytes that were signed.
func latestDeliveryIsCompactJSON(ctx context.Context) error {
	d, err := worldFrom(ctx).latestWebhookDelivery(ctx)
	if err != nil {
		return err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, d.Body); err != nil {
		return fmt.Errorf("the latest webhook delivery's body is not JSON (%v): %s", err, excerpt(d.Body))
	}
	if !bytes.Equal(compact.Bytes(), d.Body) {
		return fmt.Errorf("the latest webhook delivery's body is JSON with whitespace outside its strings: %q", excerpt(d.Body))
	}
	return nil
}

// onLatestDelivery runs a check of the last response on the latest delivery instead: its body,
// headers and the status the receiver answered. The last response is left as it was.
func onLatestDelivery(ctx context.Context, check func() error) error {
	w := worldFrom(ctx)
	d, err := w.latestWebhookDelivery(ctx)
	if err != nil {
		return err
	}
	r := &response{status: d.Status, header: d.Header, raw: d.Body}
	if json.Unmarshal(d.Body, &r.body) != nil {
		r.body = nil
	}
	saved := w.last
	w.last = r
	defer func() { w.last = saved }()
	if err := check(); err != nil {
		return fmt.Errorf("the latest webhook delivery: %w", err)
	}
	return nil
}

func describeDeliveries(ds []delivery) string {
	if len(ds) == 0 {
		return "none"
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		status := "no answer"
		if d.Status != 0 {
			status = fmt.Sprint(d.Status)
		}
		parts[i] = fmt.Sprintf("%s %s answered %s", d.Method, d.Path, status)
	}
	return strings.Join(parts, "; ")
}
