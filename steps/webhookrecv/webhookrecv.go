// Package webhookrecv is the conformance suite's webhook receiver: an HTTP server a scenario starts on
// demand, on 127.0.0.1 or the address the target file's webhook.listen names, and closes when it ends.
// It records every delivery as it arrives and answers as the scenario tells it: a status for the next
// N deliveries, refusing connections, or staying silent for the next N until released. It knows
// nothing of any API: an API's steps (eeID's signature checks) read the recorded raw bodies and
// headers.
package webhookrecv

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxBody bounds what the receiver reads of a delivery.
const maxBody = 1 << 20

// Delivery is one request the receiver got.
type Delivery struct {
	At     time.Time // when it arrived, in real time: the sender's clock may be fake
	Method string
	Path   string // the URL path
	Query  string // the raw query, if any
	Header http.Header
	Body   []byte // raw, exactly as received
	// Status is what the receiver answered; 0 while it hangs, and when the sender gave up first.
	Status int
}

// Receiver is the suite's webhook receiver. Its methods are safe for concurrent use: deliveries
// arrive on the server's goroutines while steps read them.
type Receiver struct {
	addr   string // where it listens: the resolved address, so listening again keeps the port
	public string // the base URL the implementation calls: webhook.public_url, else its own

	mu         sync.Mutex
	srv        *http.Server // nil while refusing connections
	ln         net.Listener // srv's, closed with it: a Serve not yet started would not close it
	deliveries []Delivery
	failLeft   int // how many more deliveries get failStatus
	failStatus int
	hangLeft   int           // how many more deliveries get no answer until released
	release    chan struct{} // closed to let the deliveries held answer
	arrived    chan struct{} // closed and replaced on every delivery
	closed     bool
}

// New starts a receiver listening on listen (default 127.0.0.1:0, a free port); publicURL, when
// given, is the base URL the implementation reaches it at. The caller must Close it.
func New(listen, publicURL string) (*Receiver, error) {
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	r := &Receiver{addr: listen, release: make(chan struct{}), arrived: make(chan struct{})}
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
func (r *Receiver) listen() error {
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
func (r *Receiver) stopLocked() {
	if r.srv != nil {
		_ = r.ln.Close()
		_ = r.srv.Close()
		r.srv, r.ln = nil, nil
	}
}

// URL is the URL the implementation should deliver to at path ("/eeid/webhooks/identification_requests").
func (r *Receiver) URL(path string) string {
	if path != "" && !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return r.public + path
}

// FailNext answers the next n deliveries with status, then 200 again.
func (r *Receiver) FailNext(n, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failLeft, r.failStatus = n, status
}

// Refuse stops listening, so a delivery's connection is refused; deliveries in flight are cut off.
func (r *Receiver) Refuse() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopLocked()
}

// Accept listens again, on the same address, after Refuse.
func (r *Receiver) Accept() error {
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
func (r *Receiver) HangNext(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hangLeft = n
}

// Release answers the deliveries held and stops holding any.
func (r *Receiver) Release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.releaseLocked()
}

func (r *Receiver) releaseLocked() {
	r.hangLeft = 0
	close(r.release)
	r.release = make(chan struct{})
}

// Deliveries returns what has arrived so far, oldest first.
func (r *Receiver) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Delivery, len(r.deliveries))
	copy(out, r.deliveries)
	return out
}

// Wait waits until at least n deliveries have arrived, for at most timeout (and the context), and
// returns them all; it does not wait for more than n.
func (r *Receiver) Wait(ctx context.Context, n int, timeout time.Duration) ([]Delivery, error) {
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

// Close stops the receiver and answers what hangs; the caller must call it (a scenario's end does).
func (r *Receiver) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.closed = true
		r.releaseLocked()
	}
	r.stopLocked()
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, maxBody))
	d := Delivery{At: time.Now().UTC(), Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Header: req.Header.Clone(), Body: body}
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
