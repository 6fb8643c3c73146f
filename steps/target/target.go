// Package target is what the conformance suite runs against: an implementation reached over HTTP, its
// control API included, whatever runs it. InProcess starts a fresh mock per scenario (through
// mocktest), URL takes one already running, Docker starts one from an image or a Dockerfile. It knows
// nothing of godog or the steps.
package target

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/openapi"
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

// basePath is where an API's paths start under the address that serves it, as the mock serves it
// (mocktest's APIURL has it):
// the shortest path of its spec's servers ("" for RamBase's https://api.rambase.net, and for
// RandaVerify's, whose vendor serves it at its root and at /v1; /v1 for an API whose vendor serves it
// only there); "" for a name that has no embedded spec.
func basePath(api string) string {
	spec, err := openapi.Load(api)
	if err != nil {
		return ""
	}
	return shortest(spec.BasePaths())
}

// shortest is the shortest of a spec's base paths, which it lists longest first.
func shortest(basePaths []string) string { return basePaths[len(basePaths)-1] }

func (inProcess) Ready(context.Context) error { return nil }
func (inProcess) Isolated() bool              { return true }
func (inProcess) Describe() string            { return "in-process mock" }

// URL is an implementation that is already running at baseURL, the API's base URL (what a client
// would use in place of the vendor's host). Its control API is at <baseURL>/_mock unless an option
// says otherwise. A base URL that is the root of a target serving several APIs each under its own
// prefix (the combined mock, http://127.0.0.1:8080) is checked at the prefix of the API WithAPI names,
// as Ready finds out and Describe says.
func URL(baseURL string, opts ...URLOption) Target {
	t := &urlTarget{base: strings.TrimSuffix(baseURL, "/"), client: noRedirects(&http.Client{Timeout: 30 * time.Second})}
	t.control = t.base + "/_mock"
	for _, opt := range opts {
		opt(t)
	}
	return t
}

// URLOption configures a URL target.
type URLOption func(*urlTarget)

// WithControl names the target's control API and the token it wants ("" for none); an empty url
// keeps the default, <baseURL>/_mock.
func WithControl(url, token string) URLOption {
	return func(t *urlTarget) {
		if url != "" {
			t.control = strings.TrimSuffix(url, "/")
		}
		t.token = token
	}
}

// WithoutControl declares a target without a control API: scenarios that need one are skipped and
// reported as such, and readiness does not ask for it.
func WithoutControl() URLOption { return func(t *urlTarget) { t.control = "" } }

// WithAPI names the API the suite checks, so that a base URL at the root of a target serving several
// APIs under prefixes is taken to the API's.
func WithAPI(api string) URLOption { return func(t *urlTarget) { t.api = api } }

type urlTarget struct {
	base, control, token string
	api                  string
	client               *http.Client

	mu       sync.Mutex
	prefixed *prefixed // set by Ready when the base URL is the root of a target serving APIs under prefixes
}

func (t *urlTarget) Open(context.Context, string) (*Endpoint, error) {
	return &Endpoint{BaseURL: t.apiBase(), ControlURL: t.control, ControlToken: t.token, Client: t.client}, nil
}

// apiBase is the API's base URL: the one given, or under it the API's prefix.
func (t *urlTarget) apiBase() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.base + t.prefixed.path()
}

// NotReadyError is a target that cannot be reached, or whose control API does not answer: nothing
// it would run could be trusted (`idvkit conform` exits 3).
type NotReadyError struct{ Reason string }

func (e *NotReadyError) Error() string { return e.Reason }

// Ready succeeds when the base URL answers anything at all over HTTP and, when the target has a
// control API, that API answers GET /capabilities with 200: a mistyped control URL must stop the run,
// not turn every scenario that needs it into a quiet skip.
func (t *urlTarget) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	status, err := t.get(ctx, t.base+"/", "")
	if err != nil {
		return &NotReadyError{fmt.Sprintf("target %s is unreachable: %v", t.base, err)}
	}
	_ = status // any answer will do: the base URL need not serve anything itself
	if t.control == "" {
		return nil
	}
	status, apis, err := servedAPIs(ctx, t.client, t.control, t.token)
	switch {
	case err != nil:
		return &NotReadyError{fmt.Sprintf("control API %s is unreachable: %v (a target without one: --control-url '')", t.control, err)}
	case status == http.StatusUnauthorized:
		return &NotReadyError{fmt.Sprintf("control API %s refused the control token (401): give the right --control-token", t.control)}
	case status != http.StatusOK:
		return &NotReadyError{fmt.Sprintf("control API %s answered GET /capabilities with %d: is the --control-url right? (a target without one: --control-url '')", t.control, status)}
	}
	// Only a base URL that is a root, with the control API under it, can be a combined mock's root.
	if u, err := url.Parse(t.base); err == nil && u.Path == "" && strings.HasPrefix(t.control, t.base+"/") {
		p := underPrefixes(ctx, t.client, t.base, strings.TrimPrefix(t.control, t.base), t.token, t.api, apis)
		t.mu.Lock()
		t.prefixed = p
		t.mu.Unlock()
	}
	return nil
}

// prefixed is a target that serves several APIs each under its own prefix, as the combined mock does
// (/rambase, /randaverify, ...), and the API the suite checks among them.
type prefixed struct {
	api  string
	apis []string // every API its control API lists
}

// path is the API's prefix, and its base path under it; "" for no prefixed target.
func (p *prefixed) path() string {
	if p == nil {
		return ""
	}
	return "/" + p.api + basePath(p.api)
}

// String says why the suite uses the API's prefix, for Describe.
func (p *prefixed) String() string {
	return fmt.Sprintf("it serves %s, each under its own prefix (its GET /capabilities and /%s/... say so), so the suite checks %s at %s",
		strings.Join(p.apis, ", "), p.api, p.api, p.path())
}

// underPrefixes finds out whether a target whose root is root, and whose control API at
// root+controlPath listed apis, serves those APIs each under its own prefix: the list holds api and
// others, and the control API answers under api's prefix too (the mock serves it at /_mock and under
// every prefix). nil otherwise: a target serving one API, or several at its root.
func underPrefixes(ctx context.Context, c *http.Client, root, controlPath, token, api string, apis []string) *prefixed {
	if len(apis) < 2 || !slices.Contains(apis, api) {
		return nil
	}
	if status, _, err := servedAPIs(ctx, c, root+"/"+api+controlPath, token); err != nil || status != http.StatusOK {
		return nil
	}
	return &prefixed{api: api, apis: apis}
}

// servedAPIs asks a control API for GET /capabilities, and returns the status and, from a 200, the
// APIs it lists.
func servedAPIs(ctx context.Context, c *http.Client, controlURL, token string) (status int, apis []string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, controlURL+"/capabilities", nil)
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		var body struct {
			APIs []string `json:"apis"`
		}
		if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body) == nil {
			apis = body.APIs
		}
	}
	return resp.StatusCode, apis, nil
}

func (t *urlTarget) get(ctx context.Context, url, token string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (*urlTarget) Isolated() bool { return false }

func (t *urlTarget) Describe() string {
	if t.control == "" {
		return t.base + " (no control API)"
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.prefixed != nil {
		return fmt.Sprintf("%s%s (the base URL given, %s: %s)", t.base, t.prefixed.path(), t.base, t.prefixed)
	}
	return t.base
}
