package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/idvkit/idvkit/steps/webhookrecv"
)

// The webhook steps: a scenario's receiver (webhookrecv) starts on first use (w.webhookReceiver), on
// 127.0.0.1 or the target file's webhook.listen, and is closed when the scenario ends.

// defaultWebhookWait bounds how long a step waits for a delivery that has not arrived yet, unless
// the target file's webhook.wait says otherwise: longer than the 10 s a sender gives a receiver to
// answer, so a retry after a timed-out attempt still counts.
const defaultWebhookWait = 15 * time.Second

// webhookWait is how long the scenario's steps wait for a delivery.
func (w *World) webhookWait() time.Duration {
	if w.webhook.Wait > 0 {
		return w.webhook.Wait
	}
	return defaultWebhookWait
}

// webhookReceiver returns the scenario's webhook receiver, started on first use; the scenario's end
// closes it.
func (w *World) webhookReceiver(context.Context) (*webhookrecv.Receiver, error) {
	if w.hooks == nil {
		r, err := webhookrecv.New(w.webhook.Listen, w.webhook.PublicURL)
		if err != nil {
			return nil, err
		}
		w.hooks = r
	}
	return w.hooks, nil
}

// latestWebhookDelivery waits for a first delivery and returns the latest one.
func (w *World) latestWebhookDelivery(ctx context.Context) (webhookrecv.Delivery, error) {
	r, err := w.webhookReceiver(ctx)
	if err != nil {
		return webhookrecv.Delivery{}, err
	}
	ds, err := r.Wait(ctx, 1, w.webhookWait())
	if err != nil {
		return webhookrecv.Delivery{}, err
	}
	return ds[len(ds)-1], nil
}

// registerWebhookSteps adds the steps any API with webhooks shares: where the receiver is, how it
// answers, and what it got. Checks on the latest delivery's body and headers are the last response's
// checks, run on the delivery.
func registerWebhookSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the webhook receiver's URL for "([^"]*)" is saved as "([^"]*)"$`, saveWebhookURL)
	sc.Step(`^the webhook receiver answers (\d{3}) for the next (\d+) deliver(?:y|ies)$`, func(ctx context.Context, status, n int) error {
		return withReceiver(ctx, func(r *webhookrecv.Receiver) error { r.FailNext(n, status); return nil })
	})
	sc.Step(`^the webhook receiver refuses connections$`, func(ctx context.Context) error {
		return withReceiver(ctx, func(r *webhookrecv.Receiver) error { r.Refuse(); return nil })
	})
	sc.Step(`^the webhook receiver accepts connections again$`, func(ctx context.Context) error {
		return withReceiver(ctx, (*webhookrecv.Receiver).Accept)
	})
	sc.Step(`^the webhook receiver stays silent for the next (\d+) deliver(?:y|ies)$`, func(ctx context.Context, n int) error {
		return withReceiver(ctx, func(r *webhookrecv.Receiver) error { r.HangNext(n); return nil })
	})
	sc.Step(`^the webhook receiver answers the deliveries it holds$`, func(ctx context.Context) error {
		return withReceiver(ctx, func(r *webhookrecv.Receiver) error { r.Release(); return nil })
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

func withReceiver(ctx context.Context, f func(*webhookrecv.Receiver) error) error {
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
	path, err := w.interpolateText(path)
	if err != nil {
		return err
	}
	return withReceiver(ctx, func(r *webhookrecv.Receiver) error {
		w.vars[name] = r.URL(path)
		return nil
	})
}

// deliveriesReceived waits until n deliveries have arrived (at most webhook.wait, 15 s by default) and checks that no
// more have. To show that no more will come (no retry after an acknowledgement), move the clock past
// every retry first.
func deliveriesReceived(ctx context.Context, n int) error {
	return withReceiver(ctx, func(r *webhookrecv.Receiver) error {
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
	path, err := w.interpolateText(path)
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

func describeDeliveries(ds []webhookrecv.Delivery) string {
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
