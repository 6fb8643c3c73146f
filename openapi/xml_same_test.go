package openapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The same values in both forms: every body of every spec that has an XML form, each response and
// each request, is given sample values (built from the schema with arrays and maps of 0, 1 and 2
// items, and the spec's own examples); each is written as JSON and as XML, both are valid by the
// operation, and the XML read back is the value the JSON reads as.
func TestEveryXMLBodyCarriesTheSameValuesAsItsJSONForm(t *testing.T) {
	bodies := map[string]int{}
	for _, name := range Names() {
		for _, op := range MustLoad(name).Operations() {
			for _, key := range op.route.Operation.Responses.Keys() {
				status, err := strconv.Atoi(key)
				require.NoError(t, err, "%s %s: statuses are numbers", name, op.ID)
				content := op.route.Operation.Responses.Value(key).Value.Content
				if content[XMLMediaType] == nil {
					continue
				}
				bodies[name]++
				t.Run(name+"/"+op.ID+"/"+key, func(t *testing.T) {
					sameValues(t, content, op.ResponseXML(status), func(contentType string, body []byte) *Failure {
						r := httptest.NewRequest(op.Method, "/", nil)
						return op.ValidateResponse(context.Background(), r, nil, status, http.Header{"Content-Type": {contentType}}, body)
					})
				})
			}
			if b := op.RequestXML(); b != nil {
				bodies[name]++
				t.Run(name+"/"+op.ID+"/request", func(t *testing.T) {
					sameValues(t, op.route.Operation.RequestBody.Value.Content, b, func(contentType string, body []byte) *Failure {
						r := httptest.NewRequest(op.Method, "/", strings.NewReader(string(body)))
						r.Header.Set("Content-Type", contentType)
						return op.ValidateRequest(context.Background(), &Input{Request: r, Query: r.URL.Query(), Body: body})
					})
				})
			}
		}
	}
	// Bundeling: every body but the 406s (JSON only): a request and 6 responses of createUserIdentity,
	// 5 responses of listUsers, 4 of getUser, a request and 7 responses of login.
	assert.Equal(t, 24, bodies["bundeling"], "the bodies with an XML form")
}

// sameValues checks one body: its XML and JSON forms carry the same schema, and each sample written
// both ways is valid by validate and reads back alike.
func sameValues(t *testing.T, content openapi3.Content, b *XMLBody, validate func(contentType string, body []byte) *Failure) {
	xmlForm, jsonForm := content[XMLMediaType], content["application/json"]
	require.NotNil(t, b)
	require.NotNil(t, jsonForm, "a body with an XML form has a JSON form")
	require.Same(t, jsonForm.Schema.Value, xmlForm.Schema.Value, "both forms have one schema")
	schema := xmlForm.Schema.Value
	var samples []any
	for n := range 3 {
		samples = append(samples, sampleValue(t, schema, n))
	}
	for _, mt := range []*openapi3.MediaType{jsonForm, xmlForm} {
		if mt.Example != nil {
			samples = append(samples, mt.Example)
		}
	}
	for i, sample := range samples {
		raw, err := json.Marshal(sample)
		require.NoError(t, err)
		var value any // the sample as JSON reads it
		require.NoError(t, json.Unmarshal(raw, &value))
		require.NoError(t, schema.VisitJSON(value, formatOptions...), "sample %d is valid: %s", i, raw)
		assert.Nil(t, validate("application/json", raw), "sample %d as JSON", i)

		doc, err := b.Append(nil, value)
		require.NoError(t, err, "sample %d: %s", i, raw)
		assert.Nil(t, validate("application/xml; charset=utf-8", doc), "sample %d as XML: %s", i, doc)
		back, f := b.Decode(doc)
		require.Nil(t, f, "sample %d: %s", i, doc)
		assert.Equal(t, value, back, "sample %d, written %s", i, doc)
	}
}

// sampleValue builds a value of a schema with every property, arrays and maps of n items, numbers
// within their bounds, and strings from the schema's example or enum, else a text with markup,
// quotes, white space and characters beyond ASCII. A string with a pattern must have an example,
// which the test cannot make up.
func sampleValue(t testing.TB, s *openapi3.Schema, n int) any {
	t.Helper()
	switch {
	case s.Type.Is(openapi3.TypeObject):
		out := map[string]any{}
		if extra := s.AdditionalProperties.Schema; extra != nil && len(s.Properties) == 0 {
			for i := range n {
				out[[]string{"a b/~&<", "Zone"}[i]] = sampleValue(t, extra.Value, n)
			}
			return out
		}
		for key, p := range s.Properties {
			out[key] = sampleValue(t, p.Value, n)
		}
		return out
	case s.Type.Is(openapi3.TypeArray):
		out := []any{}
		for range n {
			out = append(out, sampleValue(t, s.Items.Value, n))
		}
		return out
	case s.Type.Is(openapi3.TypeBoolean):
		return n%2 == 1
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		v := 7.0
		if s.Type.Is(openapi3.TypeNumber) {
			v = 2.5
		}
		if s.Min != nil && v < *s.Min {
			v = *s.Min
		}
		if s.Max != nil && v > *s.Max {
			v = *s.Max
		}
		return v
	}
	switch {
	case s.Example != nil:
		return s.Example
	case len(s.Enum) > 0:
		return s.Enum[n%len(s.Enum)]
	case s.Pattern != "":
		t.Fatalf("a string with the pattern %s needs an example", s.Pattern)
	}
	text := "Ünïcode & <markup> ]]> \"quotes\" 'too'\ttab\nline\r\nCRLF 😀"
	for utf8.RuneCountInString(text) < int(s.MinLength) {
		text += text
	}
	if s.MaxLength != nil && utf8.RuneCountInString(text) > int(*s.MaxLength) {
		text = string([]rune(text)[:*s.MaxLength])
	}
	return text
}

// The sample texts exercise what XML escapes.
func TestSampleTextsNeedEscaping(t *testing.T) {
	text := sampleValue(t, &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}}, 0).(string)
	for _, c := range []string{"&", "<", ">", "]]>", "\r", "\n", "\t", `"`, "'", "😀"} {
		assert.True(t, strings.Contains(text, c), "%q", c)
	}
	assert.Equal(t, "b", sampleValue(t, &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Enum: []any{"a", "b"}}, 1))
}
