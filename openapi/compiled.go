package openapi

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// scalar is a scalar schema compiled once at load: a string (enum, minLength, maxLength, pattern),
// an integer (minimum, maximum, format int32 or int64) or a boolean, and nothing else. Most
// parameters and form fields of the specs are such schemas, and checking one directly costs a small
// fraction of kin-openapi's general validator, which builds settings, decoders and errors per value.
// A schema with any other keyword is not compiled and kin-openapi checks it. Each check gives the
// rule kin-openapi names for the same value, in the same order (openapi_test holds them to that).
type scalar struct {
	typ        string // "string", "integer" or "boolean"
	enum       []string
	minLength  uint64
	maxLength  *uint64
	pattern    *regexp.Regexp
	min, max   *float64
	lo, hi     float64 // the integer format's range
	checkRange bool
}

// compileScalar compiles s, or returns nil when s is not a schema scalar can check exactly as
// kin-openapi would.
func compileScalar(s *openapi3.Schema) *scalar {
	if s == nil || s.Type == nil || len(s.Type.Slice()) != 1 || len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) > 0 || s.Not != nil ||
		s.Nullable || s.ReadOnly || s.WriteOnly || s.Always != nil || s.MultipleOf != nil || s.ExclusiveMin.IsSet() || s.ExclusiveMax.IsSet() {
		return nil
	}
	c := &scalar{typ: s.Type.Slice()[0]}
	switch c.typ {
	case "string":
		if s.Format != "" || s.Min != nil || s.Max != nil {
			return nil
		}
		for _, e := range s.Enum {
			str, ok := e.(string)
			if !ok {
				return nil
			}
			c.enum = append(c.enum, str)
		}
		c.minLength, c.maxLength = s.MinLength, s.MaxLength
		if s.Pattern != "" {
			re, err := regexp.Compile(s.Pattern)
			if err != nil {
				return nil
			}
			c.pattern = re
		}
	case "integer":
		if len(s.Enum) > 0 || s.MinLength != 0 || s.MaxLength != nil || s.Pattern != "" {
			return nil
		}
		switch s.Format {
		case "":
		case "int32":
			c.lo, c.hi, c.checkRange = math.MinInt32, math.MaxInt32, true
		case "int64":
			c.lo, c.hi, c.checkRange = math.MinInt64, math.MaxInt64, true
		default:
			return nil
		}
		c.min, c.max = s.Min, s.Max
	case "boolean":
		if len(s.Enum) > 0 || s.Format != "" {
			return nil
		}
	default:
		return nil
	}
	return c
}

// check returns the rule v breaks ("" when it conforms). v is a string, a float64, a bool, or nil
// for a value that is there but empty (a form's `customerid=`), which no compiled schema permits.
func (c *scalar) check(v any) string {
	if v == nil {
		return "nullable"
	}
	switch c.typ {
	case "string":
		s, ok := v.(string)
		if len(c.enum) > 0 && (!ok || !slices.Contains(c.enum, s)) {
			return "enum"
		}
		if !ok {
			return "type"
		}
		// The length is counted as kin-openapi counts it, in code points (a byte of invalid UTF-8
		// counts as one). It lies between a quarter of the bytes and all of them, so it is counted only
		// when those bounds leave the verdict open: RamBase's ID verification token (300 bytes, minLength 1) is
		// not walked rune by rune on every request.
		b := uint64(len(s))
		if (c.minLength != 0 && b/4 < c.minLength) || (c.maxLength != nil && b > *c.maxLength) {
			n := uint64(utf8.RuneCountInString(s))
			if n < c.minLength {
				return "minLength"
			}
			if c.maxLength != nil && n > *c.maxLength {
				return "maxLength"
			}
		}
		if c.pattern != nil && !c.pattern.MatchString(s) {
			return "pattern"
		}
	case "integer":
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) {
			return "type"
		}
		if c.checkRange && (f < c.lo || f > c.hi) {
			return "format"
		}
		if c.min != nil && f < *c.min {
			return "minimum"
		}
		if c.max != nil && f > *c.max {
			return "maximum"
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return "type"
		}
	}
	return ""
}

// param is a parameter whose value is one plain string: in the path, in a header, or in the query
// with the default form style; compiled when its schema is a string scalar.
type param struct {
	p      *openapi3.Parameter
	schema *scalar
}

// compileParam compiles p, or returns nil for kin-openapi to check.
func compileParam(p *openapi3.Parameter) *param {
	if p.Content != nil || p.Schema == nil || p.Style != "" || p.Explode != nil || p.AllowReserved {
		return nil
	}
	switch p.In {
	case openapi3.ParameterInPath, openapi3.ParameterInQuery, openapi3.ParameterInHeader:
	default:
		return nil
	}
	c := compileScalar(p.Schema.Value)
	if c == nil || c.typ != "string" {
		return nil
	}
	return &param{p: p, schema: c}
}

// check validates the parameter's value in a request: present when required, not empty unless
// allowed, and of its schema.
func (c *param) check(r *http.Request, pathParams map[string]string, query url.Values) *Failure {
	var value string
	var found bool
	switch c.p.In {
	case openapi3.ParameterInPath:
		value = pathParams[c.p.Name]
		found = value != "" // kin-openapi reads an empty path segment as no value
	case openapi3.ParameterInQuery:
		if vs := query[c.p.Name]; len(vs) > 0 {
			value, found = vs[0], true
		}
	case openapi3.ParameterInHeader:
		if vs := r.Header.Values(c.p.Name); len(vs) > 0 {
			value, found = vs[0], true
		}
	}
	fail := func(rule string) *Failure { return &Failure{Kind: KindParam, Field: c.p.Name, Rule: rule, In: c.p.In} }
	switch {
	case !found && c.p.Required:
		return fail("required")
	case !found, value == "" && c.p.AllowEmptyValue:
		return nil
	}
	if rule := c.schema.check(value); rule != "" {
		return fail(rule)
	}
	return nil
}

// object is a form's object schema whose properties are all compiled scalars.
type object struct {
	properties map[string]*scalar
	names      []string // sorted, the order kin-openapi checks properties in
	required   []string
}

// compileForm compiles a flat form's schema, or returns nil for kin-openapi to check.
func compileForm(s *openapi3.Schema) *object {
	if s == nil || s.MinProps != 0 || s.MaxProps != nil || s.Nullable || s.ReadOnly || s.WriteOnly || s.Always != nil {
		return nil
	}
	o := &object{properties: map[string]*scalar{}, required: s.Required}
	for name, ref := range s.Properties {
		c := compileScalar(ref.Value)
		if c == nil {
			return nil
		}
		o.properties[name] = c
		o.names = append(o.names, name)
	}
	slices.Sort(o.names)
	return o
}

// check validates a form decoded by formValue: each present property by name, then the required
// ones, as kin-openapi does.
func (o *object) check(v map[string]any) *Failure {
	for _, name := range o.names {
		if value, ok := v[name]; ok {
			if rule := o.properties[name].check(value); rule != "" {
				return &Failure{Kind: KindBody, Field: "/" + name, Rule: rule}
			}
		}
	}
	for _, name := range o.required {
		if _, ok := v[name]; !ok {
			return &Failure{Kind: KindBody, Field: "/" + name, Rule: "required"}
		}
	}
	return nil
}

// jsonObject is a JSON body's object schema whose properties are all compiled scalars: the usual
// request body of the specs (a login, a verify-login, a control call), checked without kin-openapi's
// decoder and validator, which cost more than the rest of such a request (45% of the handler of a
// refused Rampable verify-login). A body that is not a flat object of such values is left to
// kin-openapi.
type jsonObject struct {
	object
	closed bool // additionalProperties: false, so a field the schema does not name is refused
}

// compileJSONObject compiles the schema of an operation's application/json body, or returns nil for
// kin-openapi to check.
func compileJSONObject(s *openapi3.Schema) *jsonObject {
	if s == nil || !s.Type.Is("object") || len(s.Enum) > 0 || len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) > 0 || s.Not != nil ||
		s.AdditionalProperties.Schema != nil || s.Discriminator != nil {
		return nil
	}
	o := compileForm(s)
	if o == nil {
		return nil
	}
	return &jsonObject{object: *o, closed: s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has}
}

// check validates a JSON body that ValidateRequest found to be one valid JSON value of UTF-8 text,
// as kin-openapi does: the body's fields in the order of their names, each a property's value or,
// when the schema is closed, refused as unknown; then the required properties. ok is false for a
// body that is not an object of strings, numbers and booleans whose names are all different, which
// kin-openapi then judges (it refuses a repeated name, and words a null or a nested value its way).
func (o *jsonObject) check(body []byte) (f *Failure, ok bool) {
	fields, ok := flatJSONObject(body)
	if !ok {
		return nil, false
	}
	slices.SortFunc(fields, func(a, b jsonField) int { return strings.Compare(a.name, b.name) })
	for i, field := range fields {
		if i > 0 && fields[i-1].name == field.name {
			return nil, false
		}
	}
	for _, field := range fields {
		c, known := o.properties[field.name]
		switch {
		case known:
			if rule := c.check(field.value); rule != "" {
				return &Failure{Kind: KindBody, Field: "/" + field.name, Rule: rule}, true
			}
		case o.closed:
			return &Failure{Kind: KindBody, Field: "/" + field.name, Rule: "unknown"}, true
		}
	}
	for _, name := range o.required {
		if !slices.ContainsFunc(fields, func(f jsonField) bool { return f.name == name }) {
			return &Failure{Kind: KindBody, Field: "/" + name, Rule: "required"}, true
		}
	}
	return nil, true
}

// jsonField is a name and a scalar value of a flat JSON object: a string, a float64 or a bool.
type jsonField struct {
	name  string
	value any
}

// flatJSONObject reads the fields of a valid JSON text that is an object of strings, numbers and
// booleans, in the body's order; ok is false for any other text (an array, a null, a nested value, a
// number out of float64's range). It reads the bytes directly, where json.Unmarshal into a map built
// a map and a value per field (a fifth of a refused Rampable verify-login's CPU); a string with an
// escape is unquoted by encoding/json, so every text reads as json.Unmarshal would read it.
func flatJSONObject(body []byte) (fields []jsonField, ok bool) {
	i := skipJSONSpace(body, 0)
	if i == len(body) || body[i] != '{' {
		return nil, false
	}
	i = skipJSONSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return fields, true
	}
	for i < len(body) {
		name, next, ok := jsonString(body, i)
		if !ok {
			return nil, false
		}
		i = skipJSONSpace(body, next)
		i = skipJSONSpace(body, i+1) // the colon
		if i == len(body) {
			return nil, false
		}
		var value any
		switch c := body[i]; {
		case c == '"':
			var s string
			s, i, ok = jsonString(body, i)
			if !ok {
				return nil, false
			}
			value = s
		case c == 't':
			value, i = true, i+len("true")
		case c == 'f':
			value, i = false, i+len("false")
		case c == '-' || c >= '0' && c <= '9':
			end := i + 1
			for end < len(body) && strings.IndexByte("0123456789+-.eE", body[end]) >= 0 {
				end++
			}
			n, err := strconv.ParseFloat(string(body[i:end]), 64)
			if err != nil {
				return nil, false
			}
			value, i = n, end
		default: // null, an object or an array
			return nil, false
		}
		fields = append(fields, jsonField{name: name, value: value})
		i = skipJSONSpace(body, i)
		if i == len(body) {
			return nil, false
		}
		if body[i] == '}' {
			return fields, skipJSONSpace(body, i+1) == len(body)
		}
		i = skipJSONSpace(body, i+1) // the comma
	}
	return nil, false
}

// skipJSONSpace returns the index of the first byte at or after i that is not JSON whitespace.
func skipJSONSpace(body []byte, i int) int {
	for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r') {
		i++
	}
	return i
}

// jsonString reads the JSON string that starts at body[i] (its opening quote) and returns it and the
// index after its closing quote; one with an escape is unquoted by encoding/json.
func jsonString(body []byte, i int) (s string, next int, ok bool) {
	if i >= len(body) || body[i] != '"' {
		return "", 0, false
	}
	end := bytes.IndexByte(body[i+1:], '"') + i + 1
	if end == i {
		return "", 0, false
	}
	if bytes.IndexByte(body[i+1:end], '\\') < 0 {
		return string(body[i+1 : end]), end + 1, true
	}
	for j := i + 1; j < len(body); j++ {
		switch body[j] {
		case '\\':
			j++
		case '"':
			if json.Unmarshal(body[i:j+1], &s) != nil {
				return "", 0, false
			}
			return s, j + 1, true
		}
	}
	return "", 0, false
}
