package steps_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/idvkit/idvkit/openapi"
	"github.com/idvkit/idvkit/steps"
)

// The suite's Principal is the control API's: a field for every property of control.yaml's Principal
// schema and no other, each named alike in JSON and in a principals file, and optional in JSON
// exactly where the schema does not require it.
func TestPrincipalIsTheControlAPIsPrincipal(t *testing.T) {
	raw, err := openapi.Raw(openapi.Control)
	require.NoError(t, err)
	var doc struct {
		Components struct {
			Schemas struct {
				Principal struct {
					Required   []string       `yaml:"required"`
					Properties map[string]any `yaml:"properties"`
				} `yaml:"Principal"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	schema := doc.Components.Schemas.Principal
	require.NotEmpty(t, schema.Properties)

	var fields []string
	typ := reflect.TypeFor[steps.Principal]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		fields = append(fields, name)
		assert.Equal(t, name, f.Tag.Get("yaml"), "%s: a principals file names it as JSON does", f.Name)
		assert.Equal(t, !slices.Contains(schema.Required, name), opts == "omitempty", "%s: omitted when empty unless required", name)
	}
	var props []string
	for name := range schema.Properties {
		props = append(props, name)
	}
	assert.ElementsMatch(t, props, fields)
}
