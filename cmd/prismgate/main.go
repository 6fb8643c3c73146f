// Command prismgate runs the conformance suite against the served mock through Stoplight Prism's
// validating proxy, one API at a time, and fails when Prism finds a response that breaks the API's
// spec. The mock and the suite validate with kin-openapi; Prism reads the same specs with ajv, as
// the contract-testing tools partners use do, so a construct the two read differently (a nullable
// reference, a format one checks and the other does not) fails here.
//
//	prismgate --idvkit bin/idvkit --prism @stoplight/prism-cli@5.16.0 [--api eeid,rambase]
//
// For each API it starts `idvkit serve --only <api>` on a free port, `prism proxy` on the spec
// (`servers` pointing at the mock) upstream to it, and, before Prism, a front that keeps the
// violations Prism reports in the sl-violations header of each response; the mock's public URL is
// the front's, so the links it hands out lead back through Prism. Then `idvkit conform --api <api>`
// runs against the front, its control API straight at the mock. A request Prism refuses and the mock
// accepts fails the gate too; other request violations are the negative scenarios doing their job.
// Prism 5.16.0 reads no XML (it validates an XML body's text as a string), so its findings on XML
// bodies are set aside and counted, and its other findings on those exchanges kept (violation.ofXMLBody).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/idvkit/idvkit/internal/child"
	"github.com/idvkit/idvkit/openapi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "prismgate:", err)
		os.Exit(1)
	}
}

// pinnedPrism is an exact version of Prism's package: a gate must not change with npm's latest.
var pinnedPrism = regexp.MustCompile(`^@stoplight/prism-cli@\d+\.\d+\.\d+$`)

type options struct {
	idvkit string // the binary that serves the mock and runs the suite
	prism  string // the npm package npx runs
	dir    string // specs and logs
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("prismgate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	idvkit := fs.String("idvkit", "", "the idvkit binary that serves the mock and runs the suite (make conform-prism builds one)")
	prism := fs.String("prism", "", "Prism's npm package at an exact version, run with npx: @stoplight/prism-cli@X.Y.Z")
	apiList := fs.String("api", "", "comma-separated APIs to check (default: every API)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *idvkit == "" || !pinnedPrism.MatchString(*prism) {
		return errors.New("want --idvkit PATH and --prism @stoplight/prism-cli@X.Y.Z")
	}
	apis, err := selectAPIs(*apiList)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "prismgate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	o := options{idvkit: *idvkit, prism: *prism, dir: dir}

	began := time.Now()
	failed := false
	for _, api := range apis {
		fmt.Fprintf(stdout, "== %s through %s\n", api, o.prism)
		apiBegan := time.Now()
		res, err := checkAPI(ctx, o, api, stdout, stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", api, err)
		}
		fmt.Fprintf(stdout, "prismgate: %s: %s (%s)\n", api, res.summary(), time.Since(apiBegan).Round(time.Second))
		for _, line := range group(res.violations) {
			fmt.Fprintln(stdout, "  response violation:", line)
		}
		for _, line := range group(res.disagreements) {
			fmt.Fprintln(stdout, "  request the mock accepted and Prism refused:", line)
		}
		for _, err := range res.errs {
			fmt.Fprintln(stdout, "  ", err)
		}
		failed = failed || !res.passed()
	}
	fmt.Fprintf(stdout, "prismgate: %d APIs in %s\n", len(apis), time.Since(began).Round(time.Second))
	if failed {
		return errors.New("the mock and Prism disagree on the spec, or the suite failed through Prism (above)")
	}
	return nil
}

func selectAPIs(list string) ([]string, error) {
	all := slices.DeleteFunc(openapi.Names(), func(n string) bool { return n == openapi.Control })
	if list == "" {
		return all, nil
	}
	apis := strings.Split(list, ",")
	for _, a := range apis {
		if !slices.Contains(all, a) {
			return nil, fmt.Errorf("--api: no API %q (known: %s)", a, strings.Join(all, ", "))
		}
	}
	return apis, nil
}

// checkAPI runs the suite for one API through Prism and returns what Prism found.
func checkAPI(ctx context.Context, o options, api string, stdout, stderr io.Writer) (result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	frontURL := "http://" + ln.Addr().String()
	mockAddr, err := child.FreeAddr()
	if err != nil {
		return result{}, err
	}
	mockURL := &url.URL{Scheme: "http", Host: mockAddr}
	env := withoutIdvkitSettings(os.Environ())

	mock, err := child.Start(api+"-mock", o.dir, env, o.idvkit, "serve", "--addr", mockAddr, "--only", api, "--public-url", frontURL)
	if err != nil {
		return result{}, err
	}
	defer mock.Stop()
	if err := waitReady(ctx, mock, mockURL.String()+"/_mock/healthz", func(s int) bool { return s == http.StatusOK }, 30*time.Second); err != nil {
		return result{}, err
	}

	spec, err := openapi.WithServer(api, mockURL.String())
	if err != nil {
		return result{}, err
	}
	specFile := filepath.Join(o.dir, api+".yaml")
	if err := os.WriteFile(specFile, spec, 0o600); err != nil {
		return result{}, err
	}
	prismAddr, err := child.FreeAddr()
	if err != nil {
		return result{}, err
	}
	host, port, _ := net.SplitHostPort(prismAddr)
	// --cors=false: Prism adds no CORS headers of its own to the mock's answers.
	prism, err := child.Start(api+"-prism", o.dir, os.Environ(), "npx", "--yes", "-p", o.prism, "prism", "proxy",
		"--host", host, "--port", port, "--cors=false", "--errors=false", "--verboseLevel", "warn", specFile, mockURL.String())
	if err != nil {
		return result{}, err
	}
	defer prism.Stop()
	prismURL := &url.URL{Scheme: "http", Host: prismAddr}
	// Ready once Prism forwards: the mock's health check is outside the spec, and Prism passes it on.
	// The first run may download Prism.
	if err := waitReady(ctx, prism, prismURL.String()+"/_mock/healthz", func(s int) bool { return s == http.StatusOK }, 5*time.Minute); err != nil {
		return result{}, err
	}

	f := newFront(prismURL, mockURL)
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	suite := exec.CommandContext(ctx, o.idvkit, "conform", "--api", api, "--base-url", frontURL, "--control-url", mockURL.String()+"/_mock",
		"--strict-policy", "--fail-on-skip", "--format", "progress")
	suite.Env = env
	suite.Stdout, suite.Stderr = stdout, stderr
	suiteErr := suite.Run()
	if ctx.Err() != nil {
		return result{}, ctx.Err()
	}
	res := f.result(api)
	res.suite = suiteErr
	if err := prism.Exited(); err != nil {
		return result{}, fmt.Errorf("during the run: %w", err)
	}
	if res.suite != nil || len(res.errs) > 0 {
		fmt.Fprintln(stdout, prism.Output())
	}
	return res, nil
}

// withoutIdvkitSettings drops IDVKIT_* variables, so that neither the mock nor the suite takes a
// setting of the caller's environment (a control token, a target file) the gate did not give.
func withoutIdvkitSettings(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "IDVKIT_") })
}
