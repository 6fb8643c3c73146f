package main

import (
	"bufio"
	"bytes"
	"context"
	"go/build"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/mockserver/webhook"
)

const hookSecret = "s3cr3t-client-secret"

// sign signs a body as eeID does, through the scheme eeID registered, as the listener finds it.
func sign(t *testing.T, body []byte, secret string) string {
	t.Helper()
	s, ok := webhook.SchemeOf("eeid")
	require.True(t, ok, "eeID registers its webhook scheme")
	return s.Sign(body, secret)
}

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
	assert.Equal(t, 201, postHook(t, url, compact, sign(t, []byte(compact), hookSecret)))
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ POST /eeid/webhooks/identification_requests -> 201
  content-type: application/json
  signature: valid against the raw body, valid against the whitespace-stripped body \(eeID's own receiver\)
  body: `+regexp.QuoteMeta(compact)+`$`, next(t, lines))

	spaced := `{"identification_request_id": "5f0c3f4e-8f5d-4a43-9d5e-1b1a1c3e2d10", "client_id": "svc-a"}`
	assert.Equal(t, 201, postHook(t, url, spaced, sign(t, []byte(spaced), hookSecret)))
	assert.Contains(t, next(t, lines), "signature: valid against the raw body, INVALID against the whitespace-stripped body")

	assert.Equal(t, 201, postHook(t, url, compact, sign(t, []byte(compact), "another-secret")), "answered whatever the signature")
	assert.Contains(t, next(t, lines), "signature: INVALID against the raw body, INVALID against the whitespace-stripped body")

	assert.Equal(t, 201, postHook(t, url, compact, ""))
	assert.Contains(t, next(t, lines), "signature: INVALID: no X-HMAC-Signature header")

	other := strings.Replace(url, "/eeid/webhooks/identification_requests", "/elsewhere", 1)
	assert.Equal(t, 404, postHook(t, other, compact, sign(t, []byte(compact), hookSecret)))
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
		Header: http.Header{"Content-Type": {"application/json"}, "X-Hmac-Signature": {sign(t, body, hookSecret)}}})
	require.NoError(t, err)
	assert.Contains(t, next(t, lines), "signature: valid against the raw body, valid against the whitespace-stripped body")
	c.Settle()
	d, err := sender.Get(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, webhook.Delivered, d.State)
}

func init() { webhook.RegisterScheme("hooktest", reversedScheme{}) }

// reversedScheme is a test API's signature scheme: the secret then the body, reversed, in X-Reversed,
// checked over the raw body and over the body trimmed.
type reversedScheme struct{}

func (reversedScheme) Path() string   { return "/hooktest/hooks" }
func (reversedScheme) Header() string { return "X-Reversed" }
func (reversedScheme) Sign(body []byte, secret string) string {
	r := []rune(secret + string(body))
	slices.Reverse(r)
	return string(r)
}
func (s reversedScheme) Verify(body []byte, secret, sig string) []webhook.Check {
	return []webhook.Check{{Over: "the raw body", Valid: s.Sign(body, secret) == sig},
		{Over: "the trimmed body", Valid: s.Sign(bytes.TrimSpace(body), secret) == sig}}
}

// The listener checks signatures with the scheme the API named by --api registered: its path, its
// header and each of its checks; the API's package is never imported. An API that registered none
// is a usage error naming those that did.
func TestWebhookListenChecksWithTheSchemeItsAPIRegistered(t *testing.T) {
	url, lines := listening(t, "--api", "hooktest", "--secret", hookSecret)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/hooktest/hooks$`, url)

	body := ` {"n":1}`
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Reversed", reversedScheme{}.Sign([]byte(body), hookSecret))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, next(t, lines), "signature: valid against the raw body, INVALID against the trimmed body")

	assert.Equal(t, 200, postHook(t, url, body, sign(t, []byte(body), hookSecret)))
	assert.Contains(t, next(t, lines), "signature: INVALID: no X-Reversed header", "eeID's header means nothing to this API")

	eeidURL, _ := listening(t, "--api", "eeid", "--secret", hookSecret)
	assert.Regexp(t, `/eeid/webhooks/identification_requests$`, eeidURL)

	code, _, errs := runCLI(context.Background(), "webhook", "listen", "--secret", "s", "--api", "rambase")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, `--api "rambase" sends no webhooks this listener can check (it checks eeid, hooktest)`)
}

// cmd/idvkit wires the mock through its composition and finds what an API registered (its webhook
// scheme) by the API's name: it imports no API package itself.
func TestNoAPIPackageIsImported(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	require.NoError(t, err)
	for _, api := range mockserver.Registered() {
		assert.NotContains(t, pkg.Imports, "github.com/idvkit/idvkit/mockserver/"+api)
	}
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
