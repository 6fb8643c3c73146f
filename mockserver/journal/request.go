package journal

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/openapi"
)

// Request is one request as the journal shows it: what was sent, every value by its shape, and what
// it got.
type Request struct {
	ID        uint64    `json:"id"`
	At        time.Time `json:"at"`            // on the mock's clock
	API       string    `json:"api,omitempty"` // empty for a path no API serves
	Operation string    `json:"operation,omitempty"`
	Method    string    `json:"method"`
	// Path is the request target as sent, with each query parameter's value by its shape
	// (/rambase/id-verification?id_verification_token=<jwt, 312 chars>).
	Path string `json:"path"`
	// Headers are the credentials sent (Authorization, an API key), by shape, and the Content-Type.
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the body's shape: its JSON or form fields, each value by its shape; a string saying
	// what it was when it is neither.
	Body      any        `json:"body,omitempty"`
	Status    int        `json:"status"`
	Violation *Violation `json:"violation,omitempty"`
}

// Line is the request line, the query's values by shape: "GET /rambase/id-verification?...".
func (r Request) Line() string { return r.Method + " " + r.Path }

// Violation is how a request broke the contract.
type Violation struct {
	// Pointer is where in the request, as a JSON pointer: /body/email, /query/page,
	// /header/Authorization, /header/Content-Type, /path (no such path), /method.
	Pointer string `json:"pointer"`
	// Rule is the rule broken: a JSON Schema keyword (required, enum, pattern, ...), unknown (a
	// field the spec does not have), syntax, content-type, max-bytes, path, method.
	Rule string `json:"rule"`
	// Reason says it as a developer fixes it: "POST /v1/auth/login: body.email is required".
	Reason string `json:"reason"`
	// Spec is where the operation is in its spec ("rambase.yaml#/paths/~1oauth2~1access_token/post").
	Spec string `json:"spec,omitempty"`
}

// request renders an entry.
func (e *entry) request() Request {
	r := Request{ID: e.id, At: e.at, API: e.api, Method: e.method, Path: e.path(), Status: e.status, Headers: e.headers(), Body: e.bodyShape()}
	if e.op != nil {
		r.Operation = e.op.ID
	}
	if e.violation {
		r.Violation = e.violationOf(r)
	}
	return r
}

func (e *entry) violationOf(r Request) *Violation {
	f := &e.fail
	v := &Violation{Pointer: f.Pointer(e.op), Rule: f.Rule}
	if e.op != nil {
		v.Reason, v.Spec = e.op.Route()+": "+e.op.Explain(f, e.ctype), e.op.Location()
		return v
	}
	path, _, _ := strings.Cut(r.Path, "?")
	switch f.Kind {
	case openapi.KindNotFound:
		v.Reason = "no API is served at this path"
		if e.api != "" {
			v.Reason, v.Spec = "the "+e.api+" spec has no such path", e.api+".yaml#/paths"
		}
	case openapi.KindMethod:
		v.Reason, v.Spec = "the "+e.api+" spec has no "+e.method+" operation at this path; it has "+f.Field, e.api+".yaml#/paths"
	case openapi.KindHeaderTooLarge:
		v.Reason = "the request line and headers are larger than the mock accepts"
	default:
		v.Reason = f.Message()
	}
	v.Reason = e.method + " " + path + ": " + v.Reason
	return v
}

// path is the target as sent, with the query's values by shape.
func (e *entry) path() string {
	path, query, hasQuery := strings.Cut(e.target, "?")
	if !hasQuery {
		return path
	}
	var b strings.Builder
	b.WriteString(path)
	for i, pair := range strings.Split(query, "&") {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		name, value, hasValue := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(name)
		if err != nil || !hasValue || !isName(name) {
			// A pair with no name the journal can show, or no value (a token sent as the whole
			// pair), is all value.
			b.WriteString(shapeEscaped(pair))
			continue
		}
		b.WriteString(name + "=" + shapeEscaped(value))
	}
	return b.String()
}

// shapeEscaped is the shape of a query value as it is once unescaped.
func shapeEscaped(v string) string {
	u, err := url.QueryUnescape(v)
	if err != nil {
		return "<" + count(len(v), "byte") + ", malformed %-escape>"
	}
	return Shape(u)
}

// isName reports whether a query parameter's or a field's name is one the journal shows as it is:
// short, and of the characters names are made of. Anything else may be a value sent in its place.
func isName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_-.$[]", c) >= 0) {
			return false
		}
	}
	return true
}

// headers are the credentials, by shape, and the Content-Type, as sent.
func (e *entry) headers() map[string]string {
	h := map[string]string{}
	switch {
	case e.dropped&droppedAuth != 0:
		h["Authorization"] = "<too long to keep>"
	case e.auth != "" && e.op != nil:
		h["Authorization"] = CredentialShape(e.auth, e.op.HTTPSchemes()...)
	case e.auth != "":
		h["Authorization"] = CredentialShape(e.auth)
	}
	if e.op != nil {
		for i, name := range e.op.KeyHeaders() {
			switch {
			case i >= len(e.keys):
			case e.dropped&droppedKeys != 0 && e.keys[i] == "":
				h[name] = "<too long to keep, or none>"
			case e.keys[i] != "":
				h[name] = Shape(e.keys[i])
			}
		}
	}
	switch {
	case e.dropped&droppedContentType != 0:
		h["Content-Type"] = "<too long to keep>"
	case e.ctype != "":
		h["Content-Type"] = e.ctype
	}
	if len(h) == 0 {
		return nil
	}
	return h
}

// bodyShape is the body with every value by its shape: a JSON body's structure, a form's fields, or
// for any other body what it was.
func (e *entry) bodyShape() any {
	mt := openapi.MediaType(e.ctype)
	switch {
	case e.bodyLen == 0:
		return nil
	case e.dropped&droppedBody != 0:
		return "<" + count(e.bodyLen, "byte") + ", too large to keep>"
	case mt == "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(e.body))
		if err != nil {
			return "<" + count(e.bodyLen, "byte") + ", not a valid form>"
		}
		fields := map[string]any{}
		for name, values := range form {
			if !isName(name) {
				name = "<a field named " + Shape(name) + ">"
			}
			fields[name] = valuesShape(values)
		}
		return fields
	case strings.HasSuffix(mt, "json") || mt == "":
		dec := json.NewDecoder(bytes.NewReader(e.body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil || dec.More() {
			return "<" + count(e.bodyLen, "byte") + ", not valid JSON>"
		}
		if _, object := v.(map[string]any); !object {
			return "<json " + describe(v) + ">"
		}
		return jsonShape(v, 0)
	}
	return "<" + count(e.bodyLen, "byte") + " of " + mt + ">"
}

// describe says what a JSON value that is not an object is: "array of 3 items", "string <6 digits>".
func describe(v any) string {
	switch v := v.(type) {
	case []any:
		return "array of " + count(len(v), "item")
	case string:
		return "string " + Shape(v)
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

func valuesShape(values []string) any {
	if len(values) == 1 {
		return Shape(values[0])
	}
	shapes := make([]any, len(values))
	for i, v := range values {
		shapes[i] = Shape(v)
	}
	return shapes
}

// maxDepth and maxItems bound how much of a JSON body's structure is shown.
const (
	maxDepth = 8
	maxItems = 10
)

// jsonShape is a decoded JSON value with every string, number and boolean by its shape, null as it
// is.
func jsonShape(v any, depth int) any {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return Shape(v)
	case json.Number:
		return "<number>"
	case bool:
		return "<boolean>"
	case []any:
		if depth >= maxDepth {
			return "<array of " + count(len(v), "item") + ">"
		}
		out := make([]any, 0, min(len(v), maxItems+1))
		for i, item := range v {
			if i == maxItems {
				out = append(out, "<"+strconv.Itoa(len(v)-maxItems)+" more>")
				break
			}
			out = append(out, jsonShape(item, depth+1))
		}
		return out
	case map[string]any:
		if depth >= maxDepth {
			return "<object of " + count(len(v), "field") + ">"
		}
		out := make(map[string]any, len(v))
		for k, item := range v {
			if !isName(k) {
				k = "<a field named " + Shape(k) + ">"
			}
			out[k] = jsonShape(item, depth+1)
		}
		return out
	}
	return "<value>"
}
