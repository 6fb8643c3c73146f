package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// runHealth is `idvkit health`: GET the mock's readiness URL (GET /_mock/healthz in control.yaml) and
// exit 0 when it answers 2xx, 1 otherwise. It is the image's HEALTHCHECK: a FROM scratch image has no
// shell or curl, only this binary. Without --url it asks the serve of the same environment, at the
// address IDVKIT_ADDR names (an unspecified host, 0.0.0.0 or ::, is asked on loopback).
func runHealth(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	target := fs.String("url", "", "health URL to GET (default http://<IDVKIT_ADDR, loopback for 0.0.0.0>/_mock/healthz)")
	timeout := fs.Duration("timeout", 2*time.Second, "how long to wait for the answer")
	if ok, err := parse(fs, args, stderr); !ok {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("health takes no arguments, got %q", fs.Args())
	}
	if *target == "" {
		u, err := healthURL(envOr(getenv, "IDVKIT_ADDR", "127.0.0.1:8080"))
		if err != nil {
			return usageError("IDVKIT_ADDR: %v", err)
		}
		*target = u
	} else if u, err := url.Parse(*target); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageError("--url %q: want an absolute http:// or https:// URL", *target)
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *target, nil)
	if err != nil {
		return usageError("--url %q: %v", *target, err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("unhealthy: %v", err)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &exitError{code: 1, msg: fmt.Sprintf("unhealthy: GET %s answered %s", *target, resp.Status)}
	}
	fmt.Fprintf(stdout, "healthy: GET %s answered %s\n", *target, resp.Status)
	return nil
}

// healthURL is the readiness URL of a serve listening on addr.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, port) + "/_mock/healthz", nil
}
