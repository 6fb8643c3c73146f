package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/steps"
)

// runConform is `idvkit conform`: the Gherkin suite against an implementation at --base-url, or
// against an in-process mock without it. Exit 0 conformant, 1 not, 2 usage, 3 target unreachable.
func runConform(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	api := fs.String("api", "", "the API to check: "+strings.Join(mockserver.Registered(), ", ")+" (required with --base-url)")
	baseURL := fs.String("base-url", "", "base URL of the implementation under test; empty runs an in-process mock")
	controlURL := fs.String("control-url", "", "its control API (default <base-url>/_mock)")
	controlToken := fs.String("control-token", getenv("IDVKIT_CONTROL_TOKEN"), "token its control API wants (env IDVKIT_CONTROL_TOKEN)")
	principalsFile := fs.String("principals", "", "YAML file mapping roles to credentials, for targets without users.create")
	strictPolicy := fs.Bool("strict-policy", false, "count failures of our own policy rules (@policy) against this target")
	verbose := fs.Bool("verbose", false, "print godog's output of every failed scenario")
	if ok, err := parse(fs, args, stderr); !ok {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("conform takes no arguments, got %q", fs.Args())
	}

	cfg := steps.Config{API: *api, Target: steps.InProcess(), StrictPolicy: *strictPolicy}
	if *baseURL != "" {
		if *api == "" {
			return usageError("--base-url needs --api: the base URL is one API's")
		}
		for flag, u := range map[string]string{"--base-url": *baseURL, "--control-url": *controlURL} {
			if err := checkURL(u); u != "" && err != nil {
				return usageError("%s %q: %v", flag, u, err)
			}
		}
		cfg.Target = steps.URL(*baseURL, *controlURL, *controlToken)
	} else if *controlURL != "" {
		return usageError("--control-url needs --base-url")
	}
	if *principalsFile != "" {
		p, err := readPrincipals(*principalsFile)
		if err != nil {
			return usageError("--principals: %v", err)
		}
		cfg.Principals = p
	}
	suite, err := steps.New(cfg)
	if err != nil {
		return usageError("%v", err)
	}
	if err := cfg.Target.Ready(ctx); err != nil {
		return &exitError{code: exitUnreachable, msg: err.Error()}
	}

	fmt.Fprintf(stdout, "idvkit conform: %d scenarios against %s\n\n", len(suite.Scenarios()), cfg.Target.Describe())
	report := steps.NewReport(cfg)
	for _, sc := range suite.Scenarios() {
		if ctx.Err() != nil {
			return &exitError{code: exitUsage, msg: "interrupted"}
		}
		res := suite.Run(ctx, sc)
		report.Results = append(report.Results, res)
		steps.WriteLine(stdout, res)
		if *verbose && res.Status == steps.Failed {
			fmt.Fprintln(stdout, indent(res.Output))
		}
	}
	report.WriteSummary(stdout)
	if !report.Conformant() {
		return &exitError{code: exitNotConformant, msg: "not conformant"}
	}
	return nil
}

// checkURL accepts an absolute http or https URL.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want an absolute http:// or https:// URL")
	}
	return nil
}

// readPrincipals reads a file of role -> principal in the control API's Principal shape (role, api
// and kind may be left out: they follow from the role and whether there is a username), strictly,
// so a misspelt field is an error rather than a missing credential.
func readPrincipals(path string) (map[string]mockapi.Principal, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]mockapi.Principal
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	for role, p := range raw {
		p.Role, p.API = role, mockapi.APIOf(role)
		if p.Kind == "" {
			p.Kind = mockapi.KindClient
			if p.Username != "" {
				p.Kind = mockapi.KindUser
			}
		}
		raw[role] = p
	}
	return raw, nil
}

func indent(s string) string {
	return "      " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n      ")
}
