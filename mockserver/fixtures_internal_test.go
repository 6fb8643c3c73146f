package mockserver

import (
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/idvkit/idvkit/openapi"
)

// A fixture section's shape is written once, as its API's Go type; openapi/control.yaml's schema for
// it (Fixtures, under the API's name) must say the same: the same fields, each of the same JSON type,
// required exactly where the Go field has neither omitempty nor omitzero (as encoding/json writes
// it), no others allowed, and the same of every object and array inside. So a field added to one and
// not the other fails here.
func TestEveryFixtureSchemaIsItsAPIsGoType(t *testing.T) {
	raw, err := openapi.Raw(openapi.Control)
	require.NoError(t, err)
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `yaml:"schemas"`
		} `yaml:"components"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	shapes := schemaShapes{schemas: doc.Components.Schemas}
	sections, _ := shapes.resolve(doc.Components.Schemas["Fixtures"])["properties"].(map[string]any)

	s, err := New(Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	assert.ElementsMatch(t, s.APIs(), slices.Collect(maps.Keys(sections)), "Fixtures has a section for every API, and only for them")
	for _, api := range s.served {
		t.Run(api.Name(), func(t *testing.T) {
			schema, _ := sections[api.Name()].(map[string]any)
			assert.Empty(t, shapes.differences(api.Name(), api.Fixtures().Type(), schema))
		})
	}
}

// schemaShapes compares schemas of control.yaml with Go types.
type schemaShapes struct{ schemas map[string]map[string]any }

// resolve follows a schema's $ref, if it has one.
func (c schemaShapes) resolve(schema map[string]any) map[string]any {
	if ref, ok := schema["$ref"].(string); ok {
		return c.schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
	}
	return schema
}

// differences lists where schema says other than the Go type t, each at its path (rambase.users[].otp).
func (c schemaShapes) differences(path string, t reflect.Type, schema map[string]any) []string {
	schema = c.resolve(schema)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	want := jsonType(t)
	if want == "" {
		return []string{path + ": Go type " + t.String() + " has no JSON type this test knows"}
	}
	if got, _ := schema["type"].(string); got != want {
		return []string{path + ": the schema's type is " + quote(got) + ", the Go type's " + quote(want)}
	}
	switch want {
	case "array":
		items, _ := schema["items"].(map[string]any)
		return c.differences(path+"[]", t.Elem(), items)
	case "object":
		return c.objectDifferences(path, t, schema)
	}
	return nil
}

func (c schemaShapes) objectDifferences(path string, t reflect.Type, schema map[string]any) []string {
	var diffs []string
	if schema["additionalProperties"] != false {
		diffs = append(diffs, path+": the schema allows fields the Go type does not have (additionalProperties is not false)")
	}
	props, _ := schema["properties"].(map[string]any)
	var required []string
	list, _ := schema["required"].([]any)
	for _, r := range list {
		name, _ := r.(string)
		required = append(required, name)
	}
	fields := jsonFields(t)
	for name, f := range fields {
		at := path + "." + name
		prop, ok := props[name].(map[string]any)
		if !ok {
			diffs = append(diffs, at+": in the Go type, not in the schema")
			continue
		}
		if f.err != "" {
			diffs = append(diffs, at+": "+f.err)
			continue
		}
		if f.required != slices.Contains(required, name) {
			diffs = append(diffs, at+": required in one and not the other (the Go field's omitempty or omitzero makes it optional)")
		}
		diffs = append(diffs, c.differences(at, f.typ, prop)...)
	}
	for name := range props {
		if _, ok := fields[name]; !ok {
			diffs = append(diffs, path+"."+name+": in the schema, not in the Go type")
		}
	}
	slices.Sort(diffs)
	return diffs
}

// jsonField is a field as encoding/json reads and writes it.
type jsonField struct {
	typ      reflect.Type
	required bool   // neither omitempty nor omitzero
	err      string // what this test cannot compare
}

// jsonFields are a struct's fields by their JSON names, without those json:"-" leaves out.
func jsonFields(t reflect.Type) map[string]jsonField {
	fields := map[string]jsonField{}
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		jf := jsonField{typ: f.Type, required: true}
		for opt := range strings.SplitSeq(opts, ",") {
			if opt == "omitempty" || opt == "omitzero" {
				jf.required = false
			}
		}
		if f.Anonymous {
			jf.err = "an embedded field, which encoding/json flattens; compare its fields by hand or give it a name"
		}
		fields[name] = jf
	}
	return fields
}

// jsonType is the JSON Schema type of the values encoding/json makes of a Go type, or "" for one
// this test does not know (a map, an interface, a type with its own marshalling).
func jsonType(t reflect.Type) string {
	if t.Implements(reflect.TypeFor[interface{ MarshalJSON() ([]byte, error) }]()) ||
		t.Implements(reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()) {
		return ""
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct:
		return "object"
	}
	return ""
}

func quote(s string) string { return `"` + s + `"` }
