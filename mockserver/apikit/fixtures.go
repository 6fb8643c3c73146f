package apikit

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/openapi"
)

// checkFixtures: the API's section of the fixture set (mockserver/fixtures.yaml) decodes strictly
// into its Go type and names its principals; the Go type writes it back as it was read; the control
// API dumps it and takes the dump back (replaceFixtures) with the same principals; and control.yaml's
// schema of the section says what the Go type says, which is the one definition of its shape.
func checkFixtures(ctx context.Context, k *kit) []string {
	section, ok := k.Fixtures[k.name]
	if !ok {
		return []string{"the fixture set (mockserver/fixtures.yaml) has no " + k.name + " section"}
	}
	problems := shapeDifferences(k.name, k.api.Fixtures().Type())
	principals, err := k.api.Fixtures().Seed(ctx, memory.New(), section)
	if err != nil {
		return append(problems, "its section of the fixture set does not seed: "+err.Error())
	}
	if len(principals) == 0 {
		problems = append(problems, "its section of the fixture set names no principal of a role (the roles function of mockapi.NewSection)")
	}
	if diff := roundTrip(k.api.Fixtures().Type(), section); diff != "" {
		problems = append(problems, diff)
	}
	return append(problems, k.dumpAndReplace()...)
}

// roundTrip says how the section, decoded into the Go type t and encoded again, differs from what it
// was: a field the type drops, or writes where the section has none. A field whose value is its
// type's zero (false, 0, "", null, [] or {}) is the same written or left out, as omitempty has it.
func roundTrip(t reflect.Type, section json.RawMessage) string {
	v := reflect.New(t)
	if err := json.Unmarshal(section, v.Interface()); err != nil {
		return "its section does not decode into " + t.String() + ": " + err.Error()
	}
	again, err := json.Marshal(v.Interface())
	if err != nil {
		return "its section does not encode from " + t.String() + ": " + err.Error()
	}
	var before, after any
	if json.Unmarshal(section, &before) != nil || json.Unmarshal(again, &after) != nil || !reflect.DeepEqual(withoutZeros(before), withoutZeros(after)) {
		return "its section does not round-trip through " + t.String() + ": it was " + string(section) + ", and is written back as " + string(again)
	}
	return ""
}

// withoutZeros is a JSON value without the members of its objects whose value is zero, at any depth.
func withoutZeros(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, m := range v {
			if m = withoutZeros(m); !isZero(m) {
				out[k] = m
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, m := range v {
			out[i] = withoutZeros(m)
		}
		return out
	}
	return v
}

func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case float64:
		return v == 0
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// dumpAndReplace dumps the fixtures of a mock seeded with the section (getFixtures) and replaces
// them with the dump (replaceFixtures): the same principals come back.
func (k *kit) dumpAndReplace() []string {
	m, err := k.mock()
	if err != nil {
		return []string{err.Error()}
	}
	defer m.Close()
	before := m.Principals()
	resp, err := m.Client().Get(m.ControlURL() + "/fixtures")
	if err != nil {
		return []string{"getFixtures: " + err.Error()}
	}
	dump, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		return []string{"getFixtures answered " + resp.Status + ": " + string(dump)}
	}
	req, err := http.NewRequest(http.MethodPut, m.ControlURL()+"/fixtures", bytes.NewReader(dump))
	if err != nil {
		return []string{err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err = m.Client().Do(req)
	if err != nil {
		return []string{"replaceFixtures: " + err.Error()}
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return []string{"replaceFixtures refused the dump of the fixtures: " + resp.Status + ": " + string(body)}
	}
	if after := m.Principals(); !reflect.DeepEqual(before, after) {
		return []string{"replaceFixtures with the dump of the fixtures changed the principals"}
	}
	return nil
}

// shapeDifferences lists where control.yaml's schema of the API's section (Fixtures, under the API's
// name) says other than its Go type: the same fields, each of the same JSON type, required exactly
// where the Go field has neither omitempty nor omitzero (as encoding/json writes it), no others
// allowed, and the same of every object and array inside.
func shapeDifferences(api string, t reflect.Type) []string {
	raw, err := openapi.Raw(openapi.Control)
	if err != nil {
		return []string{err.Error()}
	}
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return []string{"control.yaml: " + err.Error()}
	}
	shapes := schemaShapes{schemas: doc.Components.Schemas}
	sections, _ := shapes.resolve(doc.Components.Schemas["Fixtures"])["properties"].(map[string]any)
	schema, ok := sections[api].(map[string]any)
	if !ok {
		return []string{"control.yaml's Fixtures schema has no " + api + " section"}
	}
	diffs := shapes.differences(api, t, schema)
	for i, d := range diffs {
		diffs[i] = "control.yaml's fixture schema and the Go type differ: " + d
	}
	return diffs
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
		if t.Kind() == reflect.Map {
			return c.mapDifferences(path, t, schema)
		}
		return c.objectDifferences(path, t, schema)
	}
	return nil
}

// mapDifferences compares a map of string keys with an object of additionalProperties only: its
// values' schema with the map's values.
func (c schemaShapes) mapDifferences(path string, t reflect.Type, schema map[string]any) []string {
	values, ok := schema["additionalProperties"].(map[string]any)
	if !ok || schema["properties"] != nil {
		return []string{path + ": the Go type is a map, and the schema is not an object of additionalProperties only"}
	}
	return c.differences(path+".*", t.Elem(), values)
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
// this test does not know (a map whose keys are not strings, an interface, a type with its own
// marshalling).
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
	case reflect.Map:
		if t.Key().Kind() == reflect.String {
			return "object"
		}
	}
	return ""
}

func quote(s string) string { return `"` + s + `"` }
