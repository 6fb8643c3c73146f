package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/steps/report"
	"github.com/idvkit/idvkit/steps/scenario"
	"github.com/idvkit/idvkit/steps/suite"
	"github.com/idvkit/idvkit/steps/targetfile"
)

// runConform is `idvkit conform`: the Gherkin suite against an implementation, given by flags or a
// target file (--config), or an in-process mock without one. Exit 0 conformant, 1 not, 2 usage or
// configuration, 3 target unreachable or not ready.
func runConform(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	configFile := fs.String("config", "", "target file (YAML): API, base URL, control API, credentials, capabilities, verdict rules; flags override it")
	api := fs.String("api", "", "the API to check: "+strings.Join(mockserver.Registered(), ", ")+" (required with --base-url)")
	baseURL := fs.String("base-url", "", "base URL of the implementation under test; none runs an in-process mock")
	controlURL := fs.String("control-url", "", "its control API (default <base-url>/_mock; '' declares a target without one)")
	controlToken := fs.String("control-token", getenv("IDVKIT_CONTROL_TOKEN"), "token its control API wants (env IDVKIT_CONTROL_TOKEN)")
	principalsFile := fs.String("principals", "", "YAML file mapping roles to credentials, for targets without users.create")
	strictPolicy := fs.Bool("strict-policy", false, "count failures of our own policy rules (@policy) against this target")
	failOnSkip := fs.Bool("fail-on-skip", false, "not conformant if any scenario was skipped")
	minRules := fs.Int("min-rules", 0, "not conformant if fewer rules than this were verified for an API")
	expectedFile := fs.String("expected-failures", "", "YAML list of {id, reason}: scenarios known to fail; one that passes fails the run")
	tags := fs.String("tags", "", "run the scenarios a tag expression selects: @a,@b (either), @a && ~@b (a, not b)")
	timeout := fs.Duration("timeout", suite.DefaultTimeout, "longest a scenario may take; one that takes longer fails and the run goes on")
	format := fs.String("format", "pretty", "terminal output: pretty (a line per scenario) or progress (a character per scenario)")
	verbose := fs.Bool("verbose", false, "print godog's output of every failed scenario")
	junitFile := fs.String("junit", "", "write a JUnit XML report here (every scenario, skipped ones with their reason)")
	cucumberFile := fs.String("cucumber", "", "write a Cucumber JSON report here (every scenario, step by step)")
	dockerImage := fs.String("docker-image", "", "start the implementation from this local image (never pulled) and check it")
	dockerfile := fs.String("dockerfile", "", "build the implementation from this Dockerfile (FROM scratch or an image present) and check it")
	var dockerEnv stringList
	fs.Var(&dockerEnv, "docker-env", "KEY=VALUE for the container's environment (repeatable)")
	dockerBase := fs.String("docker-base-path", "", "the API's path under the container's root, / for the root; default: the API's prefix when the container says it serves several APIs under prefixes (the mock's own image), else the root")
	if ok, err := parse(fs, args, stderr); !ok {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("conform takes no arguments, got %q", fs.Args())
	}
	if *format != "pretty" && *format != "progress" {
		return usageError("--format %q: want pretty or progress", *format)
	}

	f := &targetfile.File{}
	if *configFile != "" {
		var err error
		if f, err = targetfile.Read(*configFile); err != nil {
			return usageError("--config: %v", err)
		}
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	override := func(name string, dst *string, v string) {
		if set[name] {
			*dst = v
		}
	}
	override("api", &f.API, *api)
	override("base-url", &f.BaseURL, *baseURL)
	override("tags", &f.Tags, *tags)
	override("expected-failures", &f.ExpectedFailures, *expectedFile)
	override("docker-image", &f.Docker.Image, *dockerImage)
	override("dockerfile", &f.Docker.Dockerfile, *dockerfile)
	override("docker-base-path", &f.Docker.BasePath, *dockerBase)
	if set["docker-env"] {
		f.Docker.Env = dockerEnv
	}
	if set["control-url"] {
		u := *controlURL
		f.Control = &targetfile.Control{URL: &u}
	}
	if *controlToken != "" && (set["control-token"] || f.Control == nil || f.Control.Token == "") {
		if f.Control == nil {
			f.Control = &targetfile.Control{}
		}
		f.Control.Token = *controlToken
	}
	if set["principals"] {
		ps, err := targetfile.ReadPrincipals(*principalsFile)
		if err != nil {
			return usageError("--principals: %v", err)
		}
		f.Principals = ps
	}
	f.StrictPolicy = f.StrictPolicy || *strictPolicy
	f.FailOnSkip = f.FailOnSkip || *failOnSkip
	if set["min-rules"] {
		f.MinRules = *minRules
	}
	if set["timeout"] || f.Timeout == 0 {
		f.Timeout = targetfile.Duration(*timeout)
	}
	plan, err := f.Plan()
	if err != nil {
		return usageError("%v", err)
	}
	// The container, if any, is purged however the run ends: done, failed, or interrupted.
	defer func() {
		if err := plan.Close(); err != nil {
			fmt.Fprintln(stderr, "idvkit: purging the target:", err)
		}
	}()
	s, err := suite.New(plan.Config)
	if err != nil {
		return usageError("%v", err)
	}
	scenarios, err := plan.Select(s.Scenarios())
	if err != nil {
		return usageError("%v", err)
	}
	if err := plan.Target.Ready(ctx); err != nil {
		return &exitError{code: exitUnreachable, msg: err.Error()}
	}

	fmt.Fprintf(stdout, "idvkit conform: %d scenarios against %s\n\n", len(scenarios), plan.Target.Describe())
	rep := plan.NewReport()
	progress := startProgress(stderr, len(scenarios), rep)
	defer progress.stop()
	for i, sc := range scenarios {
		if ctx.Err() != nil {
			return &exitError{code: exitUsage, msg: "interrupted"}
		}
		res := plan.Run(ctx, s, sc)
		rep.Results = append(rep.Results, res)
		progress.done(res)
		switch *format {
		case "progress":
			fmt.Fprint(stdout, rep.ProgressMark(res))
			if (i+1)%60 == 0 || i == len(scenarios)-1 {
				fmt.Fprintln(stdout)
			}
		default:
			rep.WriteLine(stdout, res)
		}
		if *verbose && res.Status == scenario.Failed {
			fmt.Fprintln(stdout, indent(res.Output))
		}
	}
	progress.stop()
	if *format == "progress" {
		for _, res := range rep.Results {
			if res.Status == scenario.Failed || len(res.Relaxed) > 0 {
				rep.WriteLine(stdout, res)
			}
		}
	}
	rep.WriteSummary(stdout)
	if err := writeReports(stdout, rep, *junitFile, *cucumberFile); err != nil {
		return &exitError{code: exitUsage, msg: err.Error()}
	}
	if !rep.Conformant() {
		return &exitError{code: exitNotConformant, msg: "not conformant"}
	}
	return nil
}

// progressLine prints, on runs longer than a few seconds, a line every few seconds saying how far
// the run is (done / total, failures so far), so a pipeline's log shows a slow target working.
type progressLine struct {
	mu       sync.Mutex
	w        io.Writer
	total    int
	finished int
	failed   int
	report   *report.Report
	started  time.Time
	quit     chan struct{}
	once     sync.Once
}

// progressEvery is how often the progress line is printed once the run has taken that long.
const progressEvery = 5 * time.Second

func startProgress(w io.Writer, total int, r *report.Report) *progressLine {
	p := &progressLine{w: w, total: total, report: r, started: time.Now(), quit: make(chan struct{})}
	go func() {
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-tick.C:
				p.print()
			}
		}
	}()
	return p
}

func (p *progressLine) done(res scenario.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished++
	if p.report.Counted(res) {
		p.failed++
	}
}

func (p *progressLine) print() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "idvkit conform: %d/%d scenarios done, %d failed so far, %s\n", p.finished, p.total, p.failed,
		time.Since(p.started).Round(time.Second))
}

func (p *progressLine) stop() { p.once.Do(func() { close(p.quit) }) }

// writeReports writes the reports asked for (a path of "" is not asked for) and says where, JUnit
// first: in one order on every run, so a pipeline's log, and a guide that shows it, reads the same.
func writeReports(stdout io.Writer, r *report.Report, junit, cucumber string) error {
	for _, file := range []struct {
		path  string
		write func(io.Writer, *report.Report) error
	}{{junit, report.WriteJUnit}, {cucumber, report.WriteCucumber}} {
		if file.path == "" {
			continue
		}
		if err := writeReport(file.path, r, file.write); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "report written to %s\n", file.path)
	}
	return nil
}

// writeReport writes a report file, whole or not at all.
func writeReport(path string, r *report.Report, write func(io.Writer, *report.Report) error) error {
	var buf bytes.Buffer
	if err := write(&buf, r); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, " ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func indent(s string) string {
	return "      " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n      ")
}
