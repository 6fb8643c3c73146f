package openapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A client that builds its requests from the spec finds each operation's parameters by location, the
// path item's included, and the examples of its body in a media type: the example, then the named
// ones by name.
func TestParametersAndRequestExamples(t *testing.T) {
	const spec = `openapi: 3.0.3
info: {title: examples, version: "1"}
paths:
  /things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post:
      operationId: putThing
      parameters: [{name: dry_run, in: query, schema: {type: boolean}}, {name: lang, in: query, schema: {type: string}}]
      requestBody:
        content:
          application/json:
            schema: {type: object}
            example: {name: one}
          application/x-www-form-urlencoded:
            schema: {type: object}
            examples:
              b: {value: {name: b}}
              a: {value: {name: a}}
      responses:
        '200': {description: ok}
    get:
      operationId: getThing
      responses:
        '200': {description: ok}
`
	s, err := Parse("examples", []byte(spec))
	require.NoError(t, err)
	put, get := s.Operation("putThing"), s.Operation("getThing")
	assert.Equal(t, []string{"id"}, put.Parameters("path"))
	assert.Equal(t, []string{"dry_run", "lang"}, put.Parameters("query"))
	assert.Empty(t, get.Parameters("query"))
	assert.Equal(t, []any{map[string]any{"name": "one"}}, put.RequestExamples("application/json"))
	assert.Equal(t, []any{map[string]any{"name": "a"}, map[string]any{"name": "b"}}, put.RequestExamples("application/x-www-form-urlencoded"))
	assert.Empty(t, put.RequestExamples("text/plain"))
	assert.Empty(t, get.RequestExamples("application/json"), "no body, no examples")
}
