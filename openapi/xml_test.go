package openapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shapes is a spec of the tests' own whose one body has every shape the XML mapping knows: scalars
// of each type, a wrapped and an unwrapped array, a map, a renamed property, a closed object and an
// open recursive one (for depth).
const shapes = `openapi: 3.0.3
info: {title: shapes, version: "1"}
paths:
  /things:
    post:
      operationId: putThing
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/Thing'}}
          application/xml: {schema: {$ref: '#/components/schemas/Thing'}}
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {$ref: '#/components/schemas/Thing'}}
            application/xml: {schema: {$ref: '#/components/schemas/Thing'}}
components:
  schemas:
    Thing:
      type: object
      xml: {name: thing}
      required: [name]
      additionalProperties: false
      properties:
        name: {type: string, maxLength: 2000000}
        count: {type: integer, minimum: 0}
        ratio: {type: number}
        on: {type: boolean}
        tags: {type: array, xml: {wrapped: true}, items: {type: string, xml: {name: tag}}}
        sizes: {type: array, items: {type: integer, xml: {name: size}}}
        meta: {type: object, additionalProperties: {type: string}}
        renamed: {type: string, xml: {name: alias}}
        child: {$ref: '#/components/schemas/Child'}
    Child:
      type: object
      properties:
        depth: {type: integer}
        next: {$ref: '#/components/schemas/Child'}
`

func shapesSpec(t testing.TB) *Spec {
	t.Helper()
	s, err := Parse("shapes", []byte(shapes))
	require.NoError(t, err)
	return s
}

func thingXML(t testing.TB) *XMLBody {
	t.Helper()
	b := shapesSpec(t).Operation("putThing").RequestXML()
	require.NotNil(t, b)
	return b
}

const decl = `<?xml version="1.0" encoding="UTF-8"?>`

// billionLaughs declares ten entities, each ten of the one before: expanded, 10^9 "lol"s.
const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE thing [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<thing><name>&lol9;</name></thing>`

// nested is a thing whose child is nested to depth elements in all (the root is 1).
func nested(depth int) string {
	return "<thing><name>n</name><child>" + strings.Repeat("<next>", depth-3) + "<depth>1</depth>" +
		strings.Repeat("</next>", depth-3) + "</child></thing>"
}

func TestXMLDecodeReadsTypesFromTheSchema(t *testing.T) {
	b := thingXML(t)
	cases := []struct {
		name, body string
		want       map[string]any
	}{
		{"scalars by type", `<thing><name> 42 </name><count>42</count><ratio>-1.5e3</ratio><on>true</on></thing>`,
			map[string]any{"name": " 42 ", "count": 42.0, "ratio": -1500.0, "on": true}},
		{"numbers and booleans trimmed, strings exact", "<thing><name>\n a\tb \n</name><count>\n 7 \n</count><on> false </on></thing>",
			map[string]any{"name": "\n a\tb \n", "count": 7.0, "on": false}},
		{"a wrapped array of one is an array", `<thing><name>n</name><tags><tag>a</tag></tags></thing>`,
			map[string]any{"name": "n", "tags": []any{"a"}}},
		{"an empty wrapped array is empty", `<thing><name>n</name><tags/></thing>`,
			map[string]any{"name": "n", "tags": []any{}}},
		{"an unwrapped array's items are repeated elements", `<thing><size>1</size><name>n</name><size>2</size></thing>`,
			map[string]any{"name": "n", "sizes": []any{1.0, 2.0}}},
		{"an unwrapped array of one is an array", `<thing><name>n</name><size>3</size></thing>`,
			map[string]any{"name": "n", "sizes": []any{3.0}}},
		{"a map's entries", `<thing><name>n</name><meta><entry><key>a b/~</key><value>1</value></entry><entry><key></key><value/></entry></meta></thing>`,
			map[string]any{"name": "n", "meta": map[string]any{"a b/~": "1", "": ""}}},
		{"a renamed property", `<thing><name>n</name><alias>x</alias></thing>`,
			map[string]any{"name": "n", "renamed": "x"}},
		{"an empty string", `<thing><name></name></thing>`, map[string]any{"name": ""}},
		{"references, CDATA, carriage returns", "<thing><name>&lt;&amp;&gt;&#233;&#xD;\r\n<![CDATA[<x>]]></name></thing>",
			map[string]any{"name": "<&>é\r\n<x>"}},
		{"a declaration, BOM, comments, instructions, white space", "\uFEFF" + decl + "\n<!-- c --><?pi x?>\n<thing><!-- c --><name>n</name></thing>\n<!-- c -->\n",
			map[string]any{"name": "n"}},
		{"declared UTF-8 in any case", `<?xml version="1.0" encoding="utf-8"?><thing><name>n</name></thing>`,
			map[string]any{"name": "n"}},
		{"namespaces and attributes are ignored", `<t:thing xmlns:t="urn:x" a="1"><t:name b="2">n</t:name></t:thing>`,
			map[string]any{"name": "n"}},
		{"an element the schema does not name is what it looks like", `<thing><name>n</name><child><x>1</x><y><z>2</z></y><x>3</x></child></thing>`,
			map[string]any{"name": "n", "child": map[string]any{"x": []any{"1", "3"}, "y": map[string]any{"z": "2"}}}},
		{"a text that is no number stays a string", `<thing><name>n</name><count>0x10</count><ratio>NaN</ratio><on>1</on></thing>`,
			map[string]any{"name": "n", "count": "0x10", "ratio": "NaN", "on": "1"}},
		{"a scalar with children is an object", `<thing><name><first>a</first></name></thing>`,
			map[string]any{"name": map[string]any{"first": "a"}}},
		{"nesting at the limit", nested(MaxXMLDepth), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, f := b.Decode([]byte(c.body))
			require.Nil(t, f, "%v", f)
			if c.want != nil {
				assert.Equal(t, c.want, v)
			}
		})
	}
}

func TestXMLDecodeRefusesWithARuleNamingWhy(t *testing.T) {
	b := thingXML(t)
	valid := `<thing><name>n</name></thing>`
	_, f := b.Decode([]byte(valid))
	require.Nil(t, f, "the refusals below are of bodies that differ from this valid one")

	atLimit := "<thing><name>" + strings.Repeat("a", MaxXMLBytes-len("<thing><name></name></thing>")) + "</name></thing>"
	require.Len(t, atLimit, MaxXMLBytes)
	_, f = b.Decode([]byte(atLimit))
	require.Nil(t, f, "a body of MaxXMLBytes is read")

	cases := []struct {
		name, body string
		want       Failure
	}{
		{"over the size limit by a byte", "<thing><name>a" + atLimit[len("<thing><name>"):], Failure{Kind: KindBody, Rule: "size"}},
		{"bytes that are not UTF-8", "<thing><name>\xe9</name></thing>", Failure{Kind: KindBody, Rule: "utf-8"}},
		{"UTF-16", "\xff\xfe<\x00t\x00/\x00>\x00", Failure{Kind: KindBody, Rule: "utf-8"}},
		{"another encoding declared", `<?xml version="1.0" encoding="ISO-8859-1"?><thing><name>n</name></thing>`, Failure{Kind: KindBody, Rule: "utf-8"}},
		{"billion laughs", billionLaughs, Failure{Kind: KindBody, Rule: "dtd"}},
		{"an external entity", `<?xml version="1.0"?><!DOCTYPE thing [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><thing><name>&xxe;</name></thing>`, Failure{Kind: KindBody, Rule: "dtd"}},
		{"a document type without entities", `<!DOCTYPE thing><thing><name>n</name></thing>`, Failure{Kind: KindBody, Rule: "dtd"}},
		{"a document type in a comment", `<!-- <!DOCTYPE thing> --><thing><name>n</name></thing>`, Failure{Kind: KindBody, Rule: "dtd"}},
		{"a document type in a CDATA section", `<thing><name><![CDATA[<!DOCTYPE]]></name></thing>`, Failure{Kind: KindBody, Rule: "dtd"}},
		{"another declaration", `<!ELEMENT thing ANY><thing><name>n</name></thing>`, Failure{Kind: KindBody, Rule: "dtd"}},
		{"an undeclared entity", `<thing><name>&lol;</name></thing>`, Failure{Kind: KindBody, Rule: "syntax"}},
		{"a reference to a character XML excludes", `<thing><name>&#0;</name></thing>`, Failure{Kind: KindBody, Rule: "syntax"}},
		{"an element not closed", `<thing><name>n</name>`, Failure{Kind: KindBody, Rule: "syntax"}},
		{"tags that do not match", `<thing><name>n</nom></thing>`, Failure{Kind: KindBody, Rule: "syntax"}},
		{"a second root", valid + `<thing/>`, Failure{Kind: KindBody, Rule: "syntax"}},
		{"text after the root", valid + `x`, Failure{Kind: KindBody, Rule: "syntax"}},
		{"text before the root", `x` + valid, Failure{Kind: KindBody, Rule: "syntax"}},
		{"no root", "  \n", Failure{Kind: KindBody, Rule: "syntax"}},
		{"JSON", `{"name": "n"}`, Failure{Kind: KindBody, Rule: "syntax"}},
		{"XML 1.1", `<?xml version="1.1"?>` + valid, Failure{Kind: KindBody, Rule: "syntax"}},
		{"nesting past the limit", nested(MaxXMLDepth + 1), Failure{Kind: KindBody, Rule: "depth"}},
		{"another root element", `<user><name>n</name></user>`, Failure{Kind: KindBody, Rule: "root"}},
		{"text in an object", `<thing>n</thing>`, Failure{Kind: KindBody, Rule: "type"}},
		{"text in an array", `<thing><name>n</name><tags>a</tags></thing>`, Failure{Kind: KindBody, Field: "/tags", Rule: "type"}},
		{"a property given twice", `<thing><name>n</name><name>m</name></thing>`, Failure{Kind: KindBody, Field: "/name", Rule: "repeated"}},
		{"an item of another name", `<thing><name>n</name><tags><tag>a</tag><label>b</label></tags></thing>`, Failure{Kind: KindBody, Field: "/tags/label", Rule: "unknown"}},
		{"a map's key given twice", `<thing><name>n</name><meta><entry><key>k</key><value>1</value></entry><entry><key>k</key><value>2</value></entry></meta></thing>`, Failure{Kind: KindBody, Field: "/meta/k", Rule: "repeated"}},
		{"a map's entry without a key", `<thing><name>n</name><meta><entry><value>1</value></entry></meta></thing>`, Failure{Kind: KindBody, Field: "/meta", Rule: "entry"}},
		{"a map's entry without a value", `<thing><name>n</name><meta><entry><key>k</key></entry></meta></thing>`, Failure{Kind: KindBody, Field: "/meta/k", Rule: "required"}},
		{"a map's child that is no entry", `<thing><name>n</name><meta><k>1</k></meta></thing>`, Failure{Kind: KindBody, Field: "/meta/k", Rule: "unknown"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, f := b.Decode([]byte(c.body))
			assert.Nil(t, v)
			require.NotNil(t, f)
			assert.Equal(t, c.want, *f)
			assert.NotContains(t, f.Message(), "lol", "a message never echoes the body")
		})
	}
}

// A document type naming an external DTD is refused unread: nothing is fetched.
func TestXMLDecodeFetchesNothing(t *testing.T) {
	var fetched atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetched.Add(1)
		_, _ = io.WriteString(w, `<!ENTITY x "fetched">`)
	}))
	defer srv.Close()
	b := thingXML(t)
	for _, body := range []string{
		`<!DOCTYPE thing SYSTEM "` + srv.URL + `/x.dtd"><thing><name>n</name></thing>`,
		`<!DOCTYPE thing [<!ENTITY % p SYSTEM "` + srv.URL + `/p.dtd"> %p;]><thing><name>&x;</name></thing>`,
		`<!DOCTYPE thing [<!ENTITY x SYSTEM "` + srv.URL + `/x">]><thing><name>&x;</name></thing>`,
	} {
		_, f := b.Decode([]byte(body))
		require.NotNil(t, f)
		assert.Equal(t, "dtd", f.Rule)
	}
	assert.Zero(t, fetched.Load())
}

// An entity-expansion body is refused at the document type, before a single entity is read: by a
// search, with one allocation, whatever the entities would expand to (BenchmarkXMLDecode times it).
func TestXMLDecodeRefusesEntityExpansionCheaply(t *testing.T) {
	b := thingXML(t)
	body := []byte(billionLaughs)
	allocs := testing.AllocsPerRun(20, func() {
		if _, f := b.Decode(body); f == nil || f.Rule != "dtd" {
			t.Fatal("billion laughs was not refused as a document type")
		}
	})
	assert.LessOrEqual(t, allocs, 1.0, "the Failure alone")
}

// An XML body reaches validation as the value its JSON form decodes to, so both forms break the
// same rule at the same place: JSON through kin-openapi's request validation, XML read once by this
// package's decoder and checked against the same schema (compiled, for a flat object that allows more
// properties, as Bundeling's requests are).
func TestXMLAndJSONBodiesAreValidatedAlike(t *testing.T) {
	op := shapesSpec(t).Operation("putThing")
	validate := func(contentType, body string) *Failure {
		r := httptest.NewRequest(http.MethodPost, "/things", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		return op.ValidateRequest(context.Background(), &Input{Request: r, Query: r.URL.Query(), Body: []byte(body)})
	}
	cases := []struct {
		name, json, xml string
		want            *Failure
	}{
		{"valid", `{"name": "n", "count": 3, "tags": ["a"], "sizes": [1], "on": true, "meta": {"k": "v"}}`,
			`<thing><name>n</name><count>3</count><tags><tag>a</tag></tags><size>1</size><on>true</on><meta><entry><key>k</key><value>v</value></entry></meta></thing>`, nil},
		{"required", `{"count": 3}`, `<thing><count>3</count></thing>`, &Failure{Kind: KindBody, Field: "/name", Rule: "required"}},
		{"type", `{"name": "n", "count": "three"}`, `<thing><name>n</name><count>three</count></thing>`, &Failure{Kind: KindBody, Field: "/count", Rule: "type"}},
		{"an integer that is not one", `{"name": "n", "count": 1.5}`, `<thing><name>n</name><count>1.5</count></thing>`, &Failure{Kind: KindBody, Field: "/count", Rule: "type"}},
		{"minimum", `{"name": "n", "count": -1}`, `<thing><name>n</name><count>-1</count></thing>`, &Failure{Kind: KindBody, Field: "/count", Rule: "minimum"}},
		{"a boolean", `{"name": "n", "on": "yes"}`, `<thing><name>n</name><on>yes</on></thing>`, &Failure{Kind: KindBody, Field: "/on", Rule: "type"}},
		{"unknown", `{"name": "n", "colour": "red"}`, `<thing><name>n</name><colour>red</colour></thing>`, &Failure{Kind: KindBody, Field: "/colour", Rule: "unknown"}},
		{"an object for a string", `{"name": {"first": "a"}}`, `<thing><name><first>a</first></name></thing>`, &Failure{Kind: KindBody, Field: "/name", Rule: "type"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, validate("application/json", c.json), "JSON")
			assert.Equal(t, c.want, validate("application/xml; charset=utf-8", c.xml), "XML")
		})
	}
	f := validate("application/xml", billionLaughs)
	require.NotNil(t, f)
	assert.Equal(t, Failure{Kind: KindBody, Rule: "dtd"}, *f, "a body the decoder refuses is its Failure")
	assert.Equal(t, "The XML body declares a document type or entities, which are not accepted", f.Message())
}

func TestFlatXMLBodiesAreCheckedAsKinOpenAPIChecksThem(t *testing.T) {
	op := MustLoad("bundeling").Operation("createUserIdentity")
	require.NotNil(t, op.xmlCheck, "a flat object that allows more properties is compiled")
	validate := func(contentType, body string) (*Input, *Failure) {
		r := httptest.NewRequest(http.MethodPost, "/V2/user_identity", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		in := &Input{Request: r, Query: r.URL.Query(), Body: []byte(body)}
		return in, op.ValidateRequest(context.Background(), in)
	}
	long := strings.Repeat("a", 1025)
	for _, c := range []struct {
		name, json, xml string
		want            *Failure
	}{
		{"valid", `{"token": "t", "more": 1}`, `<user_identity><token>t</token><more>1</more></user_identity>`, nil},
		{"required", `{}`, `<user_identity/>`, &Failure{Kind: KindBody, Field: "/token", Rule: "required"}},
		{"minLength", `{"token": ""}`, `<user_identity><token></token></user_identity>`, &Failure{Kind: KindBody, Field: "/token", Rule: "minLength"}},
		{"maxLength", `{"token": "` + long + `"}`, `<user_identity><token>` + long + `</token></user_identity>`, &Failure{Kind: KindBody, Field: "/token", Rule: "maxLength"}},
	} {
		_, f := validate("application/json", c.json)
		assert.Equal(t, c.want, f, "%s: JSON", c.name)
		in, f := validate("application/xml", c.xml)
		assert.Equal(t, c.want, f, "%s: XML", c.name)
		if c.want == nil {
			assert.Equal(t, map[string]any{"token": "t", "more": "1"}, in.XML, "read once, for the handler")
		}
	}
}

func TestXMLResponsesAreValidated(t *testing.T) {
	op := shapesSpec(t).Operation("putThing")
	r := httptest.NewRequest(http.MethodPost, "/things", nil)
	h := http.Header{"Content-Type": {"application/xml; charset=utf-8"}}
	assert.Nil(t, op.ValidateResponse(context.Background(), r, nil, 200, h, []byte(decl+`<thing><name>n</name></thing>`)))
	f := op.ValidateResponse(context.Background(), r, nil, 200, h, []byte(decl+`<thing><count>1</count></thing>`))
	require.NotNil(t, f)
	assert.Equal(t, Failure{Kind: KindInternal, Field: "/name", Rule: "required"}, *f)
	f = op.ValidateResponse(context.Background(), r, nil, 200, h, []byte(`<thing><name>n</name>`))
	require.NotNil(t, f)
	assert.Equal(t, Failure{Kind: KindInternal, Rule: "syntax"}, *f, "a response the decoder refuses is the mock's bug")
}

func TestXMLAppendWritesTheMapping(t *testing.T) {
	b := thingXML(t)
	v := map[string]any{
		"name": "a<b>&c\r\n\t\x00\x1f\ufffe\xff", "count": 3.0, "ratio": json.Number("1.25"), "on": false,
		"tags": []any{"x"}, "sizes": []any{1.0, 2.0}, "meta": map[string]any{"z": "1", "a b": "2"}, "renamed": "r",
		"child": map[string]any{"depth": 1e21, "extra": map[string]any{"k": []any{"1", "2"}}},
	}
	out, err := b.Append([]byte("prefix:"), v)
	require.NoError(t, err)
	assert.Equal(t, "prefix:"+decl+"<thing>"+
		"<child><depth>1e+21</depth><extra><k>1</k><k>2</k></extra></child>"+
		"<count>3</count>"+
		"<meta><entry><key>a b</key><value>2</value></entry><entry><key>z</key><value>1</value></entry></meta>"+
		"<name>a&lt;b&gt;&amp;c&#xD;\n\t\ufffd\ufffd\ufffd\ufffd</name><on>false</on><ratio>1.25</ratio><alias>r</alias>"+
		"<size>1</size><size>2</size><tags><tag>x</tag></tags></thing>", string(out))

	for name, bad := range map[string]map[string]any{
		"null":                      {"name": nil},
		"a key the schema closes":   {"name": "n", "colour": "red"},
		"a string for an object":    {"name": "n", "child": "c"},
		"an object for a scalar":    {"name": map[string]any{}},
		"a scalar for an array":     {"name": "n", "tags": "x"},
		"a key that is no XML name": {"name": "n", "child": map[string]any{"a b": "c"}},
		"a Go value":                {"name": struct{}{}},
	} {
		_, err := b.Append(nil, bad)
		assert.Error(t, err, name)
	}
}

// AppendJSON writes a JSON text as it reads it: in the text's order, every string escape read as
// JSON means it (a lone half of a surrogate pair as U+FFFD), numbers and booleans as written.
func TestXMLAppendJSONReadsTheTextAsItWrites(t *testing.T) {
	b := thingXML(t)
	text := `{ "tags" : ["x"], "name":"a\u003cb\ud83d\ude00\ud800x\"\\\/\b\f\n\r\t\u00e9", "count":3, "ratio":-2.5e-3, "on":true,` +
		`"child":{"depth":1,"extra":{"k":[1,"2"]}}, "meta":{"z":"1","a":"2"}, "sizes":[]}`
	out, err := b.AppendJSON(nil, []byte(text))
	require.NoError(t, err)
	assert.Equal(t, decl+"<thing><tags><tag>x</tag></tags>"+
		"<name>a&lt;b\U0001F600\ufffdx\"\\/\ufffd\ufffd\n&#xD;\t\u00e9</name><count>3</count><ratio>-2.5e-3</ratio><on>true</on>"+
		"<child><depth>1</depth><extra><k>1</k><k>2</k></extra></child>"+
		"<meta><entry><key>z</key><value>1</value></entry><entry><key>a</key><value>2</value></entry></meta></thing>", string(out))

	for _, bad := range []string{``, `[]`, `{"name":"x"`, `{"name":"x}`, `{"name":"x\u12"}`, `{"name":"x\q"}`, "{\"name\":\"\x01\"}",
		`{"name":01}`, `{"name":nul}`, `{"name":null}`, `{"name":{}}`, `{"name":"x","count":}`, `{"name":"x","tags":[null]}`,
		`{"name":"x","tags":["a"`, `{"name":"x","meta":{"k":"v"`, `{"name":"x","child":{"a b":1}}`, `{"name":"x","colour":"red"}`} {
		_, err := b.AppendJSON(nil, []byte(bad))
		assert.Error(t, err, bad)
	}
}

// Parse refuses a spec whose XML body has no XML form here, naming where.
func TestParseRefusesXMLBodiesWithoutAnXMLForm(t *testing.T) {
	parse := func(schema string) error {
		_, err := Parse("t", []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    post:
      operationId: a
      requestBody: {content: {application/xml: {schema: `+schema+`}}}
      responses: {'204': {description: ok}}
`))
		return err
	}
	require.NoError(t, parse(`{type: object, xml: {name: r}, properties: {a: {type: string}}}`))
	require.NoError(t, parse(`{type: array, xml: {name: list}, items: {type: string}}`), "a root array is wrapped")
	for props, want := range map[string]string{
		`a: {type: string, nullable: true}`: "/a: nullable",
		`a: {allOf: [{type: string}]}`:      "/a: allOf",
		`a: {type: object, properties: {b: {type: string}}, additionalProperties: {type: string}}`: "/a: properties beside",
		`a: {type: string}, b: {type: string, xml: {name: a}}`:                                     "both the element a",
		`'a b': {type: string}`: "not an XML name",
		`a: {type: array, items: {type: string, xml: {name: '-'}}}`: "not an XML name",
	} {
		assert.ErrorContains(t, parse(`{type: object, xml: {name: r}, properties: {`+props+`}}`), want, props)
	}
	assert.ErrorContains(t, parse(`{type: object, properties: {a: {type: string}}}`), "give the body schema an xml.name")
	assert.ErrorContains(t, parse(`{type: object, xml: {name: '1x'}}`), "give the body schema an xml.name")
}

// The decoder is registered where none is; one a program registered first is left as it is.
func TestXMLDecoderIsRegisteredOnlyWhereNoneIs(t *testing.T) {
	shapesSpec(t)
	require.NotNil(t, openapi3filter.RegisteredBodyDecoder(XMLMediaType), "loading a spec with XML registers the decoder")
	assert.False(t, registerXMLDecoder(), "a registered decoder is kept")

	theirs := func(io.Reader, http.Header, *openapi3.SchemaRef, openapi3filter.EncodingFn) (any, error) {
		return "theirs", nil
	}
	openapi3filter.RegisterBodyDecoder(XMLMediaType, theirs)
	defer func() {
		openapi3filter.UnregisterBodyDecoder(XMLMediaType)
		require.True(t, registerXMLDecoder())
	}()
	assert.False(t, registerXMLDecoder())
	got, err := openapi3filter.RegisteredBodyDecoder(XMLMediaType)(strings.NewReader("<x/>"), nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "theirs", got, "a program's own decoder is not replaced")

	openapi3filter.UnregisterBodyDecoder(XMLMediaType)
	assert.True(t, registerXMLDecoder(), "with none registered, this package's is")
}

func TestOperationsFindTheirXMLBodies(t *testing.T) {
	s := MustLoad("bundeling")
	op := s.Operation("createUserIdentity")
	require.NotNil(t, op.RequestXML())
	assert.Equal(t, "user_identity", op.RequestXML().Root())
	assert.Equal(t, "user_identity", op.ResponseXML(200).Root())
	assert.Equal(t, "response", op.ResponseXML(400).Root())
	assert.Nil(t, op.ResponseXML(406), "a 406 is JSON: the client takes no XML")
	assert.Nil(t, op.ResponseXML(418), "an undocumented status has no body")
	assert.Nil(t, s.Operation("getUser").RequestXML(), "a GET takes no body")
	assert.Equal(t, "users", s.Operation("listUsers").ResponseXML(200).Root())

	for _, op := range s.Operations() {
		assert.True(t, op.AnswersXML(), "%s answers in JSON or XML", op.ID)
	}
	for _, op := range MustLoad("rambase").Operations() {
		assert.False(t, op.AnswersXML(), "%s answers JSON only", op.ID)
	}
	assert.Equal(t, "response", s.SchemaXML("ErrorResponse").Root(), "an error outside every operation")
	assert.Nil(t, s.SchemaXML("Uuid"), "a schema without an xml.name is no document")
	assert.Nil(t, s.SchemaXML("NoSuchSchema"))
}

func TestJSONNumberGrammar(t *testing.T) {
	for _, s := range []string{"0", "-0", "7", "-12", "1.5", "0.25", "1e3", "1E+3", "2.5e-3"} {
		assert.True(t, jsonNumber([]byte(s)), s)
	}
	for _, s := range []string{"", "-", "+1", "01", "1.", ".5", "1e", "1e+", "0x10", "NaN", "Inf", "1_000", "1 2", "--1"} {
		assert.False(t, jsonNumber([]byte(s)), s)
	}
}

func FuzzXMLDecode(f *testing.F) {
	for _, seed := range []string{
		`<thing><name>n</name></thing>`,
		`<thing><name>n</name><count>3</count><ratio>1.5</ratio><on>true</on><tags><tag>a</tag></tags><size>1</size><size>2</size><meta><entry><key>k</key><value>v</value></entry></meta><alias>r</alias><child><depth>1</depth><next><x>y</x></next></child></thing>`,
		billionLaughs, nested(MaxXMLDepth + 1), "<thing><name>&#xD;&amp;<![CDATA[]]>]]&gt;</name></thing>",
		`<?xml version="1.0" encoding="latin1"?><thing/>`, "\uFEFF<thing><name/></thing>",
	} {
		f.Add([]byte(seed))
	}
	b := thingXML(f)
	schema := shapesSpec(f).doc.Components.Schemas["Thing"].Value
	rules := map[string]bool{"size": true, "utf-8": true, "dtd": true, "syntax": true, "depth": true, "root": true,
		"type": true, "unknown": true, "repeated": true, "entry": true, "required": true}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, fail := b.Decode(body)
		if fail != nil {
			if fail.Kind != KindBody || !rules[fail.Rule] {
				t.Fatalf("refused as %+v", fail)
			}
			return
		}
		if schema.VisitJSON(v) != nil {
			return // a body validation refuses need not be written back
		}
		out, err := b.Append(nil, v)
		if err != nil {
			return // an element of an open object whose name this mapping does not write
		}
		again, fail := b.Decode(out)
		if fail != nil {
			t.Fatalf("written %q, refused as %v", out, fail)
		}
		assert.Equal(t, v, again, "decoded, written and decoded again: %q", out)
	})
}

// Whatever the text, AppendJSON answers an error or a document that reads back as the value the
// text holds does.
func FuzzXMLAppendJSON(f *testing.F) {
	for _, seed := range []string{`{"name":"n"}`, `{"name":"a\ud800","tags":["x"],"meta":{"k":"v"},"child":{"next":{"depth":1}}}`,
		`{"name":"n","count":1e400}`, `{"name":"n"`, `{`, `"`, `{"name":"\u`} {
		f.Add([]byte(seed))
	}
	b := thingXML(f)
	f.Fuzz(func(t *testing.T, text []byte) {
		out, err := b.AppendJSON(nil, text)
		if err != nil {
			return
		}
		var want any
		if json.Unmarshal(text, &want) != nil {
			return // a text with a misplaced separator, read leniently
		}
		got, fail := b.Decode(out)
		if fail != nil {
			t.Fatalf("%q written as %q, refused as %v", text, out, fail)
		}
		wantXML, err := b.Append(nil, want)
		require.NoError(t, err, "%q", text)
		again, fail := b.Decode(wantXML)
		require.Nil(t, fail)
		assert.Equal(t, again, got, "%q", text)
	})
}

// BenchmarkXMLDecode times a valid user_identity request and an entity-expansion body, which is
// refused at its document type.
func BenchmarkXMLDecode(b *testing.B) {
	op := MustLoad("bundeling").Operation("createUserIdentity")
	body := op.RequestXML()
	valid := []byte(decl + `<user_identity><token>` + strings.Repeat("a2", 64) + `</token></user_identity>`)
	for name, doc := range map[string][]byte{"valid": valid, "billion-laughs": []byte(billionLaughs)} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				_, _ = body.Decode(doc)
			}
		})
	}
}

// BenchmarkXMLUser times writing a user's JSON text as XML, as an answer is written, and reading it
// back: the largest body of Bundeling's spec.
func BenchmarkXMLUser(b *testing.B) {
	body := MustLoad("bundeling").Operation("getUser").ResponseXML(200)
	user := sampleValue(b, MustLoad("bundeling").Operation("getUser").route.Operation.Responses.Status(200).Value.Content[XMLMediaType].Schema.Value, 2)
	doc, err := body.Append(nil, user)
	require.NoError(b, err)
	text, err := json.Marshal(user)
	require.NoError(b, err)
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(text)))
		buf := make([]byte, 0, 4096)
		for b.Loop() {
			buf, _ = body.AppendJSON(buf[:0], text)
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			_, _ = body.Decode(doc)
		}
	})
}
