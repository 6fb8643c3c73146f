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

	"github.com/idvkit/idvkit/mockserver/eeid"
)

// runWebhook is `idvkit webhook listen`: a webhook receiver for partners. It prints every delivery it
// gets, valid or not (time, method, path, body, and whether X-HMAC-Signature verifies against the raw
// body and against the body with whitespace stripped, as eeID's own receiver checks it), answers each
// with --status, and runs until the context is cancelled (Ctrl-C). With it a partner can watch the
// mock's eeID deliveries arrive, or check the signatures their own sender makes.
func runWebhook(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "listen" {
		return usageError("webhook: want a subcommand: idvkit webhook listen --secret SECRET [--addr ADDR] [--path PATH] [--status 200]")
	}
	fs := flag.NewFlagSet("webhook listen", flag.ContinueOnError)
	secret := fs.String("secret", getenv("IDVKIT_WEBHOOK_SECRET"), "the client_secret signatures are keyed with (env IDVKIT_WEBHOOK_SECRET, which keeps it out of the process list)")
	addr := fs.String("addr", "127.0.0.1:9090", "listen address")
	path := fs.String("path", "/eeid/webhooks/identification_requests", "the path deliveries are made to; a delivery to another path is printed and answered 404")
	status := fs.Int("status", http.StatusOK, "the status every delivery is answered with (200, 201 and 204 acknowledge; anything else makes the mock retry)")
	if ok, err := parse(fs, args[1:], stderr); !ok {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError("webhook listen takes no arguments, got %q", fs.Args())
	case *secret == "":
		return usageError("webhook listen: give the service's client_secret with --secret or IDVKIT_WEBHOOK_SECRET")
	case *status < 100 || *status > 599:
		return usageError("webhook listen: --status %d is not an HTTP status", *status)
	case !strings.HasPrefix(*path, "/"):
		return usageError("webhook listen: --path %q must start with /", *path)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("webhook listen: %w", err)
	}
	h := &webhookPrinter{secret: *secret, path: *path, status: *status, out: stdout}
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

// webhookPrinter prints each delivery and answers it.
type webhookPrinter struct {
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
	switch sig := r.Header.Get(eeid.SignatureHeader); {
	case truncated:
		fmt.Fprintf(&b, "  signature: not checked, the body is over %d bytes\n", maxPrintedBody)
	case sig == "":
		fmt.Fprintf(&b, "  signature: INVALID: no %s header\n", eeid.SignatureHeader)
	default:
		raw, stripped := eeid.VerifySignature(body, p.secret, sig)
		fmt.Fprintf(&b, "  signature: %s against the raw body, %s against the whitespace-stripped body (eeID's own receiver)\n", verdict(raw), verdict(stripped))
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
