package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/idvkit/idvkit/openapi"
)

// runSpecs is `idvkit specs`: list the embedded specs, or write them out with `servers` pointing at
// a running mock (--server is the mock's root URL; each API's spec gets <root>/<api>, the control
// API's <root>/_mock), for code generators and other tools.
func runSpecs(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("specs", flag.ContinueOnError)
	server := fs.String("server", "", "the mock's root URL, written into each spec's servers")
	out := fs.String("out", "", "directory to write <name>.yaml files into (default: standard output)")
	if ok, err := parse(fs, args, stderr); !ok {
		return err
	}
	names := fs.Args()
	for _, n := range names {
		if !slices.Contains(openapi.Names(), n) {
			return usageError("no spec named %q (known: %s)", n, strings.Join(openapi.Names(), ", "))
		}
	}
	if *server == "" {
		if *out != "" || len(names) > 0 {
			return usageError("writing specs needs --server URL")
		}
		for _, n := range openapi.Names() {
			s := openapi.MustLoad(n)
			fmt.Fprintf(stdout, "%-10s OpenAPI %s, %d operations, %d rules\n", n, s.Version, len(s.Operations()), len(s.Rules()))
		}
		return nil
	}
	if len(names) == 0 {
		names = openapi.Names()
	}
	if *out == "" && len(names) > 1 {
		return usageError("name one spec to write to standard output, or give --out DIR")
	}
	root := strings.TrimSuffix(*server, "/")
	for _, n := range names {
		url := root + "/" + n
		if n == openapi.Control {
			url = root + "/_mock"
		}
		data, err := openapi.WithServer(n, url)
		if err != nil {
			return err
		}
		if *out == "" {
			_, err = stdout.Write(data)
			return err
		}
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*out, n+".yaml"), data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(*out, n+".yaml"))
	}
	return nil
}
