package openapi

import (
	"fmt"
	"net/textproto"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// This file turns a Failure into what a developer needs to fix the request that caused it: where in
// the request (a JSON pointer), what the spec asks of that part (from the schema the rule belongs
// to), and where the operation is in its spec. Nothing here reads the request: a value sent never
// appears, so every message is safe to log. The work is done only when a message is asked for, never
// on a request's path.

// Route is the operation as its vendor documents it: its method and path template under the
// shortest base path of its spec's servers ("POST /v1/auth/login",
// "GET /api/ident/v1/identification_requests/{id}").
func (o *Operation) Route() string { return o.Method + " " + o.base + o.Path }

// Location is where the operation is defined: its spec's file and a JSON pointer into it
// ("rambase.yaml#/paths/~1oauth2~1access_token/post").
func (o *Operation) Location() string {
	return o.spec + ".yaml#/paths/" + pointerEscaper.Replace(o.Path) + "/" + strings.ToLower(o.Method)
}

// pointerEscaper escapes a JSON pointer's reference token (RFC 6901).
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// PointerToken escapes a name (a field's, a parameter's) as a token of a JSON pointer (RFC 6901):
// "a/b" is "a~1b", so that a Failure's Field names one field whatever its name holds.
func PointerToken(name string) string { return pointerEscaper.Replace(name) }

// KeyHeaders names the headers the operation takes an API key in (APIKeyHeaders), in their
// canonical form, the form http.Header keys have.
func (o *Operation) KeyHeaders() []string { return o.keyHeaders }

// HTTPSchemes names the HTTP authentication schemes the operation's security requirements take in
// the Authorization header ("bearer", "basic", or one of the vendor's own).
func (o *Operation) HTTPSchemes() []string {
	var names []string
	for _, alt := range o.security {
		for _, s := range alt {
			if s.Type == "http" && !slices.Contains(names, s.Scheme) {
				names = append(names, s.Scheme)
			}
		}
	}
	return names
}

// Pointer is where in the request a failure is, as a JSON pointer into the request's parts:
// /body/email (a field of the body), /body (the body as a whole), /query/page, /path/id,
// /header/Authorization (the credentials, or the header an API key goes in), /header/Content-Type,
// /header (the headers as a whole), /path (no operation has the path), /method (the path has no
// operation of the method). op is the operation the request was routed to, nil when it was not.
func (f *Failure) Pointer(op *Operation) string {
	switch f.Kind {
	case KindBody:
		return "/body" + f.Field
	case KindParam:
		return "/" + f.In + "/" + pointerEscaper.Replace(f.Field)
	case KindAuth:
		if op != nil {
			return op.credentialsPointer()
		}
		return "/header/Authorization"
	case KindMediaType:
		return "/header/Content-Type"
	case KindTooLarge:
		return "/body"
	case KindHeaderTooLarge:
		return "/header"
	case KindNotFound:
		return "/path"
	case KindMethod:
		return "/method"
	}
	return ""
}

// credentialsPointer is where the operation's credentials go: the Authorization header when a
// scheme of its takes it, else where its first API key goes.
func (o *Operation) credentialsPointer() string {
	first := ""
	for _, alt := range o.security {
		for _, s := range alt {
			switch {
			case s.Type == "http" || (s.Type == "apiKey" && textproto.CanonicalMIMEHeaderKey(s.Name) == "Authorization"):
				return "/header/Authorization"
			case first == "" && s.Type == "apiKey":
				first = "/" + s.In + "/" + pointerEscaper.Replace(s.Name)
			}
		}
	}
	if first == "" {
		return "/header/Authorization"
	}
	return first
}

// Explain says what a request to the operation that failed f must change: the part of the request
// and what the spec asks of it ("body.email is required", "query parameter page must be at least 1",
// "body.grant_type must be one of: client_credentials, password"), never the value sent. mediaType
// is the request's Content-Type, whose schema a body field is looked up in. A failure of the
// request's size or route is the server's to explain; Explain names it plainly.
func (o *Operation) Explain(f *Failure, mediaType string) string {
	switch f.Kind {
	case KindAuth:
		return "sends no credentials the spec accepts: it wants " + o.wantedCredentials()
	case KindMediaType:
		types := slices.Sorted(slices.Values(o.bodyTypes))
		if len(types) == 0 {
			return "sends a Content-Type the spec has for none of its operations"
		}
		return "must send its body as " + strings.Join(types, " or ") + " (Content-Type)"
	case KindTooLarge:
		return "the body is larger than the mock accepts"
	case KindHeaderTooLarge:
		return "the request line and headers are larger than the mock accepts"
	case KindBody:
		schema := o.bodySchemaAt(mediaType, f.Field)
		if f.Field == "" {
			return "the body " + requirement(f.Rule, schema, MediaType(mediaType))
		}
		return "body." + dotted(f.Field) + " " + requirement(f.Rule, schema, "")
	case KindParam:
		var schema *openapi3.Schema
		for _, p := range o.params {
			if p.Name == f.Field && p.In == f.In && p.Schema != nil {
				schema = p.Schema.Value
			}
		}
		what := f.In + " parameter " + f.Field
		if f.In == "header" || f.In == "cookie" {
			what = f.In + " " + f.Field
		}
		return what + " " + requirement(f.Rule, schema, "")
	}
	return f.Message()
}

// wantedCredentials lists the credentials the operation accepts, each alternative of its security
// requirements: "Authorization: Bearer <token> or the access_token query parameter".
func (o *Operation) wantedCredentials() string {
	var alts []string
	for _, alt := range o.security {
		var all []string
		for _, s := range alt {
			all = append(all, credentialOf(s))
		}
		if len(all) > 0 {
			alts = append(alts, strings.Join(all, " and "))
		}
	}
	return strings.Join(alts, " or ")
}

func credentialOf(s *openapi3.SecurityScheme) string {
	switch {
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		return "Authorization: Bearer <token>"
	case s.Type == "http" && strings.EqualFold(s.Scheme, "basic"):
		return "Authorization: Basic <credentials>"
	case s.Type == "http":
		return "Authorization: " + s.Scheme + " <credentials>"
	case s.Type == "apiKey" && s.In == "query":
		return "the " + s.Name + " query parameter"
	case s.Type == "apiKey":
		return "the " + s.Name + " " + s.In
	}
	return s.Type + " credentials"
}

// bodySchemaAt is the schema of the body field a JSON pointer names, in the request body's content
// of the media type (its first when the operation has none of it); nil when the spec has none there.
func (o *Operation) bodySchemaAt(mediaType, pointer string) *openapi3.Schema {
	rb := o.route.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	mt := rb.Value.Content.Get(MediaType(mediaType))
	if mt == nil {
		for _, t := range slices.Sorted(slices.Values(o.bodyTypes)) {
			if mt = rb.Value.Content.Get(t); mt != nil {
				break
			}
		}
	}
	if mt == nil || mt.Schema == nil {
		return nil
	}
	s := mt.Schema.Value
	if pointer == "" {
		return s
	}
	for _, token := range strings.Split(pointer[1:], "/") {
		if s = child(s, unescapePointer(token)); s == nil {
			return nil
		}
	}
	return s
}

// child is the schema of a property or an item of s, looked for through allOf, anyOf and oneOf too.
func child(s *openapi3.Schema, token string) *openapi3.Schema {
	if s == nil {
		return nil
	}
	if p := s.Properties[token]; p != nil {
		return p.Value
	}
	if _, err := strconv.Atoi(token); err == nil && s.Items != nil {
		return s.Items.Value
	}
	for _, subs := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, sub := range subs {
			if c := child(sub.Value, token); c != nil {
				return c
			}
		}
	}
	if ap := s.AdditionalProperties.Schema; ap != nil {
		return ap.Value
	}
	return nil
}

var pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

func unescapePointer(token string) string { return pointerUnescaper.Replace(token) }

// dotted writes a JSON pointer into a body as a developer writes the field: "/claims_required/0/type"
// is "claims_required[0].type".
func dotted(pointer string) string {
	var b strings.Builder
	for i, token := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		token = unescapePointer(token)
		if _, err := strconv.Atoi(token); err == nil && i > 0 {
			b.WriteString("[" + token + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(token)
	}
	return b.String()
}

// requirement says what the spec asks of a value that broke rule, from its schema s when known;
// mediaType is that of a body that could not be decoded.
func requirement(rule string, s *openapi3.Schema, mediaType string) string {
	switch rule {
	case "required":
		return "is required"
	case "unknown":
		return "is not allowed: the spec defines no such field here"
	case "empty":
		return "must not be empty"
	case "utf-8":
		return "is not valid UTF-8"
	case "encoding":
		return "is not form-encoded correctly (a malformed %-escape or a ';')"
	case "syntax":
		if mediaType != "" {
			return "cannot be decoded as " + mediaType
		}
		return "cannot be decoded"
	case "maxProperties":
		if s == nil || s.MaxProps == nil {
			return "has too many fields"
		}
	case "size":
		return "is larger than " + strconv.Itoa(MaxXMLBytes>>20) + " MiB, as XML"
	case "dtd":
		return "declares a document type or entities, which XML bodies may not (send the elements alone)"
	case "depth":
		return "nests deeper than " + strconv.Itoa(MaxXMLDepth) + " elements"
	case "root":
		return "has a root element other than the one the spec names for this operation"
	case "repeated":
		return "is given more than once"
	case "entry":
		return "has an entry that is not a <key> then a <value>"
	}
	if s == nil {
		return "breaks the spec's " + rule + " rule"
	}
	switch rule {
	case "enum":
		values := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			values[i] = fmt.Sprint(v)
		}
		return "must be one of: " + strings.Join(values, ", ")
	case "type":
		return "must be " + typeName(s)
	case "format":
		return "must be " + formatName(s)
	case "pattern":
		return "must match the pattern " + s.Pattern
	case "minLength":
		return "must be at least " + count(s.MinLength, "character") + " long"
	case "maxLength":
		return "must be at most " + count(orZero(s.MaxLength), "character") + " long"
	case "minimum":
		if s.ExclusiveMin.IsTrue() {
			return "must be greater than " + number(s.Min)
		}
		return "must be at least " + number(s.Min)
	case "maximum":
		if s.ExclusiveMax.IsTrue() {
			return "must be less than " + number(s.Max)
		}
		return "must be at most " + number(s.Max)
	case "minItems":
		return "must have at least " + count(s.MinItems, "item")
	case "maxItems":
		return "must have at most " + count(orZero(s.MaxItems), "item")
	case "minProperties":
		return "must have at least " + count(s.MinProps, "field")
	case "maxProperties":
		return "must have at most " + count(orZero(s.MaxProps), "field")
	case "uniqueItems":
		return "must not repeat an item"
	case "nullable":
		return "must not be null"
	case "oneOf", "anyOf", "allOf", "not":
		return "does not match the schemas the spec gives it (" + rule + ")"
	}
	return "breaks the spec's " + rule + " rule"
}

func typeName(s *openapi3.Schema) string {
	var names []string
	for _, t := range s.Type.Slice() {
		switch t {
		case "integer", "object", "array":
			names = append(names, "an "+t)
		default:
			names = append(names, "a "+t)
		}
	}
	if len(names) == 0 {
		return "of the type the spec gives it"
	}
	return strings.Join(names, " or ")
}

func formatName(s *openapi3.Schema) string {
	switch s.Format {
	case "date-time":
		return "an RFC 3339 date-time (2030-01-01T00:00:00Z)"
	case "date":
		return "a date (2030-01-01)"
	case "email":
		return "an email address"
	case "uuid":
		return "a UUID"
	case "int32", "int64":
		return "an integer that fits " + s.Format
	case "":
		return "of the format the spec gives it"
	}
	return "of format " + s.Format
}

func count(n uint64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.FormatUint(n, 10) + " " + unit + "s"
}

func orZero(n *uint64) uint64 {
	if n == nil {
		return 0
	}
	return *n
}

func number(f *float64) string {
	if f == nil {
		return "the spec's limit"
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}
