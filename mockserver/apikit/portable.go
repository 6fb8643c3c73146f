package apikit

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The specs are read by kin-openapi (the mock and the suite) and by JSON Schema validators: Prism
// (ajv with ajv-formats, in make conform-prism), Spectral and Redocly (examples), and the
// Portman/newman and Dredd contract tests partners run. A schema must mean the same to all of them.
// nonPortable names every construct whose meaning differs between them; each rule says how.

// The patterns that pin the written form of the formats validators check differently. A value that
// matches one passes every validator's check of its format, so kin-openapi (which checks no uuid, and
// dates by a laxer regexp) and ajv-formats agree on every value; the day of the month is the formats'
// own business in both (openapi/formats.go's formatOptions checks it on kin-openapi's side).
const (
	dateTimePattern = `^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$`
	datePattern     = `^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$`
	uuidPattern     = `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`
	base64Pattern   = `^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$` // ajv-formats' byte
)

// formatPatterns maps each string format a spec may use to the pattern it must carry ("" for none).
var formatPatterns = map[string]string{
	"date-time": dateTimePattern,
	"date":      datePattern,
	"uuid":      uuidPattern,
	"byte":      base64Pattern,
	"binary":    "", // checked by no validator (Prism drops it for contentMediaType)
}

// maxSafeInteger is the largest integer every JSON reader holds exactly (2^53-1; RFC 7493 2.2).
// Prism reads format int64 as this range, kin-openapi as the full 64 bits.
const maxSafeInteger = 1<<53 - 1

// nonPortable lists the schemas of a spec (its raw YAML: kin-openapi's model drops what it ignores,
// such as the siblings of a $ref) whose meaning differs between kin-openapi and JSON Schema
// validators, each with where it is and why.
func nonPortable(raw []byte) ([]string, error) {
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	var problems []string
	var walk func(path string, node any)
	walk = func(path string, node any) {
		switch n := node.(type) {
		case map[string]any:
			for _, k := range sortedKeys(n) {
				switch {
				case k == "example" || k == "examples":
					// values, not schemas
				case k == "schema":
					problems = append(problems, schemaProblems(path+"."+k, n[k])...)
				case path == "components" && k == "schemas":
					for _, name := range sortedKeys(asMap(n[k])) {
						problems = append(problems, schemaProblems(path+".schemas."+name, n[k].(map[string]any)[name])...)
					}
				default:
					walk(join(path, k), n[k])
				}
			}
		case []any:
			for i, v := range n {
				walk(fmt.Sprintf("%s.%d", path, i), v)
			}
		}
	}
	walk("", doc)
	return problems, nil
}

// schemaProblems checks one schema and every schema inside it.
func schemaProblems(path string, node any) []string {
	s, ok := node.(map[string]any)
	if !ok {
		return []string{path + ": not a schema object"}
	}
	var problems []string
	add := func(format string, args ...any) {
		problems = append(problems, path+": "+fmt.Sprintf(format, args...))
	}
	_, hasType := s["type"]
	composed := s["allOf"] != nil || s["anyOf"] != nil || s["oneOf"] != nil || s["not"] != nil
	if _, ok := s["$ref"]; ok {
		if len(s) > 1 {
			// OpenAPI 3.0 ignores them (kin-openapi too); 3.1 tools and bundlers apply them.
			add("siblings of $ref (%s) are ignored by some tools and applied by others; put them in the referenced schema or use allOf", strings.Join(slices.DeleteFunc(sortedKeys(s), func(k string) bool { return k == "$ref" }), ", "))
		}
		return problems
	}
	if nullable, ok := s["nullable"]; ok {
		switch {
		case nullable != true:
			add("nullable: false is the default; leave it out")
		case composed:
			// OpenAPI 3.0.3: nullable adds null to its own type only; the composed schemas still refuse
			// null (Prism), while kin-openapi lets null through.
			add("nullable beside allOf/anyOf/oneOf/not: the composed schemas still refuse null in JSON Schema validators; write the nullable schema out with its own type")
		case !hasType:
			add("nullable without type means nothing in OpenAPI 3.0.3 (JSON Schema validators drop it)")
		}
		if enum, ok := s["enum"].([]any); ok && nullable == true && !slices.Contains(enum, nil) {
			add("nullable with an enum without null: validators disagree on whether null passes; list null in the enum")
		}
	}
	if !hasType && !composed {
		// kin-openapi refuses null for a schema without type; JSON Schema accepts it.
		add("no type: kin-openapi refuses null here and JSON Schema validators accept it; give a type")
	}
	if f, ok := s["format"].(string); ok {
		problems = append(problems, formatProblems(path, f, s)...)
	}
	for _, k := range []string{"exclusiveMinimum", "exclusiveMaximum"} {
		if _, ok := s[k]; ok {
			add("%s is a boolean in OpenAPI 3.0 and a number in JSON Schema; state an inclusive minimum or maximum", k)
		}
	}
	for _, k := range []string{"readOnly", "writeOnly"} {
		if _, ok := s[k]; ok {
			add("%s: validators disagree on a required %s property in requests and responses; use separate request and response schemas", k, k)
		}
	}
	if _, ok := s["discriminator"]; ok {
		add("discriminator: kin-openapi validates by it, JSON Schema validators ignore it")
	}
	if p, ok := s["pattern"].(string); ok {
		if reason := patternProblem(p); reason != "" {
			add("pattern %q: %s", p, reason)
		}
	}
	for _, name := range sortedKeys(asMap(s["properties"])) {
		problems = append(problems, schemaProblems(path+".properties."+name, s["properties"].(map[string]any)[name])...)
	}
	for _, k := range []string{"items", "not"} {
		if v, ok := s[k]; ok {
			problems = append(problems, schemaProblems(path+"."+k, v)...)
		}
	}
	if v, ok := s["additionalProperties"].(map[string]any); ok {
		problems = append(problems, schemaProblems(path+".additionalProperties", v)...)
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, _ := s[k].([]any)
		for i, v := range list {
			problems = append(problems, schemaProblems(fmt.Sprintf("%s.%s.%d", path, k, i), v)...)
		}
	}
	return problems
}

func formatProblems(path, format string, s map[string]any) []string {
	switch format {
	case "int32":
		return nil
	case "int64":
		var problems []string
		for _, k := range []string{"minimum", "maximum"} {
			v, ok := s[k].(int)
			if !ok || math.Abs(float64(v)) > maxSafeInteger {
				problems = append(problems, fmt.Sprintf("%s: format int64 without a %s within ±(2^53-1): Prism reads int64 as that range, kin-openapi as 64 bits", path, k))
			}
		}
		return problems
	}
	want, ok := formatPatterns[format]
	switch {
	case !ok:
		return []string{fmt.Sprintf("%s: format %s is checked by some validators and not others (kin-openapi checks only byte, date and date-time); state the form with a pattern", path, format)}
	case want != "" && s["pattern"] != want:
		return []string{fmt.Sprintf("%s: format %s without its pattern (formatPatterns): kin-openapi and ajv-formats check the format differently", path, format)}
	}
	return nil
}

// portablePattern holds what ECMAScript (ajv, with the u flag) and Go's RE2 read alike: no classes
// whose members differ (\w, \s, \b: Unicode in one, ASCII in the other), no unescaped . (ECMAScript's
// also refuses \r, \u2028 and \u2029), no (?...) groups (flags and lookarounds exist in only one).
func patternProblem(p string) string {
	if _, err := regexp.Compile(p); err != nil {
		return "does not compile in Go: " + err.Error()
	}
	inClass := false
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && i+1 < len(p):
			i++
			if strings.IndexByte(`wWsSbBpP`, p[i]) >= 0 {
				return fmt.Sprintf(`\%c means one thing in ECMAScript and another in RE2`, p[i])
			}
		case inClass:
			inClass = c != ']'
		case c == '[':
			inClass = true
		case c == '.':
			return "unescaped . matches \\r in RE2 and not in ECMAScript"
		case c == '(' && i+1 < len(p) && p[i+1] == '?':
			return "(?...) groups exist in only one of ECMAScript and RE2"
		}
	}
	return ""
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}
