// Package mockserver composes the validating, stateful mocks of idvkit's APIs into one http.Handler:
// each API behind its prefix (/rambase, ...), or one API at the root, and the test-control API at
// /_mock and under every prefix.
package mockserver

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/password"
	"github.com/idvkit/idvkit/mockserver/provider"
	"github.com/idvkit/idvkit/mockserver/rambase"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/openapi"
)

// Config configures a Server. The zero value serves every API with real time, an in-memory store
// and the default fixtures.
type Config struct {
	Clock    clock.Clock  // nil: real time, movable through the control API
	Store    store.Store  // nil: a new in-memory store
	Fixtures *Fixtures    // nil: DefaultFixtures()
	Only     string       // serve only this API, at the root
	Logger   *slog.Logger // nil: slog.Default()
	// PublicURL is the URL clients reach the mock at, for links the mock hands out; empty derives it
	// from each request's Host.
	PublicURL     string
	PasswordCost  int           // bcrypt cost for fixture and generated passwords; zero: bcrypt's default
	MaxBodyBytes  int64         // zero: 1 MiB
	SweepInterval time.Duration // how often records past retention are deleted; zero: 1 minute
	// RamBase tunes the RamBase mock (TTLs, broken rules); its Store, Clock, Mailer and key are set here.
	RamBase rambase.Config
}

// Adjuster is a clock the control API can move. A Config.Clock that is not one gives a mock whose
// capabilities leave out clock.advance.
type Adjuster interface {
	Advance(d time.Duration) error
	Set(t time.Time) error
}

// Server is the composed mock. It is an http.Handler; call Close when done to stop its sweeper.
type Server struct {
	cfg     Config
	store   store.Store
	outbox  *outbox.Outbox
	rambase *rambase.Handler
	served  []servedAPI // in openapi.APIs order; only the --only API when set
	router  *mux.Router
	log     *slog.Logger

	mu       sync.RWMutex
	fixtures Fixtures
	sweeper  clock.Timer
	closed   bool
}

// servedAPI is one API as the composition sees it: what it serves, who makes its principals, and
// which control capabilities it adds. Everything API-specific comes from the API's package.
type servedAPI struct {
	name         string
	handler      http.Handler
	maker        provider.Maker
	capabilities []string
}

// processKey signs tokens only this process verifies; made once, so starting a mock costs nothing.
var processKey = sync.OnceValue(func() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
})

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
	if cfg.Only != "" && !slices.Contains(openapi.APIs, cfg.Only) {
		return nil, fmt.Errorf("mockserver: unknown API %q (known: %s)", cfg.Only, strings.Join(openapi.APIs, ", "))
	}
	fixtures := DefaultFixtures()
	if cfg.Fixtures != nil {
		fixtures = *cfg.Fixtures
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, fixtures: fixtures}
	s.outbox = &outbox.Outbox{Store: cfg.Store, Retention: 24 * time.Hour}

	rb := cfg.RamBase
	rb.Store, rb.Clock, rb.Mailer, rb.SigningKey, rb.PasswordCost = cfg.Store, cfg.Clock, s.outbox, processKey(), cfg.PasswordCost
	s.rambase = rambase.New(rb)
	ramBaseAPI, err := apihttp.New(openapi.MustLoad(rambase.API), s.rambase.Operations(), rambase.WriteFailure, s.apiOptions())
	if err != nil {
		return nil, err
	}
	for _, api := range []servedAPI{
		{name: rambase.API, handler: ramBaseAPI, maker: s.rambase, capabilities: rambase.Capabilities},
	} {
		if cfg.Only == "" || cfg.Only == api.name {
			s.served = append(s.served, api)
		}
	}
	control, err := apihttp.New(openapi.MustLoad(openapi.Control), s.controlOperations(), writeControlFailure, s.apiOptions())
	if err != nil {
		return nil, err
	}

	s.router = mux.NewRouter()
	s.router.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeControlFailure(w, r, &openapi.Failure{Kind: openapi.KindNotFound, Rule: "path"})
	})
	if cfg.Only != "" {
		s.mount("", control, s.served[0].handler)
	} else {
		s.mount("", control, nil)
		for _, api := range s.served {
			s.mount("/"+api.name, control, api.handler)
		}
	}

	if err := s.seed(context.Background()); err != nil {
		return nil, err
	}
	s.scheduleSweep()
	return s, nil
}

func (s *Server) apiOptions() apihttp.Options {
	return apihttp.Options{MaxBodyBytes: s.cfg.MaxBodyBytes, Logger: s.log}
}

// mount serves the control API at prefix/_mock and api (if any) under prefix, each with the prefix
// stripped and the external base URL recorded for links.
func (s *Server) mount(prefix string, control, api http.Handler) {
	s.router.PathPrefix(prefix + "/_mock").Handler(s.strip(prefix+"/_mock", control))
	if api != nil {
		s.router.PathPrefix(prefix + "/").Handler(s.strip(prefix, api))
	}
}

func (s *Server) strip(prefix string, h http.Handler) http.Handler {
	stripped := http.StripPrefix(prefix, h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := s.cfg.PublicURL
		if base == "" {
			base = apihttp.BaseURL(r)
		}
		stripped.ServeHTTP(w, apihttp.WithBaseURL(r, strings.TrimSuffix(base, "/")+prefix))
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

// APIs lists the APIs this server serves.
func (s *Server) APIs() []string {
	names := make([]string, len(s.served))
	for i, api := range s.served {
		names[i] = api.name
	}
	return names
}

// api returns a served API by name.
func (s *Server) api(name string) (servedAPI, bool) {
	for _, api := range s.served {
		if api.name == name {
			return api, true
		}
	}
	return servedAPI{}, false
}

// Only returns the API served at the root, or "" when every API is served under its prefix.
func (s *Server) Only() string { return s.cfg.Only }

// Close stops the sweeper. It does not close the store, which the caller may have passed in.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.sweeper != nil {
		s.sweeper.Stop()
	}
}

func (s *Server) seed(ctx context.Context) error {
	return s.rambase.Seed(ctx, s.Fixtures().RamBase)
}

// reset forgets all state and seeds fixtures: the new set when given, else the current one. A new
// set that cannot be seeded (a duplicate id, say) is refused and the old set seeded again, so a
// rejected request leaves the mock as a reset would.
func (s *Server) reset(ctx context.Context, f *Fixtures) error {
	s.mu.Lock()
	old := s.fixtures
	if f != nil {
		s.fixtures = *f
	}
	s.mu.Unlock()
	err := s.reseed(ctx)
	if err != nil && f != nil {
		s.mu.Lock()
		s.fixtures = old
		s.mu.Unlock()
		if rerr := s.reseed(ctx); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	return err
}

func (s *Server) reseed(ctx context.Context) error {
	if err := s.store.Clear(ctx); err != nil {
		return err
	}
	return s.seed(ctx)
}

// scheduleSweep deletes records past their retention every SweepInterval of mock time, so a
// long-running mock keeps flat memory.
func (s *Server) scheduleSweep() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.sweeper = s.cfg.Clock.AfterFunc(s.cfg.SweepInterval, func() {
		if n, err := s.store.Sweep(context.Background(), s.cfg.Clock.Now()); err != nil {
			s.log.Error("sweep failed", "error", err)
		} else if n > 0 {
			s.log.Debug("swept records past retention", "count", n)
		}
		s.scheduleSweep()
	})
}
