package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/journal"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/password"
)

// serveConfig reads serve's flags, each defaulting to its IDVKIT_* variable, into the mock's Config
// and the address to listen on; ok is false when serve must not start (a usage error, or -h).
func serveConfig(args []string, getenv func(string) string, stderr io.Writer) (cfg mockserver.Config, listen string, ok bool, err error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", envOr(getenv, "IDVKIT_ADDR", "127.0.0.1:8080"), "listen address (env IDVKIT_ADDR)")
	only := fs.String("only", getenv("IDVKIT_ONLY"), "serve only this API, at the root (env IDVKIT_ONLY)")
	fixtures := fs.String("fixtures", getenv("IDVKIT_FIXTURES"), "fixture file (YAML or JSON) replacing the defaults (env IDVKIT_FIXTURES)")
	publicURL := fs.String("public-url", getenv("IDVKIT_PUBLIC_URL"), "URL clients reach the mock at, for links it hands out (env IDVKIT_PUBLIC_URL); default: from each request")
	allowedHosts := fs.String("allowed-hosts", getenv("IDVKIT_ALLOWED_HOSTS"),
		"Host names answered beside IP addresses, localhost, *.localhost and the --public-url's host, comma-separated (idvkit,host.docker.internal), against DNS rebinding; * answers any (env IDVKIT_ALLOWED_HOSTS)")
	controlToken := fs.String("control-token", getenv("IDVKIT_CONTROL_TOKEN"), "token every control call but /_mock/healthz must carry as a Bearer token (env IDVKIT_CONTROL_TOKEN)")
	brokenRules := fs.String("broken-rules", getenv("IDVKIT_BROKEN_RULES"),
		"conformance rules to break on purpose, comma-separated (RV-15,RB-11), to see what the suite reports on an implementation that breaks them (env IDVKIT_BROKEN_RULES)")
	validate := fs.String("validate-responses", envOr(getenv, "IDVKIT_VALIDATE_RESPONSES", "sampled"),
		"which of the mock's own responses are checked against the spec: sampled (the first 16 of each operation and status, then 1 in 64, and every one of a shape once one broke the spec) or all (env IDVKIT_VALIDATE_RESPONSES)")
	drainBytes := fs.String("drain-bytes", envOr(getenv, "IDVKIT_DRAIN_BYTES", "4MiB"),
		"how much of a body answered without being read (a 413 over 1 MiB, a 401) is still read and discarded, so a client that sends it all before reading gets the answer; 0: none (env IDVKIT_DRAIN_BYTES)")
	drainTimeout := fs.String("drain-timeout", envOr(getenv, "IDVKIT_DRAIN_TIMEOUT", apihttp.DefaultDrainTimeout.String()),
		"how long the rest of such a body may take to arrive (env IDVKIT_DRAIN_TIMEOUT)")
	passwordCost := fs.String("password-cost", envOr(getenv, "IDVKIT_PASSWORD_COST", "0"),
		"0: a password check is a keyed hash, microseconds; 4 to 31: it also spends a bcrypt comparison at that cost, for a vendor's login timing (10: about 60 ms of CPU) (env IDVKIT_PASSWORD_COST)")
	journalSize := fs.String("journal-size", envOr(getenv, "IDVKIT_JOURNAL_SIZE", strconv.Itoa(journal.DefaultSize)),
		"how many requests the request journal keeps (GET /_mock/requests), and how many contract violations apart from them (GET /_mock/violations), "+
			"1 to "+strconv.Itoa(maxJournalSize)+" (env IDVKIT_JOURNAL_SIZE)")
	if ok, err := parse(fs, args, stderr); !ok {
		return cfg, "", false, err
	}
	if fs.NArg() > 0 {
		return cfg, "", false, usageError("serve takes no arguments, got %q", fs.Args())
	}
	cost, err := strconv.Atoi(*passwordCost)
	if err == nil {
		err = password.ValidCost(cost)
	}
	if err != nil {
		return cfg, "", false, usageError("--password-cost %q: want 0, or a bcrypt cost from %d to %d", *passwordCost, password.MinCost, password.MaxCost)
	}
	checks, ok := map[string]apihttp.ResponseChecks{"sampled": apihttp.SampleResponses, "all": apihttp.EveryResponse}[*validate]
	if !ok {
		return cfg, "", false, usageError("--validate-responses %q: want sampled or all", *validate)
	}
	drain, err := parseDrain(*drainBytes, *drainTimeout)
	if err != nil {
		return cfg, "", false, usageError("%v", err)
	}
	size, err := strconv.Atoi(*journalSize)
	if err != nil || size < 1 || size > maxJournalSize {
		return cfg, "", false, usageError("--journal-size %q: want a number of requests from 1 to %d", *journalSize, maxJournalSize)
	}

	cfg = mockserver.Config{Only: *only, PublicURL: strings.TrimSuffix(*publicURL, "/"), AllowedHosts: commaList(*allowedHosts),
		ControlToken: *controlToken, Responses: checks, BrokenRules: commaList(*brokenRules), Drain: drain, PasswordCost: cost, JournalSize: size, Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	if *fixtures != "" {
		data, err := os.ReadFile(*fixtures)
		if err != nil {
			return cfg, "", false, usageError("--fixtures: %v", err)
		}
		f, err := mockserver.ParseFixtures(data)
		if err != nil {
			return cfg, "", false, usageError("--fixtures %s: %v", *fixtures, err)
		}
		cfg.Fixtures = f
	}
	return cfg, *addr, true, nil
}

// maxJournalSize bounds --journal-size: an entry keeps at most about 26 KiB of its request (2 KiB of
// target, 4 KiB each of Authorization, Content-Type and two API key headers, 8 KiB of body), and the
// journal keeps N requests and N violations apart, so a mock that only ever gets the largest requests
// holds about half a GB at this bound (50 MiB at the default 1000).
const maxJournalSize = 10_000

// runServe is `idvkit serve`: all APIs (or one, with --only) on one listener, real time plus an
// offset the control API moves, until the context is cancelled (SIGINT, SIGTERM).
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, listen, ok, err := serveConfig(args, getenv, stderr)
	if !ok {
		return err
	}
	// Listen before building the mock, so a taken port is reported before fixtures are hashed.
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return usageError("listen on %s: %v", listen, err)
	}
	defer ln.Close()
	mock, err := mockserver.New(cfg)
	if err != nil {
		return usageError("%v", err)
	}
	defer mock.Close()
	srv := apihttp.NewServer(mock, apihttp.ServeTimeouts, slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn))
	at := listeningAt(ln.Addr(), listen)
	printBanner(stdout, at, mock)
	if cfg.ControlToken == "" && !loopback(ln.Addr()) {
		fmt.Fprintf(stderr, "\nWARNING: idvkit is listening on %s, beyond this machine, and its control API has no token:\n"+
			"anyone who can reach it can reset it, move its clock and read every one-time password it sent.\n"+
			"Start it with --control-token (or IDVKIT_CONTROL_TOKEN), or listen on 127.0.0.1.\n\n", at.scope)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "idvkit: stopped")
	return nil
}

// parseDrain reads --drain-bytes (a number of bytes, or of KiB or MiB: 4MiB) and --drain-timeout.
func parseDrain(size, timeout string) (apihttp.Drain, error) {
	num, unit := strings.TrimSpace(size), int64(1)
	for suffix, u := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20} {
		if n, ok := strings.CutSuffix(num, suffix); ok {
			num, unit = strings.TrimSpace(n), u
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/unit {
		return apihttp.Drain{}, fmt.Errorf("--drain-bytes %q: want a number of bytes, KiB or MiB (4MiB)", size)
	}
	d, err := time.ParseDuration(timeout)
	if err != nil || d <= 0 {
		return apihttp.Drain{}, fmt.Errorf("--drain-timeout %q: want a positive duration (5s)", timeout)
	}
	drain := apihttp.Drain{Bytes: n * unit, Timeout: d}
	if drain.Bytes == 0 {
		drain.Bytes = -1 // none, where Drain's zero is the default
	}
	return drain, nil
}

// commaList splits a flag's comma-separated list, without blanks or empty items.
func commaList(s string) []string {
	var items []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// listenSite says where a serve listens, for its banner.
type listenSite struct {
	root  string // the URL a person opens on this machine: http://127.0.0.1:8080
	scope string // 127.0.0.1:8080, or every interface
	line  string // the banner's account of it, after "listening on"
}

// listeningAt describes a listener at addr, asked for as asked (--addr). An unspecified host (0.0.0.0,
// [::] or none) listens on every interface, and Go reports it as [::]:port, which no browser opens:
// this machine reaches it at 127.0.0.1 (Go's listener on an unspecified host takes IPv4 and IPv6 alike).
func listeningAt(addr net.Addr, asked string) listenSite {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		root := "http://" + addr.String()
		return listenSite{root: root, scope: addr.String(), line: root}
	}
	root := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	return listenSite{root: root, scope: "every interface",
		line: fmt.Sprintf("every interface (%s): %s from this machine, its address from others (a name once given with --allowed-hosts)", asked, root)}
}

// loopback reports whether a listener is reachable only from this machine.
func loopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// printBanner tells a partner where everything is and how to log in with each fixture role.
func printBanner(w io.Writer, at listenSite, mock *mockserver.Server) {
	fmt.Fprintf(w, "idvkit %s listening on %s\n", version(), at.line)
	root := at.root
	for _, api := range mock.APIs() {
		base := root + "/" + api
		if mock.Only() != "" {
			base = root
		}
		fmt.Fprintf(w, "  %-12s %s\n", api, base)
	}
	fmt.Fprintf(w, "  %-12s %s/_mock (capabilities, clock, principals, outbox, requests, violations, fixtures, reset)\n", "control", root)
	fmt.Fprintln(w, "\nFixture principals (role: credentials):")
	for _, p := range mock.Principals() {
		fmt.Fprintf(w, "  %-30s %s\n", p.Role, credentials(p))
	}
	fmt.Fprintln(w)
}

// credentials writes what a principal logs in with, for the banner: its username, or its email
// when it has none (Rampable's users log in by email).
func credentials(p mockapi.Principal) string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("username", p.Username)
	if p.Username == "" {
		add("email", p.Email)
	}
	add("password", p.Password)
	if p.Username != "" && p.ClientID != "" {
		parts = append(parts, "(through client_id="+p.ClientID+" client_secret="+p.ClientSecret+")")
	} else {
		add("client_id", p.ClientID)
		add("client_secret", p.ClientSecret)
	}
	for _, k := range slices.Sorted(maps.Keys(p.Attributes)) {
		add(k, p.Attributes[k])
	}
	return strings.Join(parts, " ")
}
