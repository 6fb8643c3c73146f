package apihttp_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/openapi"
)

// gadgets is an API of the tests' own that answers in JSON and XML, as Bundeling's does: one
// secured operation that takes a body in either, errors in either.
const gadgets = `openapi: 3.0.3
info: {title: gadgets, version: "1"}
security: [{key: []}]
paths:
  /gadgets:
    post:
      operationId: createGadget
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/Gadget'}}
          application/xml: {schema: {$ref: '#/components/schemas/Gadget'}}
      responses:
        '201':
          description: ok
          content:
            application/json: {schema: {$ref: '#/components/schemas/Gadget'}}
            application/xml: {schema: {$ref: '#/components/schemas/Gadget'}}
        '406': {description: neither, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        default:
          description: error
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
            application/xml: {schema: {$ref: '#/components/schemas/Error'}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: Key}
  schemas:
    Gadget:
      type: object
      required: [name, parts]
      additionalProperties: false
      xml: {name: gadget}
      properties:
        name: {type: string, minLength: 1}
        size: {type: integer}
        parts: {type: array, xml: {wrapped: true}, items: {type: string, xml: {name: part}}}
    Error:
      type: object
      required: [error]
      xml: {name: error}
      properties:
        error: {type: string}
`

type gadget struct {
	Name  string   `json:"name"`
	Size  int      `json:"size,omitempty"`
	Parts []string `json:"parts"`
}

// newGadgets serves gadgets: createGadget reads its body, either form, and answers it back;
// errors are {error} in either form, a request that reached no operation's too.
func newGadgets(t *testing.T) http.Handler {
	t.Helper()
	spec, err := openapi.Parse("gadgets", []byte(gadgets))
	require.NoError(t, err)
	errorXML := spec.SchemaXML("Error")
	require.NotNil(t, errorXML)
	create := apihttp.Flow(func(r *http.Request) (int, any, error) {
		var g gadget
		if err := apihttp.DecodeBody(r, &g); err != nil {
			return 0, nil, err
		}
		g.Size++
		return http.StatusCreated, apihttp.Negotiated{Value: g}, nil
	})
	errs := apihttp.Errors{
		Failure: func(_ *http.Request, f *openapi.Failure) apihttp.Error {
			return apihttp.Error{Status: apihttp.Status(f.Kind), Body: map[string]string{"error": f.Error()}}
		},
		Write: func(w http.ResponseWriter, r *http.Request, e apihttp.Error) {
			apihttp.Negotiated{Value: e.Body, Fallback: errorXML}.WriteBody(w, r, e.Status)
		},
	}
	auth := func(r *http.Request, _ *openapi.Operation) (any, *openapi.Failure) {
		if r.Header.Get("Key") != "k" {
			return nil, &openapi.Failure{Kind: openapi.KindAuth, Field: "Key", Rule: "invalid"}
		}
		return nil, nil
	}
	h, err := apihttp.New(apihttp.API{Spec: spec, Operations: map[string]http.Handler{"createGadget": create}, Authenticate: auth, Errors: errs},
		apihttp.Options{Logger: slog.New(slog.DiscardHandler), Responses: apihttp.EveryResponse})
	require.NoError(t, err)
	return h
}

func post(h http.Handler, target, key, accept, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	for name, v := range map[string]string{"Key": key, "Accept": accept, "Content-Type": contentType} {
		if v != "" {
			req.Header.Set(name, v)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

const (
	xmlType  = "application/xml; charset=utf-8"
	decl     = `<?xml version="1.0" encoding="UTF-8"?>`
	gadgetIn = `{"name": "g", "size": 1, "parts": ["a"]}`
)

// One value answers in JSON or XML as Accept asks, a request body is read as its Content-Type says,
// and both forms carry the same values.
func TestAnOperationOfJSONAndXMLAnswersAsAcceptAsks(t *testing.T) {
	h := newGadgets(t)
	rec := post(h, "/gadgets", "k", "", "application/json", gadgetIn)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"name": "g", "size": 2, "parts": ["a"]}`, rec.Body.String())

	rec = post(h, "/gadgets", "k", "application/xml", "application/json", gadgetIn)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Equal(t, xmlType, rec.Header().Get("Content-Type"))
	assert.Equal(t, decl+`<gadget><name>g</name><size>2</size><parts><part>a</part></parts></gadget>`, rec.Body.String())

	xmlIn := `<gadget><parts><part>a</part><part>b</part></parts><name>g</name><size>1</size></gadget>`
	rec = post(h, "/gadgets", "k", "*/*", "application/xml", xmlIn)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"), "*/* is JSON")
	assert.JSONEq(t, `{"name": "g", "size": 2, "parts": ["a", "b"]}`, rec.Body.String(), "an XML body reads as its JSON form")

	rec = post(h, "/gadgets", "k", "application/xml", "application/xml; charset=utf-8", `<gadget><name>g</name><parts/></gadget>`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Equal(t, decl+`<gadget><name>g</name><size>1</size><parts></parts></gadget>`, rec.Body.String(), "an empty array stays one")
}

// An Accept that takes neither form is 406, in JSON, in the API's shape; credentials are judged first.
func TestAnAcceptOfNeitherFormIs406AfterTheCredentials(t *testing.T) {
	h := newGadgets(t)
	rec := post(h, "/gadgets", "k", "application/json", "application/json", gadgetIn)
	require.Equal(t, http.StatusCreated, rec.Code, "the positive first")

	rec = post(h, "/gadgets", "k", "text/html", "application/json", `{`)
	assert.Equal(t, http.StatusNotAcceptable, rec.Code, "before the body")
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"error": "not-acceptable application/json or application/xml: accept"}`, rec.Body.String())

	rec = post(h, "/gadgets", "wrong", "text/html", "application/json", gadgetIn)
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "after the credentials")
}

// Every error is in the form asked for: a refused credential, a body that breaks the schema, and
// each class of refused XML, each a 4xx in the API's shape in XML, never a 5xx.
func TestErrorsAreInTheFormAskedFor(t *testing.T) {
	h := newGadgets(t)
	deep := "<gadget><name>" + strings.Repeat("<x>", 40) + strings.Repeat("</x>", 40) + "</name><parts/></gadget>"
	for _, c := range []struct {
		name, key, contentType, body string
		want                         int
		rule                         string
	}{
		{"a clean request", "k", "application/xml", `<gadget><name>g</name><parts/></gadget>`, 201, ""},
		{"no key", "", "application/xml", `<gadget><name>g</name><parts/></gadget>`, 401, "auth Authorization: required"},
		{"a wrong key", "wrong", "application/xml", `<gadget><name>g</name><parts/></gadget>`, 401, "auth Key: invalid"},
		{"a field the schema lacks", "k", "application/xml", `<gadget><name>g</name><parts/><colour>red</colour></gadget>`, 400, "body /colour: unknown"},
		{"an empty name", "k", "application/xml", `<gadget><name></name><parts/></gadget>`, 400, "body /name: minLength"},
		{"a DTD", "k", "application/xml", `<!DOCTYPE gadget [<!ENTITY n "g">]><gadget><name>&n;</name><parts/></gadget>`, 400, "body: dtd"},
		{"an external entity", "k", "application/xml", `<!DOCTYPE gadget [<!ENTITY n SYSTEM "file:///etc/passwd">]><gadget><name>&n;</name><parts/></gadget>`, 400, "body: dtd"},
		{"an undeclared entity", "k", "application/xml", `<gadget><name>&n;</name><parts/></gadget>`, 400, "body: syntax"},
		{"not well-formed", "k", "application/xml", `<gadget><name>g</name><parts/>`, 400, "body: syntax"},
		{"not UTF-8", "k", "application/xml", "<gadget><name>\xff</name><parts/></gadget>", 400, "body: utf-8"},
		{"another encoding declared", "k", "application/xml", `<?xml version="1.0" encoding="ISO-8859-1"?><gadget><name>g</name><parts/></gadget>`, 400, "body: utf-8"},
		{"too deep", "k", "application/xml", deep, 400, "body: depth"},
		{"another root", "k", "application/xml", `<widget><name>g</name><parts/></widget>`, 400, "body: root"},
		{"JSON sent as XML", "k", "application/xml", gadgetIn, 400, "body: syntax"},
		{"over 1 MiB", "k", "application/xml", "<gadget><name>" + strings.Repeat("g", 1<<20) + "</name><parts/></gadget>", 413, "too-large: max-bytes"},
		{"another media type", "k", "text/xml", `<gadget><name>g</name><parts/></gadget>`, 415, "media-type Content-Type: content-type"},
	} {
		rec := post(h, "/gadgets", c.key, "application/xml", c.contentType, c.body)
		require.Equal(t, c.want, rec.Code, "%s: %s", c.name, rec.Body.String())
		assert.Equal(t, xmlType, rec.Header().Get("Content-Type"), c.name)
		if c.rule != "" {
			assert.Equal(t, decl+"<error><error>"+c.rule+"</error></error>", rec.Body.String(), c.name)
		}
	}
}

// Billion laughs is refused at its document type, unexpanded: in well under a millisecond.
func TestEntityExpansionIsRefusedAtOnce(t *testing.T) {
	h := newGadgets(t)
	laughs := `<?xml version="1.0"?><!DOCTYPE gadget [<!ENTITY a "lol">` +
		`<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">` +
		`<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">` +
		`<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">` +
		`<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>` +
		`<gadget><name>&i;</name><parts/></gadget>`
	post(h, "/gadgets", "k", "application/xml", "application/xml", laughs) // warm
	start := time.Now()
	rec := post(h, "/gadgets", "k", "application/xml", "application/xml", laughs)
	took := time.Since(start)
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Equal(t, decl+"<error><error>body: dtd</error></error>", rec.Body.String())
	assert.Less(t, took, 50*time.Millisecond, "generous for -race on a loaded machine; it takes microseconds")
}

// A request that reaches no operation is answered in XML when it asks for XML, by the API's fallback;
// in JSON otherwise.
func TestAnswersOutsideEveryOperationFollowAccept(t *testing.T) {
	h := newGadgets(t)
	rec := post(h, "/nothing", "k", "application/xml", "", "")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, xmlType, rec.Header().Get("Content-Type"))
	assert.Equal(t, decl+"<error><error>not-found: path</error></error>", rec.Body.String())

	rec = post(h, "/nothing", "k", "", "", "")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
}

// An API of JSON only never reads Accept: whatever it asks, the answer is the operation's JSON.
func TestAnAPIOfJSONOnlyIgnoresAccept(t *testing.T) {
	for _, accept := range []string{"", "application/xml", "text/html"} {
		req := httptest.NewRequest(http.MethodGet, "/widgets/w1", nil)
		req.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		newAPI(t, created).ServeHTTP(rec, req)
		assert.Equal(t, http.StatusOK, rec.Code, accept)
		var body map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), accept)
		assert.Equal(t, "w1", body["name"])
	}
}
