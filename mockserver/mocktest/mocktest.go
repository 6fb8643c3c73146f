// Package mocktest starts the idvkit mock from Go code, the way httptest starts a server: a fresh,
// isolated mock on 127.0.0.1 with its own store and its own fake clock, ready in milliseconds, so
// that the code under test talks HTTP to every API the mock serves as it would to the vendors. Tests
// use New(t); the conformance suite's in-process target uses Start.
//
//	m := mocktest.New(t)
//	client := myclient.New(m.APIURL("rambase"), m.Client()) // in place of https://api.rambase.net
//	...
//	if err := m.Advance(time.Hour); err != nil { // every TTL and timer in the mock follows
//		t.Fatal(err) // a move back, or past 2200-01-01
//	}
//
// Every request the code under test sends is checked against the API's OpenAPI contract and
// journaled. A mock from New fails its test when the test ends if any request broke the contract,
// naming each (the request line, the operation, the field, the rule and the reason), even when the
// code under test swallowed the 4xx it got; AllowViolations lets a test send bad input on purpose.
// The journal is readable from Go (Requests, Violations), for assertions such as "verify-login was
// called once".
//
// Beside the APIs, a Server has what a test needs of the vendors' side: the clock (Now, Advance,
// Set), the fixture principals, the outbox (the codes and links the mock sent people), the webhook
// delivery log, and the control API's operations (Control, and a typed method for each API's own:
// CompleteEeidRequest, SuspendRandaVerifyUser, ...).
package mocktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/journal"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/otp"
)

// Server is a running mock. Close it when done (New does that through t.Cleanup).
type Server struct {
	// URL is the mock's base URL with no trailing slash, like httptest.Server.URL.
	URL     string
	mock    *mockserver.Server
	clock   *clock.Adjustable
	http    *httptest.Server
	token   string      // the control token, when the mock has one
	allowed []allowance // violations the test sends on purpose
	// What the code under test sent that broke a contract and no allowance allows, judged as each
	// was recorded (judge): the first maxListed, and how many in all.
	judged     sync.Mutex
	broke      []journal.Request
	brokeTotal int
}

type options struct {
	start    time.Time
	fixtures mockserver.Fixtures
	apis     []string
	settings []setting
	broken   []string
	codes    otp.Source
	token    string
	logger   *slog.Logger
	allowed  []allowance
	cfg      func(*mockserver.Config)
}

// Option changes how Start builds the mock.
type Option func(*options)

// WithStart sets the fake clock's starting time (default 2030-01-01T00:00:00Z).
func WithStart(t time.Time) Option { return func(o *options) { o.start = t } }

// WithFixtures seeds the mock with f instead of the default fixtures.
func WithFixtures(f mockserver.Fixtures) Option { return func(o *options) { o.fixtures = f } }

// WithAPIs serves only the named APIs, each under its prefix, with their sections of the fixtures;
// Start fails for a name no API has.
func WithAPIs(names ...string) Option { return func(o *options) { o.apis = append(o.apis, names...) } }

// WithSetting sets one of an API's settings, its lifetimes and limits (the control API's fixture
// schemas list them: rambase's otp_max_attempts, ...), in the fixtures the mock is seeded with; Start
// fails for a setting the API does not have.
func WithSetting(api, name string, value int) Option {
	return func(o *options) { o.settings = append(o.settings, setting{api, name, value}) }
}

// WithTTL sets one of an API's lifetimes, in whole seconds (eeid's token_ttl, randaverify's
// access_token_ttl, ...), as WithSetting does; Start fails for a lifetime under a second or not whole.
func WithTTL(api, name string, d time.Duration) Option {
	return func(o *options) {
		seconds := int(d / time.Second)
		if d%time.Second != 0 || seconds < 1 {
			seconds = -1 // refused by the fixture schema's minimum, naming the setting
		}
		o.settings = append(o.settings, setting{api, name, seconds})
	}
}

type setting struct {
	api, name string
	value     int
}

// WithBrokenRules makes the mock deliberately break the named conformance rules, to show that a
// conformance suite catches it; Start fails for a rule no API can break.
func WithBrokenRules(ids ...string) Option {
	return func(o *options) { o.broken = append(o.broken, ids...) }
}

// WithCodes makes one-time codes come from src instead of random digits, so a test knows them:
// mocktest.WithCodes(otp.Sequence("123456")).
func WithCodes(src otp.Source) Option { return func(o *options) { o.codes = src } }

// WithControlToken guards the control API with a token, as `idvkit serve --control-token` does.
func WithControlToken(token string) Option { return func(o *options) { o.token = token } }

// WithLogger sends the mock's log to l (default: errors only, to stderr).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithConfig edits the mock's Config after the options above have set it (TTLs, say).
func WithConfig(f func(*mockserver.Config)) Option { return func(o *options) { o.cfg = f } }

// DefaultStart is the fake clock's default starting time.
var DefaultStart = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// Start builds and starts a mock. The caller must call Close.
func Start(opts ...Option) (*Server, error) {
	o := options{start: DefaultStart}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	c := clock.NewFake(o.start)
	// Every response is validated, so a test sees any response of the mock's that breaks its spec.
	cfg := mockserver.Config{Clock: c, Fixtures: o.fixtures, Logger: o.logger,
		BrokenRules: o.broken, Codes: o.codes, ControlToken: o.token, Responses: apihttp.EveryResponse}
	if err := o.serve(&cfg); err != nil {
		return nil, fmt.Errorf("mocktest: %w", err)
	}
	s := &Server{clock: c, token: o.token, allowed: o.allowed}
	cfg.OnViolation = s.judge
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	mock, err := mockserver.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("mocktest: %w", err)
	}
	s.mock, s.http = mock, httptest.NewServer(mock)
	s.URL = s.http.URL
	return s, nil
}

// serve sets the APIs served and the fixtures they are seeded with: only the sections of the APIs
// served, with the settings asked for.
func (o *options) serve(cfg *mockserver.Config) error {
	if len(o.apis) == 0 && len(o.settings) == 0 {
		return nil
	}
	f := cfg.Fixtures
	if f == nil {
		f = mockserver.DefaultFixtures()
	}
	if len(o.apis) > 0 {
		served := mockserver.Fixtures{}
		for _, name := range o.apis {
			factory := mockserver.Factory(name)
			if factory == nil {
				return fmt.Errorf("no API is named %q (the APIs: %s)", name, strings.Join(APIs(), ", "))
			}
			cfg.APIs = append(cfg.APIs, factory)
			if section, ok := f[name]; ok {
				served[name] = section
			}
		}
		f = served
	}
	for _, s := range o.settings {
		var section map[string]any
		if err := json.Unmarshal(f[s.api], &section); err != nil || section == nil {
			return fmt.Errorf("a setting of %s: the fixtures have no %s section", s.api, s.api)
		}
		settings, _ := section["settings"].(map[string]any)
		if settings == nil {
			settings = map[string]any{}
		}
		settings[s.name] = s.value
		section["settings"] = settings
		raw, err := json.Marshal(section)
		if err != nil {
			return err
		}
		f = maps.Clone(f)
		f[s.api] = raw
	}
	// Through the fixtures' own check, so that a setting the API does not have is named.
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if cfg.Fixtures, err = mockserver.ParseFixtures(raw); err != nil {
		return err
	}
	return nil
}

// APIs names every API the mock serves, in the order it serves and documents them. The conformance
// suite learns the APIs here, reaching the mock only through this package.
func APIs() []string { return mockserver.Registered() }

// New starts a mock for t and closes it when t ends. Then, if the code under test sent any request
// that broke an API's contract and that AllowViolations does not allow, t fails with CheckContract's
// account of each.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		if err := s.CheckContract(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// Close shuts the mock down, waiting for requests in flight.
func (s *Server) Close() {
	s.http.Close()
	s.mock.Close()
}

// APIURL is the base URL of one API: what a client configures in place of the vendor's base URL
// (https://api.rambase.net is APIURL("rambase"), and a vendor that serves its API only under /v1 is
// APIURL(api) + "" too: its base path is in it).
func (s *Server) APIURL(api string) string { return s.URL + "/" + api + s.mock.BasePath(api) }

// ControlURL is the control API's base URL.
func (s *Server) ControlURL() string { return s.URL + "/_mock" }

// Client returns an HTTP client for the mock.
func (s *Server) Client() *http.Client { return s.http.Client() }

// Now is the mock's time, so a Go client can check tokens against the same clock.
func (s *Server) Now() time.Time { return s.clock.Now() }

// Advance moves the mock's clock forward, firing every timer that falls due, each at its own time,
// and returns once their callbacks have run. A move back, or past 2200-01-01, is an error.
func (s *Server) Advance(d time.Duration) error { return s.clock.Advance(d) }

// Set moves the mock's clock forward to t, as Advance does.
func (s *Server) Set(t time.Time) error { return s.clock.Set(t) }

// Settle waits until every callback the mock's clock has fired (a webhook delivery started at once,
// say) has returned.
func (s *Server) Settle() { s.clock.Settle() }

// Principals lists the fixture set's principals with their credentials.
func (s *Server) Principals() []mockapi.Principal { return s.mock.Principals() }

// Fixtures returns the fixture set the mock was seeded with.
func (s *Server) Fixtures() mockserver.Fixtures { return s.mock.Fixtures() }

// Reply is the mock's answer to a test's request: the status, the headers, the body, and the body
// decoded when it is a JSON object.
type Reply struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
}

// Call sends a request to the mock, path taken from the mock's root (/eeid/api/..., /_mock/...), with
// the headers given and the body when not nil, and returns its reply. A transport error fails t.
func (s *Server) Call(t testing.TB, method, path string, header http.Header, body []byte) Reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the reply: %v", method, path, err)
	}
	r := Reply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(raw, &r.JSON) // an array or a broken body leaves JSON nil: Raw says what came
	}
	return r
}

// Principal returns the fixture principal of a role; t fails when the fixture set has none.
func (s *Server) Principal(t testing.TB, role string) mockapi.Principal {
	t.Helper()
	for _, p := range s.Principals() {
		if p.Role == role {
			return p
		}
	}
	t.Fatalf("the fixture set has no principal of role %s", role)
	return mockapi.Principal{}
}
