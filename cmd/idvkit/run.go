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
  idvkit serve   [--addr 127.0.0.1:8080] [--only API] [--fixtures FILE] [--public-url URL]
  idvkit conform [--api API] [--base-url URL [--control-url URL]] [--principals FILE] [--strict-policy] [--verbose]
  idvkit specs   [--server URL [--out DIR]] [NAME...]
  idvkit version

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
		return runConform(ctx, rest, stdout, stderr)
	case "specs":
		return runSpecs(rest, stdout, stderr)
	case "version":
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

func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
