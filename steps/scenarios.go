package steps

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"
)

// Scenario is one scenario of the suite, with what its tags say about it.
type Scenario struct {
	ID      string // @id:<id>, stable across edits; keys the expected-failures file
	Name    string
	Feature string
	API     string // the folder the feature is in
	Path    string // <api>/<flow>.feature:<line>, how godog selects it
	Tags    []string
	Rules   []string // @rule:<rule id>
	Ops     []string // @op:<operationId>
	Needs   []string // @needs:<capability>
	Policy  bool     // @policy: checks our own rule where the vendor is silent
}

// LoadScenarios parses every feature of fsys, or only those of one API when api is not empty, in
// file and line order.
func LoadScenarios(fsys fs.FS, api string) ([]Scenario, error) {
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
		lines := scenarioLines(doc)
		for _, p := range gherkin.Pickles(*doc, file, ids.NewId) {
			line := lines[p.AstNodeIds[0]]
			sc := Scenario{Name: p.Name, Feature: doc.Feature.Name, API: dir, Path: file + ":" + strconv.Itoa(line)}
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
			if sc.ID == "" {
				sc.ID = sc.Path
			}
			out = append(out, sc)
		}
	}
	return out, nil
}

func scenarioLines(doc *messages.GherkinDocument) map[string]int {
	lines := map[string]int{}
	add := func(children []*messages.FeatureChild) {
		for _, c := range children {
			if c.Scenario != nil {
				lines[c.Scenario.Id] = int(c.Scenario.Location.Line)
			}
		}
	}
	add(doc.Feature.Children)
	for _, c := range doc.Feature.Children {
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				if rc.Scenario != nil {
					lines[rc.Scenario.Id] = int(rc.Scenario.Location.Line)
				}
			}
		}
	}
	return lines
}
