package openapi

import (
	"context"
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
