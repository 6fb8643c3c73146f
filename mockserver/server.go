// Package mockserver composes the validating, stateful mocks of idvkit's APIs into one http.Handler:
// each API behind its prefix (/rambase, ...), or one API at the root, and the test-control API at
// /_mock and under every prefix. Everything API-specific comes from the API packages through
// mockapi.API; the registry lists them.
package mockserver

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/otp"
	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/password"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/openapi"
)

// Config configures a Server. The zero value serves every registered API with real time, an
// in-memory store and the default fixtures.
type Config struct {
	Clock    clock.Clock  // nil: real time, movable through the control API
	Store    store.Store  // nil: a new in-memory store; New replaces whatever it holds
	Fixtures Fixtures     // nil: DefaultFixtures()
	Only     string       // serve only this API, at the root
	Logger   *slog.Logger // nil: slog.Default()
	// PublicURL is the URL clients reach the mock at, for links the mock hands out; empty derives it
	// from each request's Host.
	PublicURL     string
	PasswordCost  int           // bcrypt cost of every password check; zero: bcrypt's default
	MaxBodyBytes  int64         // zero: 1 MiB
	SweepInterval time.Duration // how often, in real time, records past retention are deleted; zero: 1 minute
	Retention     time.Duration // how long expired records are kept; zero: 24 hours
	// ControlToken, when set, must be presented as `Authorization: Bearer <token>` on every control
	// call but the health check.
	ControlToken string
	// BrokenRules names conformance rules to break on purpose (each must be one a served API can
	// break), to show that a suite catches an implementation that breaks them.
	BrokenRules []string
	Codes       otp.Source        // nil: random digits
	APIs        []mockapi.Factory // nil: every registered API
}

// Adjuster is a clock the control API can move. A Config.Clock that is not one gives a mock whose
// capabilities leave out clock.advance.
type Adjuster interface {
	Advance(d time.Duration) error
	Set(t time.Time) error
}

// Server is the composed mock. It is an http.Handler; call Close when done to stop its sweeper.
type Server struct {
	cfg    Config
	store  store.Store
	outbox *outbox.Outbox
	apis   []mockapi.API // every API built
	served []mockapi.API // in registry order; only the --only API when set
	router *mux.Router
	log    *slog.Logger

	resetMu    sync.Mutex // one reset at a time
	mu         sync.RWMutex
	fixtures   Fixtures
	principals []mockapi.Principal
	stopSweep  chan struct{}
	closeOnce  sync.Once
}

// New builds a Server and seeds its fixtures.
func New(cfg Config) (*Server, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.NewReal()
	}
	if cfg.Store == nil {
		cfg.Store = memory.New()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.PasswordCost == 0 {
		cfg.PasswordCost = password.DefaultCost
	}
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = time.Minute
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 24 * time.Hour
	}
	if cfg.Fixtures == nil {
		cfg.Fixtures = DefaultFixtures()
	}
	if cfg.APIs == nil {
		for _, r := range registry {
			cfg.APIs = append(cfg.APIs, r.new)
		}
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger}
	s.outbox = &outbox.Outbox{Store: cfg.Store, Retention: cfg.Retention}
	env := mockapi.Env{Store: cfg.Store, Clock: cfg.Clock, Outbox: s.outbox, Codes: cfg.Codes,
		Passwords: password.Hasher{Cost: cfg.PasswordCost}, Broken: mockapi.RuleSet{}, Retention: cfg.Retention, Logger: cfg.Logger}
	for _, id := range cfg.BrokenRules {
		env.Broken[id] = true
	}
	for _, f := range cfg.APIs {
		api := f(env)
		s.apis = append(s.apis, api)
		if cfg.Only == "" || cfg.Only == api.Name() {
			s.served = append(s.served, api)
		}
	}
	if err := s.check(); err != nil {
		return nil, err
	}

	controlSpec := openapi.MustLoad(openapi.Control)
	control, err := apihttp.New(apihttp.API{Spec: controlSpec, Operations: s.controlOperations(controlSpec),
		Authenticate: s.authenticateControl, WriteFailure: mockapi.WriteControlFailure}, s.apiOptions())
	if err != nil {
		return nil, err
	}
	// Paths are routed as sent: no redirect to a cleaned path, no dot segments resolved, so
	// `/rambase//x` and `/rambase/../_mock/reset` are the API's 404, not a bare 301.
	s.router = mux.NewRouter().SkipClean(true)
	notFound := mockapi.WriteControlFailure
	if cfg.Only != "" {
		notFound = s.served[0].WriteFailure
	}
	s.router.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		notFound(w, r, &openapi.Failure{Kind: openapi.KindNotFound, Rule: "path"})
	})
	for _, api := range s.served {
		h, err := apihttp.New(apihttp.API{Spec: api.Spec(), Operations: api.Operations(), Authenticate: api.Authenticate,
			WriteFailure: api.WriteFailure}, s.apiOptions())
		if err != nil {
			return nil, err
		}
		prefix := "/" + api.Name()
		if cfg.Only != "" {
			prefix = ""
		}
		s.mount(prefix, control, h)
	}
	if cfg.Only == "" {
		s.mount("", control, nil)
	}

	if err := s.reset(context.Background(), cfg.Fixtures); err != nil {
		return nil, err
	}
	s.stopSweep = make(chan struct{})
	go s.sweepEvery(cfg.SweepInterval)
	return s, nil
}

// check refuses a configuration that would silently do less than asked.
func (s *Server) check() error {
	names := map[string]bool{}
	var breakable []string
	for _, api := range s.apis {
		if names[api.Name()] {
			return fmt.Errorf("mockserver: API %q is listed twice", api.Name())
		}
		names[api.Name()] = true
	}
	for _, api := range s.served {
		breakable = append(breakable, api.Breakable()...)
	}
	if len(s.served) == 0 {
		return fmt.Errorf("mockserver: unknown API %q (known: %s)", s.cfg.Only, strings.Join(slices.Sorted(maps.Keys(names)), ", "))
	}
	for _, id := range s.cfg.BrokenRules {
		if !slices.Contains(breakable, id) {
			return fmt.Errorf("mockserver: rule %s cannot be broken (breakable: %s)", id, strings.Join(breakable, ", "))
		}
	}
	for section := range s.cfg.Fixtures {
		if !names[section] {
			return fmt.Errorf("mockserver: fixtures: no API named %q", section)
		}
	}
	return nil
}

func (s *Server) apiOptions() apihttp.Options {
	return apihttp.Options{MaxBodyBytes: s.cfg.MaxBodyBytes, Logger: s.log}
}

// mount serves the control API at prefix/_mock/ and api (if any) under prefix, each with the prefix
// stripped and the external base URL recorded for links.
func (s *Server) mount(prefix string, control, api http.Handler) {
	s.router.PathPrefix(prefix + "/_mock/").Handler(s.strip(prefix+"/_mock", control))
	if api != nil {
		s.router.PathPrefix(prefix + "/").Handler(s.strip(prefix, api))
	}
}

// strip serves h with prefix taken off the path. Unlike http.StripPrefix it routes on the decoded
// path alone, so a percent-encoded prefix (/%72ambase/...) reaches the API, whose 404 is in its own
// error shape, rather than net/http's plain-text one.
func (s *Server) strip(prefix string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := s.cfg.PublicURL
		if base == "" {
			base = apihttp.BaseURL(r)
		}
		u := *r.URL
		u.Path, u.RawPath = strings.TrimPrefix(r.URL.Path, prefix), ""
		stripped := r.Clone(r.Context())
		stripped.URL = &u
		h.ServeHTTP(w, apihttp.WithBaseURL(stripped, strings.TrimSuffix(base, "/")+prefix))
	})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// Fixtures returns the fixture set the mock is seeded with.
func (s *Server) Fixtures() Fixtures {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.fixtures
}

// Principals lists the fixture set's principals with their credentials.
func (s *Server) Principals() []mockapi.Principal {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.principals
}

// APIs lists the APIs this server serves.
func (s *Server) APIs() []string {
	names := make([]string, len(s.served))
	for i, api := range s.served {
		names[i] = api.Name()
	}
	return names
}

// api returns a served API by name.
func (s *Server) api(name string) (mockapi.API, bool) {
	for _, api := range s.served {
		if api.Name() == name {
			return api, true
		}
	}
	return nil, false
}

// Only returns the API served at the root, or "" when every API is served under its prefix.
func (s *Server) Only() string { return s.cfg.Only }

// Close stops the sweeper. It does not close the store, which the caller may have passed in.
func (s *Server) Close() { s.closeOnce.Do(func() { close(s.stopSweep) }) }

// reset forgets all state and seeds the fixture set f. The set is seeded into a fresh store off to
// the side and swapped in whole, so no request ever sees a half-seeded mock, and a set that cannot
// be seeded (a duplicate id, say) is refused with the mock untouched. Resets run one at a time.
func (s *Server) reset(ctx context.Context, f Fixtures) error {
	s.resetMu.Lock()
	defer s.resetMu.Unlock()
	staging := memory.New()
	var principals []mockapi.Principal
	for _, api := range s.served {
		ps, err := api.Seed(ctx, staging, f[api.Name()])
		if err != nil {
			return err
		}
		principals = append(principals, ps...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.store.Replace(ctx, staging.Records()); err != nil {
		return err
	}
	s.fixtures, s.principals = f, principals
	return nil
}

// sweepEvery deletes records past their retention, judged on the mock's clock, every interval of
// real time, so a long-running mock keeps flat memory. It runs on real time rather than as a timer
// of the mock's clock because the clock steps through every timer on its way: a one-minute timer
// would run half a million sweeps while the clock is moved a year. Moving the clock through the
// control API sweeps at once as well.
func (s *Server) sweepEvery(interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-s.stopSweep:
			return
		case <-tick.C:
			s.sweep()
		}
	}
}

func (s *Server) sweep() {
	if n, err := s.store.Sweep(context.Background(), s.cfg.Clock.Now()); err != nil {
		s.log.Error("sweep failed", "error", err)
	} else if n > 0 {
		s.log.Debug("swept records past retention", "count", n)
	}
}
