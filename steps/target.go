package steps

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// Target is an implementation under test. The suite opens an Endpoint for every scenario.
type Target interface {
	// Open returns the endpoints one scenario talks to; the suite calls its Close when the scenario ends.
	Open(ctx context.Context, api string) (*Endpoint, error)
	// Ready returns an error when the target cannot be reached at all (exit code 3).
	Ready(ctx context.Context) error
	// Isolated reports whether every scenario gets a target of its own, so scenarios may run in
	// parallel and our own policy rules always count.
	Isolated() bool
	// Describe names the target for reports.
	Describe() string
}

// Endpoint is where one scenario sends its requests.
type Endpoint struct {
	BaseURL      string // the API's base URL, no trailing slash
	ControlURL   string // the control API's base URL, no trailing slash
	ControlToken string // sent as a Bearer token on control calls when not empty
	Client       *http.Client
	close        func()
}

// Close releases the endpoint.
func (e *Endpoint) Close() {
	if e.close != nil {
		e.close()
	}
}

// noRedirects makes a client hand every response to the step that asked, 3xx included: a
// conformance suite checks what the target answered, and following a redirect could carry
// credentials to another host.
func noRedirects(c *http.Client) *http.Client {
	copied := *c
	copied.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &copied
}

// InProcess is the default target: a fresh mock per scenario, started with mocktest.
func InProcess(opts ...mocktest.Option) Target { return inProcess{opts: opts} }

type inProcess struct{ opts []mocktest.Option }

func (t inProcess) Open(_ context.Context, api string) (*Endpoint, error) {
	m, err := mocktest.Start(t.opts...)
	if err != nil {
		return nil, err
	}
	return &Endpoint{BaseURL: m.APIURL(api), ControlURL: m.ControlURL(), Client: noRedirects(m.Client()), close: m.Close}, nil
}

func (inProcess) Ready(context.Context) error { return nil }
func (inProcess) Isolated() bool              { return true }
func (inProcess) Describe() string            { return "in-process mock" }

// URL is an implementation that is already running: baseURL is the API's base URL (what a client
// would use in place of the vendor's host); controlURL is its control API, by default
// <baseURL>/_mock, and controlToken the token its control API wants, if any.
func URL(baseURL, controlURL, controlToken string) Target {
	baseURL = strings.TrimSuffix(baseURL, "/")
	if controlURL == "" {
		controlURL = baseURL + "/_mock"
	}
	return urlTarget{base: baseURL, control: strings.TrimSuffix(controlURL, "/"), token: controlToken,
		client: noRedirects(&http.Client{Timeout: 30 * time.Second})}
}

type urlTarget struct {
	base, control, token string
	client               *http.Client
}

func (t urlTarget) Open(context.Context, string) (*Endpoint, error) {
	return &Endpoint{BaseURL: t.base, ControlURL: t.control, ControlToken: t.token, Client: t.client}, nil
}

// Ready succeeds when the base URL answers anything at all over HTTP.
func (t urlTarget) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.base+"/", nil)
	if err != nil {
		return err
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return fmt.Errorf("target %s is unreachable: %w", t.base, err)
	}
	resp.Body.Close()
	return nil
}

func (urlTarget) Isolated() bool     { return false }
func (t urlTarget) Describe() string { return t.base }
