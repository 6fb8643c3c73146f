package apikit

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNonPortableSchemasAreRefused(t *testing.T) {
	// Each schema is put under components.schemas.S; a portable one gives no problem.
	portable := []string{
		`{type: object, nullable: true, properties: {en: {type: string}}}`,
		`{type: string, nullable: true, enum: [a, null]}`,
		`{$ref: '#/components/schemas/T'}`,
		`{allOf: [{$ref: '#/components/schemas/T'}]}`,
		`{anyOf: [{type: string}, {type: integer}]}`,
		`{type: string, format: date-time, pattern: '` + dateTimePattern + `'}`,
		`{type: string, format: binary}`,
		`{type: integer, format: int64, minimum: 1, maximum: 9007199254740991}`,
		`{type: integer, format: int32}`,
		`{type: string, pattern: '^[0-9]+\.[a-z]$'}`,
		`{type: string, pattern: '^[^.]+$'}`,
	}
	for _, s := range portable {
		problems, err := nonPortable(specWithSchema(s))
		require.NoError(t, err)
		assert.Empty(t, problems, s)
	}
	refused := map[string]string{
		`{type: object, nullable: true, allOf: [{$ref: '#/components/schemas/T'}]}`: "nullable beside allOf",
		`{nullable: true, allOf: [{$ref: '#/components/schemas/T'}]}`:               "nullable beside allOf",
		`{$ref: '#/components/schemas/T', nullable: true}`:                          "siblings of $ref",
		`{$ref: '#/components/schemas/T', description: x}`:                          "siblings of $ref",
		`{nullable: true}`: "nullable without type",
		`{type: string, nullable: true, enum: [a, b]}`:                 "enum without null",
		`{type: string, nullable: false}`:                              "nullable: false",
		`{}`:                                                           "no type",
		`{type: array, items: {}}`:                                     "no type",
		`{properties: {a: {type: string}}}`:                            "no type",
		`{type: string, format: date-time}`:                            "format date-time without its pattern",
		`{type: string, format: date, pattern: '^.*$'}`:                "format date without its pattern",
		`{type: string, format: uuid}`:                                 "format uuid without its pattern",
		`{type: string, format: uri}`:                                  "format uri",
		`{type: string, format: email}`:                                "format email",
		`{type: integer, format: int64, minimum: 1}`:                   "format int64 without a maximum",
		`{type: integer, format: int64, maximum: 1e18}`:                "format int64 without a minimum",
		`{type: integer, minimum: 0, exclusiveMinimum: true}`:          "exclusiveMinimum",
		`{type: integer, maximum: 9, exclusiveMaximum: true}`:          "exclusiveMaximum",
		`{type: string, readOnly: true}`:                               "readOnly",
		`{type: string, writeOnly: true}`:                              "writeOnly",
		`{type: object, discriminator: {propertyName: kind}}`:          "discriminator",
		`{type: string, pattern: '^\w+$'}`:                             `\w`,
		`{type: string, pattern: '^a\s'}`:                              `\s`,
		`{type: string, pattern: '^a.b$'}`:                             "unescaped .",
		`{type: string, pattern: '^(?i)ab$'}`:                          "(?",
		`{type: string, pattern: '^(a$'}`:                              "does not compile",
		`{type: object, properties: {p: {type: string, format: uri}}}`: "S.properties.p",
		`{type: array, items: {type: string, format: uri}}`:            "S.items",
	}
	for s, want := range refused {
		problems, err := nonPortable(specWithSchema(s))
		require.NoError(t, err)
		if assert.NotEmpty(t, problems, s) {
			assert.Contains(t, strings.Join(problems, "\n"), want, s)
		}
	}

	// Schemas are found wherever a spec holds one: a parameter's, a body's, a header's, a webhook's.
	raw := []byte(`openapi: 3.0.3
paths:
  /a/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string, format: uri}}]
    post:
      requestBody: {content: {application/json: {schema: {type: string, format: email}, example: {schema: {}}}}}
      responses:
        '200':
          description: ok
          headers: {X-A: {schema: {type: string, writeOnly: true}}}
x-webhooks:
  done: {post: {requestBody: {content: {application/json: {schema: {readOnly: true, type: string}}}}}}
`)
	problems, err := nonPortable(raw)
	require.NoError(t, err)
	assert.Len(t, problems, 4, "an example's content is not a schema: %q", problems)
	for _, where := range []string{"paths./a/{id}.parameters.0.schema", "content.application/json.schema", "X-A.schema", "x-webhooks.done"} {
		assert.Contains(t, strings.Join(problems, "\n"), where)
	}
}

func specWithSchema(schema string) []byte {
	return []byte("openapi: 3.0.3\ncomponents:\n  schemas:\n    T: {type: object}\n    S: " + schema + "\n")
}

// Every value openapi's calendar check (formats.go) takes matches the pattern the specs give its format, and the
// patterns refuse what kin-openapi's own regexps and ajv-formats read differently (a lower-case t or z,
// a space, a leap second, an offset without a colon).
func TestFormatPatternsPinTheWrittenForm(t *testing.T) {
	dateTime, date := regexp.MustCompile(dateTimePattern), regexp.MustCompile(datePattern)
	for _, v := range []string{"2030-01-01T00:00:00Z", "2030-12-31T23:59:59.999999999Z", "2030-06-15T12:30:00+05:30", "2030-06-15T12:30:00-23:59"} {
		assert.True(t, dateTime.MatchString(v), v)
	}
	for _, v := range []string{"2030-01-01t00:00:00Z", "2030-01-01T00:00:00z", "2030-01-01 00:00:00Z", "2030-12-31T23:59:60Z", "2030-01-01T00:00:00+0100",
		"2030-01-01T00:00:00", "2030-01-01T24:00:00Z", "2030-01-01T00:00:00+24:00", "2030-13-01T00:00:00Z", "2030-01-32T00:00:00Z"} {
		assert.False(t, dateTime.MatchString(v), v)
	}
	assert.True(t, date.MatchString("2030-02-28"))
	for _, v := range []string{"2030-2-28", "2030-00-10", "2030-01-00", "20300-01-01", "2030-01-01T00:00:00Z"} {
		assert.False(t, date.MatchString(v), v)
	}
	uuid, base64 := regexp.MustCompile(uuidPattern), regexp.MustCompile(base64Pattern)
	assert.True(t, uuid.MatchString("0b6f2c1e-8d4a-4f3b-9c2d-1a2b3c4d5e6F"))
	assert.False(t, uuid.MatchString("urn:uuid:0b6f2c1e-8d4a-4f3b-9c2d-1a2b3c4d5e6f"))
	assert.False(t, uuid.MatchString("0b6f2c1e8d4a4f3b9c2d1a2b3c4d5e6f"))
	for v, ok := range map[string]bool{"": true, "QQ==": true, "QUI=": true, "QUJD": true, "QUJD\n": false, "QUJ": false, "QUJD-_==": false, "Q===": false} {
		assert.Equal(t, ok, base64.MatchString(v), "%q", v)
	}
}
