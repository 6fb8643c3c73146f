// Command vulngate reads govulncheck's JSON (-format json) on stdin and fails when idvkit's code
// reaches a known vulnerability that the allow file does not name, with why. govulncheck itself has
// no way to accept a finding, and some cannot be fixed: the Docker client that dockertest (a required
// dependency) brings is github.com/docker/docker, whose daemon-side advisories have no fixed version
// of that module.
//
//	govulncheck -format json ./... | vulngate -allow .govulncheck-allow.yaml
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// finding is the part of govulncheck's finding message vulngate reads: a trace whose first frame
// names a function means idvkit's code calls into the vulnerable code.
type finding struct {
	OSV          string `json:"osv"`
	FixedVersion string `json:"fixed_version"`
	Trace        []struct {
		Module   string `json:"module"`
		Version  string `json:"version"`
		Package  string `json:"package"`
		Function string `json:"function"`
	} `json:"trace"`
}

// allowed is an entry of the allow file.
type allowed struct {
	ID     string `yaml:"id"`
	Reason string `yaml:"reason"`
}

func main() {
	allowFile := flag.String("allow", "", "YAML list of {id, reason}: findings accepted, each with why")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *allowFile); err != nil {
		fmt.Fprintln(os.Stderr, "vulngate:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer, allowFile string) error {
	allow := map[string]string{}
	if allowFile != "" {
		data, err := os.ReadFile(allowFile)
		if err != nil {
			return err
		}
		var list []allowed
		if err := yaml.Unmarshal(data, &list); err != nil {
			return fmt.Errorf("%s: %w", allowFile, err)
		}
		for _, a := range list {
			if a.ID == "" || a.Reason == "" {
				return fmt.Errorf("%s: every entry has an id and a reason", allowFile)
			}
			allow[a.ID] = a.Reason
		}
	}
	called := map[string]finding{}
	dec := json.NewDecoder(in)
	for {
		var msg struct {
			Finding *finding `json:"finding"`
		}
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return fmt.Errorf("reading govulncheck's JSON: %w", err)
		}
		if f := msg.Finding; f != nil && len(f.Trace) > 0 && f.Trace[0].Function != "" {
			called[f.OSV] = *f
		}
	}
	var refused []string
	for _, id := range slices.Sorted(maps.Keys(called)) {
		f := called[id]
		where := f.Trace[len(f.Trace)-1]
		line := fmt.Sprintf("%s in %s@%s (fixed in %s), reached from %s.%s", id, f.Trace[0].Module, f.Trace[0].Version,
			orNone(f.FixedVersion), where.Package, where.Function)
		if reason, ok := allow[id]; ok {
			fmt.Fprintf(out, "allowed: %s: %s\n", line, reason)
			continue
		}
		refused = append(refused, line)
	}
	for id := range allow {
		if _, ok := called[id]; !ok {
			fmt.Fprintf(out, "note: %s is allowed but no longer found; take it off the list\n", id)
		}
	}
	if len(refused) > 0 {
		return fmt.Errorf("idvkit's code reaches %d known vulnerabilities:\n  %s", len(refused), strings.Join(refused, "\n  "))
	}
	fmt.Fprintf(out, "vulngate: no known vulnerability reached, %d allowed\n", len(called))
	return nil
}

func orNone(v string) string {
	if v == "" {
		return "no version"
	}
	return v
}
