package mockserver

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/idvkit/idvkit/mockserver/provider"
	"github.com/idvkit/idvkit/mockserver/rambase"
	"github.com/idvkit/idvkit/openapi"
)

// Fixtures is the whole fixture set, one part per API (the control API's Fixtures schema).
type Fixtures struct {
	RamBase *rambase.Fixtures `json:"rambase,omitempty"`
}

//go:embed fixtures.yaml
var defaultFixtures []byte

// DefaultFixtures returns the embedded default fixture set.
func DefaultFixtures() Fixtures {
	f, err := ParseFixtures(defaultFixtures)
	if err != nil {
		panic(err) // the embedded set is checked by tests
	}
	return f
}

// ParseFixtures reads a fixture set from YAML or JSON, strictly: it must match the control API's
// Fixtures schema, so a typo is an error at start-up rather than a missing user later.
func ParseFixtures(data []byte) (Fixtures, error) {
	var generic any
	if err := yaml.Unmarshal(data, &generic); err != nil {
		return Fixtures{}, fmt.Errorf("fixtures: not YAML or JSON: %w", err)
	}
	// Through JSON, so the schema sees what the control API would, and the struct decode is strict.
	j, err := json.Marshal(generic)
	if err != nil {
		return Fixtures{}, fmt.Errorf("fixtures: %w", err)
	}
	var value any
	if err := json.Unmarshal(j, &value); err != nil {
		return Fixtures{}, fmt.Errorf("fixtures: %w", err)
	}
	if f := openapi.MustLoad(openapi.Control).ValidateValue("Fixtures", value); f != nil {
		return Fixtures{}, fmt.Errorf("fixtures: %s", f.Message())
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	var f Fixtures
	if err := dec.Decode(&f); err != nil {
		return Fixtures{}, fmt.Errorf("fixtures: %w", err)
	}
	return f, nil
}

// Principals lists every principal of the set with its credentials.
func (f Fixtures) Principals() []provider.Principal {
	var out []provider.Principal
	if f.RamBase != nil {
		out = append(out, f.RamBase.Principals()...)
	}
	return out
}
