// Package mockserver composes the validating, stateful mocks of idvkit's APIs into one http.Handler:
// each API behind its prefix (/rambase, ...), or one API at the root, and the test-control API at
// /_mock and under every prefix. Everything API-specific comes from the API packages through
// mockapi.API; the registry lists them.
package mockserver

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/journal"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/otp"
	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/password"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/mockserver/webhook"
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
	// from each request's Host. Its origin may call the control API from a browser, and its host
	// is answered beside IP addresses and localhost names (servesHost).
	PublicURL string
	// AllowedHosts are the other Host names the mock answers (a docker-compose service name,
	// host.docker.internal); "*" answers any. Any other name is refused, against DNS rebinding.
	AllowedHosts  []string
	PasswordCost  int           // a bcrypt cost (password.MinCost to MaxCost) each password check spends, for a vendor's timing; zero: none, microseconds a check
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
	// Responses is which of the mock's responses are validated against the spec: the zero value
	// samples them (apihttp.SampleResponses), the served mock's default; tests validate every one.
	Responses apihttp.ResponseChecks
	// JournalSize is how many requests the request journal keeps, and how many violations apart
	// from them; zero: journal.DefaultSize; negative: none is recorded, so that `make bench` can show
	// what recording costs (BenchmarkHandler's unjournaled mock).
	JournalSize int
	// OnViolation is called with every request that broke an API's contract, as the journal records
	// it (journal.Config.OnViolation); nil: none.
	OnViolation func(journal.Request)
	// Drain bounds how much of a body the mock answered without reading (a 413 over MaxBodyBytes, a
	// 401, a 404) it still reads and discards after the answer, so that a client that sends its whole
	// body before reading gets the answer (apihttp.Linger); zero: up to 4 MiB within 5 s; a negative
	// Bytes: none.
	Drain apihttp.Drain
}

// Adjuster is a clock the control API can move: forward (Advance, Set), or back to where it started
// (Restart, with a reset). A Config.Clock that is not one gives a mock whose capabilities leave out
// clock.advance.
type Adjuster interface {
	Advance(d time.Duration) error
	Set(t time.Time) error
	Restart()
}

// Server is the composed mock. It is an http.Handler; call Close when done to stop its sweeper.
type Server struct {
	cfg    Config
	store  store.Store
	outbox *outbox.Outbox
	hooks  *webhook.Sender
	// journal records every request to an API (not the control API's or the pages').
	journal *journal.Journal
	linger  http.Handler            // route, behind apihttp.Linger
	apis    []mockapi.API           // every API built
	served  []mockapi.API           // in registry order; only the --only API when set
	mounts  []mount                 // a longer prefix before a shorter one of the same API
	pages   map[string]http.Handler // "<api>/<page>" -> the page
	log     *slog.Logger
	// crossOrigin judges whether a browser sent a control call from another site's page; hosts are
	// the names it answers beside IP addresses and localhost (servesHost).
	crossOrigin *http.CrossOriginProtection
	hosts       hostNames

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
	if err := password.ValidCost(cfg.PasswordCost); err != nil {
		return nil, err
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
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, crossOrigin: http.NewCrossOriginProtection()}
	var publicHost string
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("mockserver: public URL %q is not an absolute URL", cfg.PublicURL)
		}
		if err := s.crossOrigin.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("mockserver: public URL %q: %w", cfg.PublicURL, err)
		}
		publicHost = u.Hostname()
	}
	hosts, err := newHostNames(cfg.AllowedHosts, publicHost)
	if err != nil {
		return nil, err
	}
	s.hosts = hosts
	s.outbox = &outbox.Outbox{Store: cfg.Store, Retention: cfg.Retention}
	s.journal = journal.New(journal.Config{Size: cfg.JournalSize, Now: cfg.Clock.Now, Logger: cfg.Logger, OnViolation: cfg.OnViolation})
	s.linger = apihttp.Linger(http.HandlerFunc(s.route), cfg.Drain)
	s.hooks = webhook.New(webhook.Config{Clock: cfg.Clock, Store: cfg.Store, Logger: cfg.Logger, Retention: cfg.Retention})
	env := mockapi.Env{Store: cfg.Store, Clock: cfg.Clock, Outbox: s.outbox, Codes: cfg.Codes, Webhooks: s.hooks,
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

	s.pages = map[string]http.Handler{}
	for _, api := range s.served {
		if ps, ok := api.(mockapi.PageServer); ok {
			for name, h := range ps.Pages() {
				s.pages[api.Name()+"/"+name] = h
			}
		}
		if cp, ok := api.(mockapi.ControlPager); ok {
			for _, name := range cp.ControlPages() {
				name = api.Name() + "/" + name
				s.pages[name] = s.guardPage(s.pages[name])
			}
		}
	}
	if err := s.mountAll(); err != nil {
		return nil, err
	}

	if err := s.seed(context.Background(), cfg.Fixtures); err != nil {
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
		if rb, ok := api.(mockapi.RuleBreaker); ok {
			breakable = append(breakable, rb.Breakable()...)
		}
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

// mount is where one API (or, at the root of a mock serving every API, none) is served: the control
// API at prefix/_mock/ and the API under prefix/.
type mount struct {
	prefix       string
	control, api http.Handler
}

// mountAll builds a handler per mount: each API under its prefix, or the one --only API at the root,
// with the control API beside it, and the control API alone at the root of a mock serving them all.
func (s *Server) mountAll() error {
	controlSpec := openapi.MustLoad(openapi.Control)
	controlOps := s.controlOperations(controlSpec)
	add := func(prefix string, api mockapi.API) error {
		opts := s.apiOptions(prefix + "/_mock")
		opts.DeclaredMediaTypesOnly = true
		control, err := apihttp.New(apihttp.API{Spec: controlSpec, Operations: controlOps, Authenticate: s.authenticateControl,
			Errors: mockapi.ControlErrors()}, opts)
		if err != nil {
			return err
		}
		m := mount{prefix: prefix, control: s.refuseCrossSite(control)}
		if api != nil {
			opts := s.apiOptions(prefix)
			if s.cfg.JournalSize >= 0 {
				opts.Journal = s.journal
			}
			if m.api, err = apihttp.New(apihttp.API{Spec: api.Spec(), Operations: api.Operations(), Authenticate: api.Authenticate,
				Errors: api.Errors()}, opts); err != nil {
				return err
			}
		}
		s.mounts = append(s.mounts, m)
		return nil
	}
	// An API is served under each of its spec's base paths (a vendor's /v1 beside its bare host), and
	// the control API at its prefix too when the API is not (a vendor that serves it only under /v1).
	addAPI := func(prefix string, api mockapi.API) error {
		bases := api.Spec().BasePaths()
		for _, base := range bases {
			if err := add(prefix+base, api); err != nil {
				return err
			}
		}
		if !slices.Contains(bases, "") {
			return add(prefix, nil)
		}
		return nil
	}
	if s.cfg.Only != "" {
		return addAPI("", s.served[0])
	}
	for _, api := range s.served {
		if err := addAPI("/"+api.Name(), api); err != nil {
			return err
		}
	}
	return add("", nil)
}

func (s *Server) apiOptions(prefix string) apihttp.Options {
	return apihttp.Options{MaxBodyBytes: s.cfg.MaxBodyBytes, Logger: s.log, Responses: s.cfg.Responses, Prefix: prefix, PublicURL: s.cfg.PublicURL}
}

// ServeHTTP implements http.Handler: route, behind a lingering close for a body left unread.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.linger.ServeHTTP(w, r) }

// route serves a request. Paths are routed as sent (openapi.RequestPath: never cleaned or
// redirected, each segment decoded on its own), so `/rambase//x` and `/rambase/../_mock/reset` get
// the API's 404 rather than a bare 301, a percent-encoded prefix (/%72ambase/...) is the prefix, and
// an encoded slash (/rambase%2F...) separates nothing.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if !s.servesHost(r.Host) {
		mockapi.ControlErrors().Answer(w, r, otherHostError(r.Host))
		return
	}
	path := openapi.RequestPath(r.URL)
	for _, m := range s.mounts {
		if !strings.HasPrefix(path, m.prefix+"/") {
			continue
		}
		switch rest := path[len(m.prefix):]; {
		case strings.HasPrefix(rest, "/_mock/ui/"):
			s.page(w, r, strings.TrimPrefix(rest, "/_mock/ui/"))
			return
		case strings.HasPrefix(rest, "/_mock/"):
			m.control.ServeHTTP(w, r)
			return
		case m.api != nil:
			m.api.ServeHTTP(w, r)
			return
		}
	}
	if headersTooLarge(r) {
		s.notFound(w, r, failHeadersTooLarge)
		return
	}
	s.notFound(w, r, failNoPath)
}

// What the mock answers itself, outside the APIs it serves.
var (
	failHeadersTooLarge = &openapi.Failure{Kind: openapi.KindHeaderTooLarge, Rule: "max-header-bytes"}
	failNoPath          = &openapi.Failure{Kind: openapi.KindNotFound, Rule: "path"}
	errNoSuchPage       = mockapi.ControlError(http.StatusNotFound, "not-found", "No such page")
)

// headersTooLarge reports whether a request's headers are over the limit every API and the control
// API hold them to.
func headersTooLarge(r *http.Request) bool {
	return apihttp.HeaderBytes(r) > apihttp.MaxHeaderBytes
}

// maxPageForm bounds what an end-user page reads of a POST: a small form.
const maxPageForm = 64 << 10

// page serves an API's end-user page, named "<api>/<page>". Every page is HTML that carries a secret
// in its URL (a link's key, a reset token), so none is cached or names its URL to the next site, and
// none reads more of a form than maxPageForm. The form is parsed here, so that every page answers
// one it cannot read alike, saying why; the page itself renders every other answer.
func (s *Server) page(w http.ResponseWriter, r *http.Request, name string) {
	if headersTooLarge(r) {
		mockapi.ControlErrors().Answer(w, r, failHeadersTooLarge)
		return
	}
	if h := s.pages[name]; h != nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		r.Body = http.MaxBytesReader(w, r.Body, maxPageForm)
		if status, problem := parsePageForm(r); problem != "" {
			w.WriteHeader(status)
			if err := pageProblem.Execute(w, problem); err != nil {
				s.log.Error("render a page's problem", "error", err)
			}
			return
		}
		h.ServeHTTP(w, r)
		return
	}
	mockapi.ControlErrors().Answer(w, r, errNoSuchPage)
}

// parsePageForm parses the form a page is sent (r.PostForm), and says what is wrong with one it
// cannot read, with its status: 413 over maxPageForm, 400 malformed or not UTF-8. Only a request that
// carries a form is parsed: a GET's query is the page's to read, a malformed parameter it does not use
// included.
func parsePageForm(r *http.Request) (status int, problem string) {
	if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
		return 0, ""
	}
	err := r.ParseForm()
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("The form is too large: a page takes at most %d KiB.", maxPageForm>>10)
	case err != nil:
		return http.StatusBadRequest, "The form or the link cannot be read: it has a malformed %-escape or a ';'."
	}
	if field, ok := notText(r.Form); ok {
		return http.StatusBadRequest, "The form or the link cannot be read: " + field + " is not UTF-8 text."
	}
	return 0, ""
}

// notText names the first field of a form (the body's fields and the link's), by name, whose name or a
// value is not UTF-8 once unescaped. A page's fields are text, which the APIs take only as UTF-8: a
// password the reset page set in another encoding could never be given to the API's login.
func notText(form url.Values) (field string, found bool) {
	for _, name := range slices.Sorted(maps.Keys(form)) {
		switch {
		case !utf8.ValidString(name):
			return "the name of a field", true
		case slices.ContainsFunc(form[name], func(v string) bool { return !utf8.ValidString(v) }):
			return "field " + name, true
		}
	}
	return "", false
}

// pageProblem is the page the mock answers with when it cannot read a page's form.
var pageProblem = template.Must(template.New("problem").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>idvkit: the form cannot be read</title></head>
<body>
<p role="alert">{{.}}</p>
</body>
</html>
`))

// notFound answers a path no mount serves, in the one API's error shape when only one is served at
// the root, else in the control API's, and journals it: a client that got its base URL wrong sent
// every request here.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, f *openapi.Failure) {
	errs := mockapi.ControlErrors()
	if s.cfg.Only != "" {
		errs = s.served[0].Errors()
	}
	s.journal.Record(journal.Exchange{API: s.cfg.Only, Request: r, Status: errs.Answer(w, r, f), Failure: f})
}

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

// BasePath is where a served API's paths start under its prefix: the shortest of its spec's base
// paths ("" for RamBase's https://api.rambase.net, "/v1" for an API its vendor serves only under
// /v1), as a client configured with the vendor's base URL expects; "" for an API not served.
func (s *Server) BasePath(api string) string {
	if a, ok := s.api(api); ok {
		bases := a.Spec().BasePaths()
		return bases[len(bases)-1]
	}
	return ""
}

// Outbox is what the mock has sent to people: emailed codes, links.
func (s *Server) Outbox() *outbox.Outbox { return s.outbox }

// Webhooks is the mock's webhook sender, whose Log is every delivery and its attempts.
func (s *Server) Webhooks() *webhook.Sender { return s.hooks }

// Close stops the sweeper and the webhook deliveries (what is pending is logged as abandoned). It
// does not close the store, which the caller may have passed in.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.stopSweep)
		s.hooks.Close()
	})
}

// seed forgets all state and seeds the fixture set f. The set is seeded into a fresh store off to
// the side and swapped in whole, so no request ever sees a half-seeded mock, and a set that cannot
// be seeded (a duplicate id, say) is refused with the mock untouched. Resets run one at a time.
func (s *Server) seed(ctx context.Context, f Fixtures) error {
	s.resetMu.Lock()
	defer s.resetMu.Unlock()
	staging := memory.New()
	var principals []mockapi.Principal
	for _, api := range s.served {
		ps, err := api.Fixtures().Seed(ctx, staging, f[api.Name()])
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

// bigSweep is how many records a sweep must delete before their memory is handed back to the
// system at once, rather than whenever the runtime gets round to it.
const bigSweep = 10_000

func (s *Server) sweep() {
	n, err := s.store.Sweep(context.Background(), s.cfg.Clock.Now())
	switch {
	case err != nil:
		s.log.Error("sweep failed", "error", err)
	case n >= bigSweep:
		// An idle mock may not collect garbage for minutes, and a collected heap is returned to the
		// system slowly; a long-running mock's memory should fall as soon as its records go.
		debug.FreeOSMemory()
		fallthrough
	case n > 0:
		s.log.Debug("swept records past retention", "count", n)
	}
}
