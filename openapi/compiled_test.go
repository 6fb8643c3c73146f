package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpus holds the values the compiled checks are tried on: empty, short, long, non-ASCII (a code
// point outside the BMP counts as one, as kin-openapi counts), numbers at and past the integer
// formats' edges, and whatever the schemas name (enum values, lengths at their edges).
func corpus(s *openapi3.Schema) []string {
	values := []string{"", "a", "abc", "é", "😀😀", "\ufffd", "0", "1", "-1", "1.5", "1e3", "abc1", "true", "false",
		"2147483647", "2147483648", "-2147483649", "9223372036854775807", "99999999999999999999", "12345678901",
		"REF-0123456789AB", "ref-0123456789ab", "EE30303039914", " x ", "a/b", "%41"}
	if s == nil {
		return values
	}
	for _, e := range s.Enum {
		values = append(values, fmt.Sprint(e), strings.ToUpper(fmt.Sprint(e)))
	}
	for _, n := range []uint64{s.MinLength, s.MinLength + 1} {
		if n > 0 {
			// One character short in 1-, 3- and 4-byte characters: many bytes, too few characters.
			values = append(values, strings.Repeat("x", int(n)-1), strings.Repeat("y", int(n)),
				strings.Repeat("€", int(n)-1), strings.Repeat("😀", int(n)-1))
		}
	}
	if s.MaxLength != nil {
		n := int(*s.MaxLength)
		values = append(values, strings.Repeat("x", n), strings.Repeat("x", n+1), strings.Repeat("é", n), strings.Repeat("😀", n+1))
	}
	for _, b := range []*float64{s.Min, s.Max} {
		if b != nil {
			for _, f := range []float64{*b - 1, *b, *b + 1} {
				values = append(values, strconv.FormatFloat(f, 'f', -1, 64))
			}
		}
	}
	return values
}

// kinOnly is op with nothing compiled, so kin-openapi checks everything.
func kinOnly(op *Operation) *Operation {
	k := *op
	k.compiled = make([]*param, len(op.params))
	k.formCheck = nil
	k.jsonCheck = nil
	return &k
}

// scalars is a spec of the tests' own with every keyword the compiled checks know, so each branch
// of them is held to kin-openapi even where the real specs do not use it.
const scalars = `openapi: 3.0.3
info: {title: scalars, version: "1"}
paths:
  /things/{id}:
    post:
      operationId: postThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, pattern: '^[a-z]+$', maxLength: 5}}
        - {name: X-Mode, in: header, schema: {type: string, enum: [fast, slow]}}
        - {name: q, in: query, schema: {type: string, minLength: 2}}
        - {name: e, in: query, allowEmptyValue: true, schema: {type: string, minLength: 2}}
        - {name: w, in: query, schema: {type: string, minLength: 4}}
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [n, s]
              properties:
                n: {type: integer, minimum: -1, maximum: 2147483647}
                i32: {type: integer, format: int32}
                i64: {type: integer, format: int64, maximum: 12345678901}
                b: {type: boolean}
                s: {type: string, enum: [a, abc, '12345678901']}
                p: {type: string, pattern: '^[0-9]{3}$', minLength: 1}
      responses:
        '204': {description: ok}
  /json:
    post:
      operationId: postJSON
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [n, s]
              additionalProperties: false
              properties:
                n: {type: integer, minimum: -1, maximum: 2147483647}
                i64: {type: integer, format: int64, maximum: 12345678901}
                b: {type: boolean}
                s: {type: string, enum: [a, abc, '12345678901']}
                p: {type: string, pattern: '^[0-9]{3}$', minLength: 1}
      responses:
        '204': {description: ok}
  /open-json:
    post:
      operationId: postOpenJSON
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [t], properties: {t: {type: string, maxLength: 3}, b: {type: boolean}}}
      responses:
        '204': {description: ok}
`

func allOperations(t *testing.T) []*Operation {
	var ops []*Operation
	for _, name := range Names() {
		s, err := Load(name)
		require.NoError(t, err)
		ops = append(ops, s.Operations()...)
	}
	own, err := Parse("scalars", []byte(scalars))
	require.NoError(t, err)
	return append(append(ops, tokensSpec(t).Operations()...), own.Operations()...)
}

// Every compiled parameter check names the same failure as kin-openapi for every value of the corpus,
// and for the parameter missing.
func TestCompiledParametersAgreeWithKinOpenAPI(t *testing.T) {
	compiled := 0
	for _, op := range allOperations(t) {
		for i, p := range op.params {
			if op.compiled[i] == nil {
				continue
			}
			compiled++
			values := append([]*string{nil}, ptrs(corpus(p.Schema.Value))...)
			for _, v := range values {
				r := httptest.NewRequest(http.MethodGet, "/x", nil)
				query, pathParams := url.Values{}, map[string]string{}
				if v != nil {
					switch p.In {
					case "query":
						query.Set(p.Name, *v)
					case "header":
						r.Header.Set(p.Name, *v)
					case "path":
						pathParams[p.Name] = *v
					}
				}
				got, want := op.compiled[i].check(r, pathParams, query), kinParam(op, p, r, pathParams, query)
				assert.Equal(t, want, got, "%s %s %s=%v", op.ID, p.In, p.Name, deref(v))
			}
		}
	}
	assert.Positive(t, compiled, "the specs have compiled parameters")
}

// kinParam is kin-openapi's verdict on one parameter of op.
func kinParam(op *Operation, p *openapi3.Parameter, r *http.Request, pathParams map[string]string, query url.Values) *Failure {
	input := &openapi3filter.RequestValidationInput{Request: r, PathParams: pathParams, QueryParams: query, Route: op.route, Options: requestOptions}
	if err := openapi3filter.ValidateParameter(context.Background(), input, p); err != nil {
		return requestFailure(err)
	}
	return nil
}

// Every compiled form check names the same failure as kin-openapi's form decoder and validator, on
// forms drawn from the corpus: each property absent or one of its values, extra fields included.
func TestCompiledFormsAgreeWithKinOpenAPI(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	compiled := 0
	for _, op := range allOperations(t) {
		if op.formCheck == nil {
			continue
		}
		compiled++
		kin := kinOnly(op)
		names := slices.Sorted(maps.Keys(op.form.Properties))
		for range 2000 {
			form := url.Values{}
			for _, name := range names {
				// Mostly values that parse as the property's type, so that the checks behind the
				// decoding are reached; now and then any value, which makes the body undecodable.
				schema := op.form.Properties[name].Value
				vs := corpus(schema)
				if rng.IntN(10) > 0 {
					vs = slices.DeleteFunc(vs, func(v string) bool { return !parses(schema, v) })
				}
				if rng.IntN(4) > 0 && len(vs) > 0 {
					form.Set(name, vs[rng.IntN(len(vs))])
				}
			}
			if rng.IntN(5) == 0 {
				form.Set("extra", "x")
			}
			body := form.Encode()
			r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			// Path parameters that pass (the scalars spec's), so that the body is what is judged.
			in := &Input{Request: r, PathParams: map[string]string{"id": "abc"}, Query: url.Values{}, Body: []byte(body), Form: form}
			kinIn := *in
			kinIn.Form = nil // through kin-openapi's own form decoder
			got, want := op.ValidateRequest(context.Background(), in), kin.ValidateRequest(context.Background(), &kinIn)
			if len(body) == 0 {
				continue // an empty body is refused before either looks at the form
			}
			assert.Equal(t, want, got, "%s %s", op.ID, body)
		}
	}
	assert.Positive(t, compiled, "the specs have compiled forms")
}

// parses reports whether a form value decodes as its schema's type.
func parses(s *openapi3.Schema, v string) bool {
	var err error
	switch {
	case s.Type.Includes("integer"):
		_, err = strconv.ParseInt(v, 10, 64)
	case s.Type.Includes("boolean"):
		_, err = strconv.ParseBool(v)
	}
	return err == nil
}

func ptrs(values []string) []*string {
	out := make([]*string, len(values))
	for i := range values {
		out[i] = &values[i]
	}
	return out
}

func deref(v *string) any {
	if v == nil {
		return "(missing)"
	}
	return *v
}

// Every compiled JSON body check names the same failure as kin-openapi's decoder and validator, on
// bodies drawn from the corpus: each property absent or any value of the corpus as a string, a number
// or a boolean, now and then null, an object, an array, a field the schema does not name or a name
// given twice, and bodies that are no object at all.
func TestCompiledJSONBodiesAgreeWithKinOpenAPI(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	compiled := 0
	for _, op := range allOperations(t) {
		if op.jsonCheck == nil {
			continue
		}
		compiled++
		kin := kinOnly(op)
		schema := jsonSchema(op.route.Operation)
		names := slices.Sorted(maps.Keys(schema.Properties))
		for i := range 3000 {
			var fields []string
			for _, name := range names {
				if rng.IntN(4) > 0 {
					fields = append(fields, strconv.Quote(name)+": "+jsonValue(rng, corpus(schema.Properties[name].Value)))
				}
			}
			switch rng.IntN(12) {
			case 0:
				fields = append(fields, `"extra": "x"`)
			case 1:
				fields = append(fields, `"AAA": 1`)
			case 2:
				if len(fields) > 0 {
					fields = append(fields, fields[rng.IntN(len(fields))])
				}
			}
			rng.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
			body := "{" + strings.Join(fields, ", ") + "}"
			switch i % 50 {
			case 0:
				body = "[" + strings.Join(fields, ", ") + "]"
			case 1:
				body = `"a string"`
			case 2:
				body = "null"
			}
			if !json.Valid([]byte(body)) {
				continue // refused before either looks at it
			}
			r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			in := &Input{Request: r, PathParams: map[string]string{"id": "abc", "client_id": "abc"}, Query: url.Values{}, Body: []byte(body)}
			kinIn := *in
			got, want := op.ValidateRequest(context.Background(), in), kin.ValidateRequest(context.Background(), &kinIn)
			assert.Equal(t, want, got, "%s %s", op.ID, body)
		}
	}
	assert.GreaterOrEqual(t, compiled, 4, "the specs have compiled JSON bodies")
}

// jsonValue is a JSON value for a property: mostly one of the corpus, as a string, or as a number or
// a boolean where it reads as one; now and then null, an object or an array.
func jsonValue(rng *rand.Rand, corpus []string) string {
	switch rng.IntN(20) {
	case 0:
		return "null"
	case 1:
		return `{"a": 1}`
	case 2:
		return `["a"]`
	}
	v := corpus[rng.IntN(len(corpus))]
	if rng.IntN(3) == 0 && json.Valid([]byte(v)) {
		return v // a number, true or false
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// flatJSONObject reads every flat object as json.Unmarshal reads it into a map, and declines
// everything else: escapes in names and values, whitespace everywhere, numbers in every notation, and
// texts that are no flat object.
func FuzzFlatJSONObject(f *testing.F) {
	for _, body := range []string{
		`{}`, ` { } `, `{"a":"b"}`, "{\n\t\"a\" : \"b\" ,\r\n \"c\":1 }", `{"a\"b":"c\\d\u00e9\ud83d\ude00"}`,
		`{"n":-0.5e+3,"m":12E-1,"t":true,"f":false}`, `{"a":"\\"}`, `{"a":"\""}`, `{"a":null}`, `{"a":{}}`,
		`{"a":[]}`, `[]`, `"s"`, `1`, `null`, `{"a":1e400}`, `{"a":1,"a":2}`, `{"é":"ü"}`,
	} {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) || !utf8.Valid(body) {
			return // ValidateRequest refuses it first
		}
		fields, ok := flatJSONObject(body)
		var want map[string]any
		err := json.Unmarshal(body, &want)
		flat := err == nil && want != nil
		for _, v := range want {
			switch v.(type) {
			case string, float64, bool:
			default:
				flat = false
			}
		}
		if !ok {
			assert.False(t, flat && topLevelFields(body) == len(want), "declined a flat object: %s", body)
			return
		}
		require.True(t, flat, "read what is no flat object: %s", body)
		got := map[string]any{}
		for _, field := range fields {
			got[field.name] = field.value
		}
		assert.Equal(t, want, got, "%s", body)
	})
}

// topLevelFields counts the fields of a flat object's text with encoding/json's tokenizer.
func topLevelFields(body []byte) int {
	dec := json.NewDecoder(bytes.NewReader(body))
	n, depth := 0, 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return n / 2
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		default:
			if depth == 1 {
				n++
			}
		}
	}
}
