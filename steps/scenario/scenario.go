// Package scenario is the conformance suite's scenarios: as the features write them (Load: one per
// scenario or example row, with what its tags say; ReadSources: where each is written and its steps),
// and as they ran (Result), for the runner and the reports. It parses Gherkin and runs nothing.
package scenario

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"
)

// policyStep matches the text of a step that checks our own part of a rule a scenario otherwise checks
// for the vendor: it ends "(policy)" or "(policy: any 4xx)" (see steps/policy.go).
var policyStep = regexp.MustCompile(`\(policy(: any [1-4]xx)?\)$`)

// Scenario is one scenario of the suite (one example row of an outline), with what its tags say.
type Scenario struct {
	// ID is stable across edits: @id:<id>, and for an outline's example row /<the row's id column>
	// or /<its number>. It keys the expected-failures file and names the go test subtest.
	ID      string
	Name    string
	Feature string
	API     string // the folder the feature is in
	Path    string // <api>/<flow>.feature:<line>, how godog selects it
	Tags    []string
	Rules   []string // @rule:<rule id>
	Ops     []string // @op:<operationId>
	Needs   []string // @needs:<capability>
	Policy  bool     // @policy: checks only our own choices, where the vendor is silent
	// PolicySteps are the steps that check our own part of a rule the scenario otherwise checks for
	// the vendor, written "(policy...)" (steps/policy.go).
	PolicySteps []string
	// otherRows are the lines of the outline's other example rows, which the runner comments out so
	// that godog, which selects an outline by its line, runs this row alone.
	otherRows []int
}

// Where is the feature file and the line godog selects the scenario by (its Path).
func (sc Scenario) Where() (file string, line int) {
	file, l, _ := strings.Cut(sc.Path, ":")
	line, _ = strconv.Atoi(l)
	return file, line
}

// Load parses every feature of fsys, or only those of one API when api is not empty, in
// file and line order.
func Load(fsys fs.FS, api string) ([]Scenario, error) {
	files, err := fs.Glob(fsys, "*/*.feature")
	if err != nil {
		return nil, err
	}
	var out []Scenario
	for _, file := range files {
		dir := path.Dir(file)
		if api != "" && dir != api {
			continue
		}
		raw, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, err
		}
		ids := &messages.Incrementing{}
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(raw), ids.NewId)
		if err != nil {
			return nil, fmt.Errorf("steps: %s: %w", file, err)
		}
		outlines := scenariosByID(doc)
		for _, p := range gherkin.Pickles(*doc, file, ids.NewId) {
			gsc := outlines[p.AstNodeIds[0]]
			sc := Scenario{Name: p.Name, Feature: doc.Feature.Name, API: dir, Path: file + ":" + strconv.Itoa(int(gsc.Location.Line))}
			for _, t := range p.Tags {
				sc.Tags = append(sc.Tags, t.Name)
				name, value, _ := strings.Cut(strings.TrimPrefix(t.Name, "@"), ":")
				switch name {
				case "id":
					sc.ID = value
				case "rule":
					sc.Rules = append(sc.Rules, value)
				case "op":
					sc.Ops = append(sc.Ops, value)
				case "needs":
					sc.Needs = append(sc.Needs, value)
				case "policy":
					sc.Policy = true
				}
			}
			for _, st := range p.Steps {
				if policyStep.MatchString(st.Text) {
					sc.PolicySteps = append(sc.PolicySteps, st.Text)
				}
			}
			if sc.ID == "" {
				sc.ID = sc.Path
			}
			if len(p.AstNodeIds) > 1 {
				row, others := exampleRow(gsc, p.AstNodeIds[1])
				sc.ID += "/" + row
				sc.otherRows = others
			}
			out = append(out, sc)
		}
	}
	return out, nil
}

// exampleRow names the example row with the given AST id, by its `id` column when the examples have
// one or else its number in the outline (from 1), and lists the lines of the outline's other rows.
func exampleRow(sc *messages.Scenario, rowID string) (name string, others []int) {
	n := 0
	for _, ex := range sc.Examples {
		idCol := -1
		if ex.TableHeader != nil {
			idCol = slices.IndexFunc(ex.TableHeader.Cells, func(c *messages.TableCell) bool { return c.Value == "id" })
		}
		for _, row := range ex.TableBody {
			n++
			if row.Id != rowID {
				others = append(others, int(row.Location.Line))
				continue
			}
			name = strconv.Itoa(n)
			if idCol >= 0 {
				name = row.Cells[idCol].Value
			}
		}
	}
	return name, others
}

func scenariosByID(doc *messages.GherkinDocument) map[string]*messages.Scenario {
	byID := map[string]*messages.Scenario{}
	add := func(children []*messages.FeatureChild) {
		for _, c := range children {
			if c.Scenario != nil {
				byID[c.Scenario.Id] = c.Scenario
			}
		}
	}
	add(doc.Feature.Children)
	for _, c := range doc.Feature.Children {
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				if rc.Scenario != nil {
					byID[rc.Scenario.Id] = rc.Scenario
				}
			}
		}
	}
	return byID
}

// Isolate returns the features as godog must see them to run sc alone: for an example row, its file
// with the outline's other rows commented out (line numbers kept).
func Isolate(fsys fs.FS, sc Scenario) (fs.FS, error) {
	if len(sc.otherRows) == 0 {
		return fsys, nil
	}
	file, _, _ := strings.Cut(sc.Path, ":")
	raw, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(raw), "\n")
	for _, l := range sc.otherRows {
		lines[l-1] = "#"
	}
	return fstest.MapFS{file: {Data: []byte(strings.Join(lines, "\n"))}}, nil
}

// MatchTags reports whether a scenario with tags is selected by expr, written as godog writes tag
// expressions: terms joined by "&&" must all hold; a term is one or more tags joined by "," of which
// one must be present; "~@tag" means the tag is absent. "@rule:RV-05,@rule:RV-06 && ~@slow" runs the
// scenarios of either rule that are not slow. An empty expression selects every scenario.
func MatchTags(expr string, tags []string) (bool, error) {
	if strings.TrimSpace(expr) == "" {
		return true, nil
	}
	has := map[string]bool{}
	for _, t := range tags {
		has[t] = true
	}
	for _, term := range strings.Split(expr, "&&") {
		held := false
		for _, alt := range strings.Split(term, ",") {
			alt = strings.TrimSpace(alt)
			negated := strings.HasPrefix(alt, "~")
			tag := strings.TrimPrefix(alt, "~")
			if !strings.HasPrefix(tag, "@") || len(tag) < 2 || strings.ContainsAny(tag, " \t") {
				return false, fmt.Errorf("tags %q: %q is not a tag (write @tag or ~@tag, join with , for or and && for and)", expr, alt)
			}
			if has[tag] != negated {
				held = true
			}
		}
		if !held {
			return false, nil
		}
	}
	return true, nil
}
