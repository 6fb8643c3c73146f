package openapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// surrogateCases are JSON texts and whether they escape half a surrogate pair.
var surrogateCases = []struct {
	json string
	half bool
}{
	{`{"reference":"plain"}`, false},
	{`{"reference":"caf\u00e9 \"quoted\" \\ \/ \n"}`, false},
	{`{"reference":"\ud83d\ude00"}`, false},                // a pair: U+1F600
	{`{"reference":"\uD83D\uDE00"}`, false},                // in upper case
	{`{"reference":"\\ud800"}`, false},                     // an escaped backslash, then text
	{`{"reference":"\\\ud83d\ude00"}`, false},              // an escaped backslash, then a pair
	{`{"reference":"\ufffd \uffff \ue000 \ud7ff"}`, false}, // the edges of the surrogate range
	{`{"reference":"a\ud800b"}`, true},
	{`{"reference":"\udc00\ud800"}`, true}, // a pair the wrong way round
	{`{"reference":"\ud800"}`, true},       // at the end of the string
	{`{"reference":"\udbff"}`, true},
	{`{"reference":"\udc00"}`, true}, // a low half alone
	{`{"reference":"\udfff"}`, true},
	{`{"reference":"\ud800\ud800"}`, true}, // two high halves
	{`{"reference":"\ud800\n"}`, true},     // a high half before another escape
	{`{"reference":"\\\ud800"}`, true},     // an escaped backslash, then half a pair
	{`{"\ud800":1}`, true},                 // in a name
	{`["ok","\ude00"]`, true},
}

// A \u escape of half a surrogate pair stands for no character; encoding/json reads it as U+FFFD.
func TestEscapesHalfASurrogate(t *testing.T) {
	for _, c := range surrogateCases {
		require.True(t, json.Valid([]byte(c.json)), c.json)
		assert.Equal(t, c.half, escapesHalfASurrogate([]byte(c.json)), c.json)
		assert.Equal(t, c.half, referenceHalfSurrogate(t, []byte(c.json)), "the reference: %s", c.json)
	}
}

// A JSON body that escapes half a surrogate pair is refused as one that is not UTF-8 is: the same
// failure, naming the body; a pair, or an escaped backslash before text, passes.
func TestAJSONBodyThatEscapesHalfASurrogateIsNotUTF8(t *testing.T) {
	s, err := Parse("references", []byte(`openapi: 3.0.3
info: {title: references, version: "1"}
paths:
  /references:
    post:
      operationId: create
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [reference], properties: {reference: {type: string}}}
      responses:
        '201': {description: ok}
`))
	require.NoError(t, err)
	validate := func(body string) *Failure {
		r := httptest.NewRequest(http.MethodPost, "/references", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return s.Operation("create").ValidateRequest(t.Context(), &Input{Request: r, Body: []byte(body)})
	}
	notUTF8 := validate("{\"reference\":\"\xff\"}")
	require.NotNil(t, notUTF8)
	assert.Equal(t, Failure{Kind: KindBody, Rule: "utf-8"}, *notUTF8)
	assert.Equal(t, "The request body is not valid UTF-8", notUTF8.Message())
	for _, c := range surrogateCases {
		if !strings.HasPrefix(c.json, `{"reference":`) {
			continue
		}
		f := validate(c.json)
		if c.half {
			assert.Equal(t, notUTF8, f, "refused as bytes that are not UTF-8 are: %s", c.json)
		} else {
			assert.Nil(t, f, c.json)
		}
	}
}

// The scan agrees with a reference decoder on every valid JSON text: one that reads each string into
// UTF-16 code units and finds them unchanged by unicode/utf16's decode and encode, which replaces a
// lone surrogate with U+FFFD. The reference itself decodes every string as encoding/json does.
func FuzzEscapesHalfASurrogate(f *testing.F) {
	for _, c := range surrogateCases {
		f.Add([]byte(c.json))
	}
	f.Add([]byte(`"\`))
	f.Add([]byte(`"\u12`))
	f.Add([]byte(`\ud800`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got := escapesHalfASurrogate(b) // never panics, whatever the bytes
		if !json.Valid(b) || !utf8.Valid(b) {
			return
		}
		assert.Equal(t, referenceHalfSurrogate(t, b), got, "%q", b)
	})
}

// shortEscapes are JSON's escapes of one letter (RFC 8259, 7).
var shortEscapes = map[byte]rune{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// referenceHalfSurrogate reports whether a valid JSON text has a string whose \u escapes leave a
// surrogate unpaired, reading each string literal into UTF-16 code units; it checks that the string
// the units make is the one encoding/json decodes.
func referenceHalfSurrogate(t *testing.T, b []byte) bool {
	t.Helper()
	half := false
	for i := 0; i < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		start := i
		var units []uint16
		for i++; b[i] != '"'; i++ {
			switch {
			case b[i] == '\\' && b[i+1] == 'u':
				r, ok := unicodeEscape(b[i+1:])
				require.True(t, ok)
				units = append(units, uint16(r))
				i += 5
			case b[i] == '\\':
				units = append(units, uint16(shortEscapes[b[i+1]]))
				i++
			default:
				r, size := utf8.DecodeRune(b[i:])
				units = utf16.AppendRune(units, r)
				i += size - 1
			}
		}
		var decoded string
		require.NoError(t, json.Unmarshal(b[start:i+1], &decoded))
		assert.Equal(t, decoded, string(utf16.Decode(units)), "the reference reads %s as encoding/json does", b[start:i+1])
		half = half || !slices.Equal(utf16.Encode(utf16.Decode(units)), units)
	}
	return half
}
