package mockserver

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/idvkit/idvkit/openapi"
)

// Fixtures is the whole fixture set: each API's section, by API name, in the shape of the control
// API's Fixtures schema. The API packages decode their own sections.
type Fixtures map[string]json.RawMessage

//go:embed fixtures.yaml
var defaultFixtures []byte

// DefaultFixtures returns the embedded default fixture set: a copy of its sections, which the caller
// may change. It is parsed once per process; parsing it was most of what starting a mock cost.
func DefaultFixtures() Fixtures {
	f := make(Fixtures, len(parsedDefaults()))
	for api, section := range parsedDefaults() {
		f[api] = slices.Clone(section)
	}
	return f
}

var parsedDefaults = sync.OnceValue(func() Fixtures {
	f, err := ParseFixtures(defaultFixtures)
	if err != nil {
		panic(err) // the embedded set is checked by tests
	}
	return f
})

// ParseFixtures reads a fixture set from YAML or JSON, strictly: it must match the control API's
// Fixtures schema, so a typo is an error naming the field at start-up rather than a missing user later.
func ParseFixtures(data []byte) (Fixtures, error) {
	var generic any
	if err := yaml.Unmarshal(data, &generic); err != nil {
		return nil, fmt.Errorf("fixtures: not YAML or JSON: %w", err)
	}
	// Through JSON, so the schema sees what the control API would.
	j, err := json.Marshal(generic)
	if err != nil {
		return nil, fmt.Errorf("fixtures: %w", err)
	}
	var value any
	if err := json.Unmarshal(j, &value); err != nil {
		return nil, fmt.Errorf("fixtures: %w", err)
	}
	if f := openapi.MustLoad(openapi.Control).ValidateValue("Fixtures", value); f != nil {
		return nil, fmt.Errorf("fixtures: %s", f.Message())
	}
	f := Fixtures{}
	if err := json.Unmarshal(j, &f); err != nil {
		return nil, fmt.Errorf("fixtures: %w", err)
	}
	return f, nil
}
