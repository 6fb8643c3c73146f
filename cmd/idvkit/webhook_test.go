package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/eeid"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/mockserver/webhook"
)

const hookSecret = "s3cr3t-client-secret"

// listening runs `idvkit webhook listen` in-process until the test ends, and returns its URL and its
// output, line by line.
func listening(t *testing.T, args ...string) (url string, lines <-chan string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	out := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			out <- sc.Text()
		}
		close(out)
	}()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"webhook", "listen", "--addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, pw, &stderr)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err, "Ctrl-C ends it cleanly")
		case <-time.After(10 * time.Second):
			t.Error("webhook listen did not stop when its context was cancelled")
		}
	})
	first := <-out
	require.Contains(t, first, "listening on http://127.0.0.1:", stderr.String())
	url = strings.Fields(strings.TrimPrefix(first, "listening on "))[0]
	return strings.TrimSuffix(url, ":"), out
}

// next reads one printed delivery: its header line and the three lines under it.
func next(t *testing.T, lines <-chan string) string {
	t.Helper()
	var got []string
	for range 4 {
		select {
		case l := <-lines:
			got = append(got, l)
		case <-time.After(10 * time.Second):
			t.Fatalf("no delivery printed; so far: %q", got)
		}
	}
	return strings.Join(got, "\n")
}

func postHook(t *testing.T, url, body, signature string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("X-HMAC-Signature", signature)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// Every delivery is printed, valid or not, with what each kind of receiver makes of its signature,
// and answered with --status.
func TestWebhookListenPrintsEveryDeliveryAndItsSignature(t *testing.T) {
	url, lines := listening(t, "--secret", hookSecret, "--status", "201")
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/eeid/webhooks/identification_requests$`, url)

	compact := `{"identification_request_id":"5f0c3f4e-8f5d-4a43-9d5e-1b1a1c3e2d10","client_id":"svc-a","reference":"C-1"}`
	assert.Equal(t, 201, postHook(t, url, compact, eeid.Sign([]byte(compact), hookSecret)))
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ POST /eeid/webhooks/identification_requests -> 201
  content-type: application/json
  signature: valid against the raw body, valid against the whitespace-stripped body \(eeID's own receiver\)
  body: `+regexp.QuoteMeta(compact)+`$`, next(t, lines))

	spaced := `{"identification_request_id": "5f0c3f4e-8f5d-4a43-9d5e-1b1a1c3e2d10", "client_id": "svc-a"}`
	assert.Equal(t, 201, postHook(t, url, spaced, eeid.Sign([]byte(spaced), hookSecret)))
	assert.Contains(t, next(t, lines), "signature: valid against the raw body, INVALID against the whitespace-stripped body")

	assert.Equal(t, 201, postHook(t, url, compact, eeid.Sign([]byte(compact), "another-secret")), "answered whatever the signature")
	assert.Contains(t, next(t, lines), "signature: INVALID against the raw body, INVALID against the whitespace-stripped body")

	assert.Equal(t, 201, postHook(t, url, compact, ""))
	assert.Contains(t, next(t, lines), "signature: INVALID: no X-HMAC-Signature header")

	other := strings.Replace(url, "/eeid/webhooks/identification_requests", "/elsewhere", 1)
	assert.Equal(t, 404, postHook(t, other, compact, eeid.Sign([]byte(compact), hookSecret)))
	assert.Contains(t, next(t, lines), "POST /elsewhere -> 404 (not /eeid/webhooks/identification_requests)")
}

// The mock's own deliveries arrive at the listener signed both ways: what a partner sees with
// `make run` and `idvkit webhook listen`.
func TestWebhookListenVerifiesTheMocksDeliveries(t *testing.T) {
	url, lines := listening(t, "--secret", hookSecret)
	c := clock.NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	sender := webhook.New(webhook.Config{Clock: c, Store: memory.New()})
	t.Cleanup(sender.Close)
	body := []byte(`{"identification_request_id":"5f0c3f4e-8f5d-4a43-9d5e-1b1a1c3e2d10","client_id":"svc-a"}`)
	id, err := sender.Send(context.Background(), webhook.Delivery{API: "eeid", Owner: "svc-a", URL: url, Body: body,
		Header: http.Header{"Content-Type": {"application/json"}, "X-Hmac-Signature": {eeid.Sign(body, hookSecret)}}})
	require.NoError(t, err)
	assert.Contains(t, next(t, lines), "signature: valid against the raw body, valid against the whitespace-stripped body")
	c.Settle()
	d, err := sender.Get(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, webhook.Delivered, d.State)
}

func TestWebhookListenUsage(t *testing.T) {
	for _, args := range [][]string{
		{"webhook"},
		{"webhook", "serve"},
		{"webhook", "listen"}, // no secret
		{"webhook", "listen", "--secret", "s", "--status", "42"},
		{"webhook", "listen", "--secret", "s", "--path", "eeid"},
		{"webhook", "listen", "--secret", "s", "extra"},
		{"webhook", "listen", "--no-such-flag"},
	} {
		code, _, _ := runCLI(context.Background(), args...)
		assert.Equal(t, exitUsage, code, "%q", args)
	}
	code, out, errs := runCLI(context.Background(), "webhook", "listen", "-h")
	assert.Equal(t, 0, code, out+errs)
	assert.Contains(t, errs, "-secret")
	code, _, _ = runCLI(context.Background(), "help")
	assert.Equal(t, 0, code)
	_, out, _ = runCLI(context.Background(), "help")
	assert.Contains(t, out, "idvkit webhook listen --secret SECRET")
}
