package scenario

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"
)

// Written is what a scenario's result starts from: where it is written, and its steps as its pickle
// has them, Background steps first, none run yet (Skipped).
type Written struct {
	Source Source
	Steps  []StepResult
}

// Sources are where the scenarios of a suite are written (ReadSources), by scenario.
type Sources map[string]*written

// written is a scenario's Written, and its pickle's name, to check it is the scenario's.
type written struct {
	Written
	name string
}

// Of returns where a scenario of the suite is written and its steps; false for a scenario that is
// not one of the suite's as it was loaded (another ID or path).
func (s Sources) Of(sc Scenario) (Written, bool) {
	w := s[sourceKey(sc)]
	if w == nil {
		return Written{}, false
	}
	return Written{Source: w.Source, Steps: slices.Clone(w.Steps)}, true
}

func sourceKey(sc Scenario) string { return sc.ID + "\x00" + sc.Path }

// ReadSources reads where each scenario is written and its steps: for each pickle step its keyword
// and line from the Gherkin step its first AST node id names (a Background's or the scenario's), and
// its text and argument from the pickle (an outline row's values filled in). Load lists the pickles
// of each file in order, so the i-th pickle of a file is its i-th scenario.
func ReadSources(fsys fs.FS, scs []Scenario) (Sources, error) {
	out := Sources{}
	for i := 0; i < len(scs); {
		file, _, _ := strings.Cut(scs[i].Path, ":")
		j := i
		for j < len(scs) && strings.HasPrefix(scs[j].Path, file+":") {
			j++
		}
		ps, err := fileSources(fsys, file)
		if err != nil {
			return nil, err
		}
		if len(ps) != j-i {
			return nil, fmt.Errorf("steps: %s: %d pickles for %d scenarios", file, len(ps), j-i)
		}
		for k, p := range ps {
			if sc := scs[i+k]; p.name != sc.Name {
				return nil, fmt.Errorf("steps: %s: pickle %d is %q, not %s %q", file, k, p.name, sc.ID, sc.Name)
			}
			out[sourceKey(scs[i+k])] = p
		}
		i = j
	}
	return out, nil
}

func fileSources(fsys fs.FS, file string) ([]*written, error) {
	raw, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	ids := &messages.Incrementing{}
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(raw), ids.NewId)
	if err != nil {
		return nil, fmt.Errorf("steps: %s: %w", file, err)
	}
	f := doc.Feature
	feature := FeatureSource{Keyword: f.Keyword, Line: int(f.Location.Line), Description: f.Description}
	for _, t := range f.Tags {
		feature.Tags = append(feature.Tags, Tag{Name: t.Name, Line: int(t.Location.Line), Column: int(t.Location.Column)})
	}
	astSteps, lines := map[string]*messages.Step{}, map[string]int{}
	addSteps := func(steps []*messages.Step) {
		for _, st := range steps {
			astSteps[st.Id] = st
		}
	}
	addChildren := func(bg *messages.Background, sc *messages.Scenario) {
		if bg != nil {
			addSteps(bg.Steps)
		}
		if sc != nil {
			addSteps(sc.Steps)
			lines[sc.Id] = int(sc.Location.Line)
			for _, ex := range sc.Examples {
				for _, row := range ex.TableBody {
					lines[row.Id] = int(row.Location.Line)
				}
			}
		}
	}
	for _, c := range f.Children {
		addChildren(c.Background, c.Scenario)
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				addChildren(rc.Background, rc.Scenario)
			}
		}
	}
	scenarios := scenariosByID(doc)
	var out []*written
	for _, p := range gherkin.Pickles(*doc, file, ids.NewId) {
		gsc := scenarios[p.AstNodeIds[0]]
		if gsc == nil {
			return nil, fmt.Errorf("steps: %s: no scenario for pickle %q", file, p.Name)
		}
		pl := &written{name: p.Name, Written: Written{Source: Source{File: file, Line: lines[p.AstNodeIds[len(p.AstNodeIds)-1]],
			Keyword: gsc.Keyword, Description: gsc.Description, Feature: feature}}}
		for _, ps := range p.Steps {
			ast := astSteps[ps.AstNodeIds[0]]
			if ast == nil {
				return nil, fmt.Errorf("steps: %s: no Gherkin step for %q", file, ps.Text)
			}
			st := StepResult{Keyword: strings.TrimSpace(ast.Keyword), Text: ps.Text, Line: int(ast.Location.Line), Status: Skipped}
			if a := ps.Argument; a != nil && a.DocString != nil {
				st.DocString = &DocString{Content: a.DocString.Content, MediaType: a.DocString.MediaType}
				if ast.DocString != nil {
					st.DocString.Line = int(ast.DocString.Location.Line)
				}
			}
			if a := ps.Argument; a != nil && a.DataTable != nil {
				for _, row := range a.DataTable.Rows {
					cells := make([]string, len(row.Cells))
					for i, c := range row.Cells {
						cells[i] = c.Value
					}
					st.Table = append(st.Table, cells)
				}
			}
			pl.Steps = append(pl.Steps, st)
		}
		out = append(out, pl)
	}
	return out, nil
}
