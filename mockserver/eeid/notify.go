package eeid

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/webhook"
)

// completed is the identificationRequestCompleted webhook's body, fields in the spec's order.
type completed struct {
	IdentificationRequestID string  `json:"identification_request_id"`
	ClientID                string  `json:"client_id"`
	Reference               *string `json:"reference,omitempty"`
}

// notify sends the identificationRequestCompleted webhook of a request just completed to its
// service's webhook URL, if it has one (EE-11): compact JSON (EE-12), checked against the spec's
// IdentificationRequestCompleted, signed with the service's client_secret, and retried by the
// sender (EE-13). The webhook carries the reference, which the vendor's own receiver finds its
// record by. It never waits for the receiver, which may call the mock back before it answers.
func (m *Mock) notify(ctx context.Context, req request) {
	s, err := store.Get[service](ctx, m.env.Store, kindService, req.ClientID)
	if err != nil || s.WebhookURL == "" {
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the bytes a reference holds, as the API's own answers give it
	if m.env.Broken.Has(ruleCompactJSON) {
		enc.SetIndent("", "  ")
	}
	err = enc.Encode(completed{IdentificationRequestID: req.ID, ClientID: req.ClientID, Reference: req.Reference})
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err != nil {
		m.env.Logger.Error("eeid: encode webhook", "error", err)
		return
	}
	var decoded any
	if err := json.Unmarshal(body, &decoded); err != nil {
		m.env.Logger.Error("eeid: decode webhook", "error", err)
		return
	}
	if f := m.Spec().ValidateValue("IdentificationRequestCompleted", decoded); f != nil {
		m.env.Logger.Error("eeid: the webhook breaks the spec; not sent", "error", f)
		return
	}
	secret := s.ClientSecret
	if m.env.Broken.Has(ruleWrongSecret) {
		secret = "not-" + secret
	}
	// Written as eeID spells it, not canonicalized: the delivery log shows the header as sent.
	header := http.Header{"Content-Type": {"application/json"}, SignatureHeader: {Sign(body, secret)}}
	_, err = m.env.Webhooks.Send(ctx, webhook.Delivery{API: Name, Owner: s.ClientID, URL: s.WebhookURL, Body: body, Header: header,
		NoRetry: m.env.Broken.Has(ruleNoRetry), Backoff: m.backoff()})
	if err != nil {
		m.env.Logger.Error("eeid: send webhook", "error", err)
	}
}

// backoff is the retry spacing: the sender's 1 s, 2 s, 4 s (EE-19), or twice that when the rule is
// broken on purpose.
func (m *Mock) backoff() []time.Duration {
	if !m.env.Broken.Has(ruleBackoff) {
		return nil
	}
	return []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}
}

// deliveryView is a delivery as the control API shows it (WebhookDelivery).
type deliveryView struct {
	ID            string            `json:"id"`
	API           string            `json:"api"`
	URL           string            `json:"url"`
	Headers       map[string]string `json:"headers"`
	Body          string            `json:"body"`
	State         webhook.State     `json:"state"`
	CreatedAt     string            `json:"created_at"`
	NextAttemptAt *string           `json:"next_attempt_at,omitempty"`
	ReplayOf      string            `json:"replay_of,omitempty"`
	Attempts      []attemptView     `json:"attempts"`
}

type attemptView struct {
	Number    int     `json:"number"`
	At        string  `json:"at"`
	Status    int     `json:"status,omitempty"`
	Error     string  `json:"error,omitempty"`
	LatencyMS float64 `json:"latency_ms"`
	Response  string  `json:"response,omitempty"`
}

func viewDelivery(d webhook.Delivery) deliveryView {
	v := deliveryView{ID: d.ID, API: d.API, URL: d.URL, Headers: map[string]string{}, Body: string(d.Body), State: d.State,
		CreatedAt: d.CreatedAt.UTC().Format(time.RFC3339Nano), ReplayOf: d.ReplayOf, Attempts: make([]attemptView, len(d.Attempts))}
	for k, vs := range d.Header {
		v.Headers[k] = strings.Join(vs, ", ")
	}
	if !d.NextAttemptAt.IsZero() {
		next := d.NextAttemptAt.UTC().Format(time.RFC3339Nano)
		v.NextAttemptAt = &next
	}
	for i, a := range d.Attempts {
		v.Attempts[i] = attemptView{Number: a.Number, At: a.At.UTC().Format(time.RFC3339Nano), Status: a.Status, Error: a.Error,
			LatencyMS: float64(a.Latency.Microseconds()) / 1000, Response: a.Response}
	}
	return v
}

// listEeidDeliveries is listEeidDeliveries (GET /_mock/eeid/services/{client_id}/deliveries): the
// webhooks sent to a service, oldest first, with every attempt.
func (m *Mock) listEeidDeliveries(r *http.Request) (int, any, error) {
	ctx := r.Context()
	clientID := apihttp.PathParam(r, "client_id")
	if _, err := store.Get[service](ctx, m.env.Store, kindService, clientID); err != nil {
		return 0, nil, errNoService
	}
	ds, err := m.env.Webhooks.Log(ctx, clientID)
	if err != nil {
		return 0, nil, fmt.Errorf("read deliveries: %w", err)
	}
	items := make([]deliveryView, len(ds))
	for i, d := range ds {
		items[i] = viewDelivery(d)
	}
	return http.StatusOK, struct {
		Items []deliveryView `json:"items"`
	}{items}, nil
}

// replayEeidDelivery is replayEeidDelivery (POST /_mock/eeid/deliveries/{id}/replay): the same bytes
// and signature again, as a new delivery (202 with its id); the original's log stays as it was.
func (m *Mock) replayEeidDelivery(r *http.Request) (int, any, error) {
	ctx := r.Context()
	id := apihttp.PathParam(r, "id")
	d, err := m.env.Webhooks.Get(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && d.API != Name):
		return 0, nil, errNoDelivery
	case err != nil:
		return 0, nil, fmt.Errorf("read delivery: %w", err)
	}
	replay, err := m.env.Webhooks.Replay(ctx, id)
	if err != nil {
		return 0, nil, fmt.Errorf("replay delivery: %w", err)
	}
	return http.StatusAccepted, struct {
		ID string `json:"id"`
	}{replay}, nil
}
