package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/idvkit/idvkit/mockserver/webhook"
)

// runWebhook is `idvkit webhook listen`: a webhook receiver for partners. It prints every delivery it
// gets, valid or not (time, method, path, body, and whether the signature verifies each way the
// API's receivers check it: for eeID, X-HMAC-Signature against the raw body and against the body with
// whitespace stripped, as eeID's own receiver checks it), answers each with --status, and runs until
// the context is cancelled (Ctrl-C). With it a partner can watch the mock's deliveries arrive, or
// check the signatures their own sender makes. The API's signature scheme is the one its package
// registered (webhook.SchemeOf), found by --api.
func runWebhook(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "listen" {
		return usageError("webhook: want a subcommand: idvkit webhook listen --secret SECRET [--api API] [--addr ADDR] [--path PATH] [--status 200]")
	}
	fs := flag.NewFlagSet("webhook listen", flag.ContinueOnError)
	secret := fs.String("secret", getenv("IDVKIT_WEBHOOK_SECRET"), "the secret signatures are keyed with, eeID's client_secret (env IDVKIT_WEBHOOK_SECRET, which keeps it out of the process list)")
	api := fs.String("api", "eeid", "the API whose webhooks are checked: "+strings.Join(webhook.SchemeAPIs(), ", "))
	addr := fs.String("addr", "127.0.0.1:9090", "listen address")
	path := fs.String("path", "", "the path deliveries are made to (default: the API's, /eeid/webhooks/identification_requests for eeID); a delivery to another path is printed and answered 404")
	status := fs.Int("status", http.StatusOK, "the status every delivery is answered with (200, 201 and 204 acknowledge; anything else makes the mock retry)")
	if ok, err := parse(fs, args[1:], stderr); !ok {
		return err
	}
	scheme, known := webhook.SchemeOf(*api)
	if known && *path == "" {
		*path = scheme.Path()
	}
	switch {
	case fs.NArg() > 0:
		return usageError("webhook listen takes no arguments, got %q", fs.Args())
	case !known:
		return usageError("webhook listen: --api %q sends no webhooks this listener can check (it checks %s)", *api, strings.Join(webhook.SchemeAPIs(), ", "))
	case *secret == "":
		return usageError("webhook listen: give the secret signatures are keyed with (eeID: the service's client_secret) with --secret or IDVKIT_WEBHOOK_SECRET")
	case *status < 100 || *status > 599:
		return usageError("webhook listen: --status %d is not an HTTP status", *status)
	case !strings.HasPrefix(*path, "/"):
		return usageError("webhook listen: --path %q must start with /", *path)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("webhook listen: %w", err)
	}
	h := &webhookPrinter{scheme: scheme, secret: *secret, path: *path, status: *status, out: stdout}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "listening on http://%s%s: every delivery is printed and answered %d (Ctrl-C stops)\n", ln.Addr(), *path, *status)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("webhook listen: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("webhook listen: %w", err)
	}
	_ = srv.Close()
	return nil
}

// maxPrintedBody is how much of a delivery's body is read and printed.
const maxPrintedBody = 64 << 10

// webhookPrinter prints each delivery, its signature checked by the API's scheme, and answers it.
type webhookPrinter struct {
	scheme       webhook.Scheme
	secret, path string
	status       int
	mu           sync.Mutex // one delivery's lines together
	out          io.Writer
}

func (p *webhookPrinter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxPrintedBody+1))
	truncated := len(body) > maxPrintedBody
	body = body[:min(len(body), maxPrintedBody)]
	status := p.status
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", time.Now().UTC().Format(time.RFC3339), r.Method, r.URL.Path)
	if r.URL.Path != p.path {
		status = http.StatusNotFound
		fmt.Fprintf(&b, " -> %d (not %s)\n", status, p.path)
	} else {
		fmt.Fprintf(&b, " -> %d\n", status)
	}
	fmt.Fprintf(&b, "  content-type: %s\n", r.Header.Get("Content-Type"))
	switch sig := r.Header.Get(p.scheme.Header()); {
	case truncated:
		fmt.Fprintf(&b, "  signature: not checked, the body is over %d bytes\n", maxPrintedBody)
	case sig == "":
		fmt.Fprintf(&b, "  signature: INVALID: no %s header\n", p.scheme.Header())
	default:
		var checks []string
		for _, c := range p.scheme.Verify(body, p.secret, sig) {
			checks = append(checks, verdict(c.Valid)+" against "+c.Over)
		}
		fmt.Fprintf(&b, "  signature: %s\n", strings.Join(checks, ", "))
	}
	if utf8.Valid(body) {
		fmt.Fprintf(&b, "  body: %s\n", body)
	} else {
		fmt.Fprintf(&b, "  body (not UTF-8): %q\n", body)
	}
	if truncated {
		fmt.Fprintf(&b, "  (body truncated at %d bytes)\n", maxPrintedBody)
	}
	p.mu.Lock()
	_, _ = io.WriteString(p.out, b.String())
	p.mu.Unlock()
	w.WriteHeader(status)
}

func verdict(ok bool) string {
	if ok {
		return "valid"
	}
	return "INVALID"
}
