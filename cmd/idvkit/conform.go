package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/idvkit/idvkit/mockserver/provider"
	"github.com/idvkit/idvkit/openapi"
	"github.com/idvkit/idvkit/steps"
)

// runConform is `idvkit conform`: the Gherkin suite against an implementation at --base-url, or
// against an in-process mock without it. Exit 0 conformant, 1 not, 2 usage, 3 target unreachable.
func runConform(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	api := fs.String("api", "", "the API to check: "+strings.Join(openapi.APIs, ", ")+" (required with --base-url)")
	baseURL := fs.String("base-url", "", "base URL of the implementation under test; empty runs an in-process mock")
	controlURL := fs.String("control-url", "", "its control API (default <base-url>/_mock)")
	principalsFile := fs.String("principals", "", "YAML file mapping roles to credentials, for targets without users.create")
	strictPolicy := fs.Bool("strict-policy", false, "count failures of our own policy rules (@policy) against this target")
	verbose := fs.Bool("verbose", false, "print godog's output of every failed scenario")
	if ok, err := parse(fs, args, stderr); !ok {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("conform takes no arguments, got %q", fs.Args())
	}

	cfg := steps.Config{API: *api, Target: steps.InProcess()}
	if *baseURL != "" {
		if *api == "" {
			return usageError("--base-url needs --api: the base URL is one API's")
		}
		cfg.Target = steps.URL(*baseURL, *controlURL)
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
	report := &steps.Report{PolicyCounts: *strictPolicy || cfg.Target.Isolated()}
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

// readPrincipals reads a file of role -> principal, in the control API's Principal shape.
func readPrincipals(path string) (map[string]provider.Principal, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]struct {
		Username     string `yaml:"username"`
		Password     string `yaml:"password"`
		Email        string `yaml:"email"`
		UserID       int64  `yaml:"user_id"`
		ClientID     string `yaml:"client_id"`
		ClientSecret string `yaml:"client_secret"`
		CustomerID   int64  `yaml:"customer_id"`
		SupplierID   int64  `yaml:"supplier_id"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	out := map[string]provider.Principal{}
	for role, p := range raw {
		kind := provider.KindUser
		if p.Username == "" {
			kind = provider.KindClient
		}
		out[role] = provider.Principal{Role: role, API: provider.APIOf(role), Kind: kind, Username: p.Username,
			Password: p.Password, Email: p.Email, UserID: p.UserID, ClientID: p.ClientID, ClientSecret: p.ClientSecret,
			CustomerID: p.CustomerID, SupplierID: p.SupplierID}
	}
	return out, nil
}

func indent(s string) string {
	return "      " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n      ")
}
