package openapi

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Kind classifies what broke the contract. Each API renders a Kind in its own error shape and status.
type Kind string

// The failure kinds, in the order DESIGN.md gives their precedence where several apply: auth, then
// not-acceptable (an operation that answers in more than one media type, none of which the request's
// Accept takes), then too-large, then media-type, then body or param. Headers too large come before
// everything, routing included, as they would from a server that refuses to read them.
const (
	KindAuth           Kind = "auth"
	KindNotAcceptable  Kind = "not-acceptable"
	KindTooLarge       Kind = "too-large"
	KindMediaType      Kind = "media-type"
	KindBody           Kind = "body"
	KindParam          Kind = "param"
	KindNotFound       Kind = "not-found"
	KindMethod         Kind = "method"
	KindInternal       Kind = "internal"
	KindHeaderTooLarge Kind = "header-too-large"
)

// Failure says what broke the contract, without the offending value: a request or response may carry
// passwords, OTPs and tokens, so nothing here echoes data.
type Failure struct {
	Kind Kind
	// Field names what failed: a parameter name, a JSON pointer into the body ("/grant_type"), the
	// header that carries credentials, for KindMethod the allowed methods, or for KindNotAcceptable
	// the media types the operation answers in.
	Field string
	// Rule is the schema keyword or check that failed: required, enum, type, minLength, syntax, ...
	Rule string
	// In is where a parameter of KindParam was: query, header, path or cookie.
	In string
}

func (f *Failure) Error() string {
	var b strings.Builder
	b.WriteString(string(f.Kind))
	if f.Field != "" {
		b.WriteString(" ")
		b.WriteString(f.Field)
	}
	if f.Rule != "" {
		b.WriteString(": ")
		b.WriteString(f.Rule)
	}
	return b.String()
}

// Message is a sentence for an error body, naming the field and the rule but never a value.
func (f *Failure) Message() string {
	switch f.Kind {
	case KindAuth:
		if f.Rule == "invalid" {
			return "The credentials are invalid or have expired"
		}
		return "Authentication is required"
	case KindNotAcceptable:
		return "The response can be " + f.Field
	case KindTooLarge:
		return "The request body is too large"
	case KindHeaderTooLarge:
		return "The request headers are too large"
	case KindMediaType:
		return "The request body has an unsupported media type"
	case KindNotFound:
		return "No such resource"
	case KindMethod:
		return "Method not allowed; allowed: " + f.Field
	case KindInternal:
		return "Internal error"
	case KindParam:
		switch f.Rule {
		case "required":
			return "Parameter " + f.Field + " is required"
		case "utf-8":
			return "Parameter " + f.Field + " is not valid UTF-8"
		}
		return "Parameter " + f.Field + " is invalid (" + f.Rule + ")"
	}
	switch {
	case f.Field == "" && f.Rule == "required":
		return "A request body is required"
	case f.Rule == "syntax":
		return "The request body cannot be decoded"
	case f.Rule == "utf-8" && f.Field == "":
		return "The request body is not valid UTF-8"
	case f.Rule == "utf-8":
		return "Field " + f.Field + " is not valid UTF-8"
	case f.Rule == "encoding" && f.Field == "":
		return "The request body is not form-encoded correctly (a malformed %-escape or a ';')"
	case f.Rule == "encoding":
		return "Field " + f.Field + " is not form-encoded correctly (a malformed %-escape or a ';')"
	case f.Rule == "required":
		return "Field " + f.Field + " is required"
	case f.Rule == "size":
		return "The XML body is larger than " + strconv.Itoa(MaxXMLBytes>>20) + " MiB"
	case f.Rule == "dtd":
		return "The XML body declares a document type or entities, which are not accepted"
	case f.Rule == "depth":
		return "The XML body nests deeper than " + strconv.Itoa(MaxXMLDepth) + " elements"
	case f.Rule == "root":
		return "The XML body's root element is not the one this operation takes"
	case f.Rule == "repeated":
		return "Field " + f.Field + " is given more than once"
	case f.Rule == "entry":
		return "Field " + f.Field + " has an entry that is not a <key> then a <value>"
	case f.Rule == "unknown":
		return "Field " + f.Field + " is not allowed here"
	case f.Field == "":
		return "The request body is invalid (" + f.Rule + ")"
	}
	return "Field " + f.Field + " is invalid (" + f.Rule + ")"
}

// requestFailure turns a kin-openapi request error into a Failure from its structure: the schema
// error's JSON pointer and keyword. Error() is never called; it dumps the schema and the value and
// costs several times a valid request.
func requestFailure(err error) *Failure {
	var me openapi3.MultiError
	if errors.As(err, &me) && len(me) > 0 {
		err = me[0]
	}
	var sec *openapi3filter.SecurityRequirementsError
	if errors.As(err, &sec) {
		return &Failure{Kind: KindAuth, Field: "Authorization", Rule: "required"}
	}
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return &Failure{Kind: KindBody, Rule: "invalid"}
	}
	if re.Parameter != nil {
		return &Failure{Kind: KindParam, Field: re.Parameter.Name, Rule: ruleOf(re.Err), In: re.Parameter.In}
	}
	// An XML body the decoder refused (decodeXMLBody) says why itself.
	var refused *Failure
	if errors.As(re.Err, &refused) {
		return refused
	}
	// A form field that does not parse as its property's type: kin-openapi's form decoder names it.
	var pe *openapi3filter.ParseError
	if errors.As(re.Err, &pe) && len(pe.Path()) > 0 {
		return &Failure{Kind: KindBody, Field: "/" + pathString(pe.Path()), Rule: unparsedRule(pe.RootCause())}
	}
	// The media type is checked before validation (apihttp), so a body here has an accepted one.
	return schemaFailure(KindBody, re.Err)
}

// schemaFailure is a Failure of kind for a value that broke a schema: where and which keyword, or for
// a field the schema does not allow, the field itself.
func schemaFailure(kind Kind, err error) *Failure {
	f := &Failure{Kind: kind, Rule: ruleOf(err)}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		f.Field = pointer(se)
		if key := unknownKey(deepest(se)); key != "" {
			f.Field, f.Rule = f.Field+"/"+PointerToken(key), "unknown"
		}
	}
	return f
}

// unknownKey returns the first key of an object that its schema does not allow (additionalProperties
// false), found from the schema and the object rather than the error text.
func unknownKey(se *openapi3.SchemaError) string {
	obj, ok := se.Value.(map[string]any)
	if se.SchemaField != "properties" || !ok || se.Schema == nil {
		return ""
	}
	var unknown []string
	for k := range obj {
		if _, known := se.Schema.Properties[k]; !known {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return ""
	}
	return slices.Min(unknown)
}

// responseFailure is requestFailure for responses; a response that breaks the spec is the mock's bug.
func responseFailure(err error) *Failure {
	var re *openapi3filter.ResponseError
	if !errors.As(err, &re) {
		return &Failure{Kind: KindInternal, Rule: "response"}
	}
	if re.Err == nil {
		return &Failure{Kind: KindInternal, Rule: "status or content-type"}
	}
	var refused *Failure
	if errors.As(re.Err, &refused) {
		return &Failure{Kind: KindInternal, Field: refused.Field, Rule: refused.Rule}
	}
	return schemaFailure(KindInternal, re.Err)
}

func ruleOf(err error) string {
	if err == nil {
		return "invalid"
	}
	if errors.Is(err, openapi3filter.ErrInvalidRequired) {
		return "required"
	}
	if errors.Is(err, openapi3filter.ErrInvalidEmptyValue) {
		return "empty"
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		se = deepest(se)
		if se.SchemaField != "" {
			return se.SchemaField
		}
		return "schema"
	}
	return "syntax" // a body or parameter that could not be decoded (openapi3filter.ParseError and kin)
}

// deepest follows a schema error's origins (allOf, oneOf) down to the keyword that failed.
func deepest(se *openapi3.SchemaError) *openapi3.SchemaError {
	for {
		var inner *openapi3.SchemaError
		if se.Origin == nil || !errors.As(se.Origin, &inner) {
			return se
		}
		se = inner
	}
}

func pointer(se *openapi3.SchemaError) string {
	p := deepest(se).JSONPointer()
	if len(p) == 0 {
		p = se.JSONPointer()
	}
	if len(p) == 0 {
		return ""
	}
	for i := range p {
		p[i] = PointerToken(p[i])
	}
	return "/" + strings.Join(p, "/")
}

// pathString joins a kin-openapi ParseError's path (property names and array indexes) with '/', as
// a JSON pointer's tokens.
func pathString(path []any) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = PointerToken(fmt.Sprint(p))
	}
	return strings.Join(parts, "/")
}
