package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

// Exit codes of idvkit conform (and of usage errors everywhere).
const (
	exitNotConformant = 1
	exitUsage         = 2
	exitUnreachable   = 3
)

// exitError carries an exit code; its message, if any, is printed to stderr.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "idvkit:", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "idvkit:", err)
	return 1
}

const usage = `idvkit: a validating, stateful mock and conformance suite for identity-verification APIs.

Usage:
  idvkit serve   [--addr 127.0.0.1:8080] [--only API] [--fixtures FILE] [--public-url URL] [--control-token TOKEN]
                 [--validate-responses sampled|all] [--broken-rules RV-15,...] [--drain-bytes 4MiB] [--drain-timeout 5s]
  idvkit conform [--config FILE] [--api API] [--base-url URL [--control-url URL] [--control-token TOKEN]]
                 [--principals FILE] [--expected-failures FILE] [--tags EXPR] [--timeout 2m] [--strict-policy]
                 [--fail-on-skip] [--min-rules N] [--format pretty|progress] [--junit FILE] [--cucumber FILE]
                 [--docker-image IMAGE | --dockerfile PATH [--docker-env K=V]... [--docker-base-path /api]] [--verbose]
  idvkit specs   [--server URL [--out DIR]] [NAME...]
  idvkit health  [--url URL] [--timeout 2s]
  idvkit webhook listen --secret SECRET [--api eeid] [--addr 127.0.0.1:9090] [--path /eeid/webhooks/identification_requests] [--status 200]
  idvkit version (or --version)

Run "idvkit COMMAND -h" for a command's flags.
`

// run is the whole program: main only wires the process to it, so tests call it directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return &exitError{code: exitUsage}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "conform":
		return runConform(ctx, rest, getenv, stdout, stderr)
	case "specs":
		return runSpecs(rest, stdout, stderr)
	case "health":
		return runHealth(ctx, rest, getenv, stdout, stderr)
	case "webhook":
		return runWebhook(ctx, rest, getenv, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "idvkit", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError("unknown command %q", cmd)
}

// parse parses a command's flags; -h prints them and is not an error.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) (bool, error) {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return false, nil
		}
		return false, &exitError{code: exitUsage}
	}
	return true, nil
}

// revision is the VCS revision the Makefile stamps with -ldflags, for builds that carry no VCS
// information of their own (go run never does).
var revision string

// version describes the build: the module version (a release tag, or the pseudo-version go build
// derives from the commit), and the VCS revision and time with "+dirty" when the tree had changes.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	rev, at, dirty := revision, "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(len(s.Value), 12)]
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return v + " (revision unknown: build with make build or go build in a git checkout)"
	}
	if dirty {
		rev += "+dirty"
	}
	if at != "" {
		rev += " " + at
	}
	return v + " (revision " + rev + ")"
}
