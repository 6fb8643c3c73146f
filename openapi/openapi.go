// Package openapi embeds idvkit's OpenAPI specs and is the only package that talks to kin-openapi:
// it loads and validates each spec once per process, matches requests to operations, and validates
// requests and responses, reporting what broke the contract as a Failure.
package openapi

import (
	"bytes"
	"context"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gorilla/mux"
	"gopkg.in/yaml.v3"
)

//go:embed *.yaml
var files embed.FS

// Control is the name of the test-control API's spec.
const Control = "control"

// Names lists every embedded spec by name, sorted: one per vendor API, and the control API. Which
// APIs are served, and in what order, is the mock's registry's business.
func Names() []string {
	entries, _ := files.ReadDir(".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// Raw returns the spec file exactly as embedded.
func Raw(name string) ([]byte, error) {
	b, err := files.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("openapi: no spec named %q", name)
	}
	return b, nil
}

// WithServer returns the spec as YAML with `servers` replaced by one server URL, so that other tools
// (code generators, Prism, Schemathesis) point at a running mock instead of the vendor.
func WithServer(name, serverURL string) ([]byte, error) {
	raw, err := Raw(name)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil || len(doc.Content) == 0 {
		return nil, fmt.Errorf("openapi: %s is not a YAML document", name)
	}
	var servers yaml.Node
	if err := servers.Encode([]map[string]string{{"url": serverURL}}); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "servers" {
			root.Content[i+1] = &servers
		}
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Spec is one loaded and validated spec. It is immutable and safe for concurrent use.
type Spec struct {
	Name    string
	Version string // the OpenAPI version, always 3.0.3
	// basePaths are the paths of the spec's servers ("" for https://api.rambase.net, "/v1" for
	// https://api.randaverify.com/v1), longest first: the mock serves the API under each, so a
	// client configured with any of the vendor's base URLs works.
	basePaths []string
	doc       *openapi3.T
	ops       []*Operation          // ordered by path and method, for listings
	byID      map[string]*Operation // for the route the matcher names
	// literal holds the operations of paths without parameters, by path and method: most requests
	// are routed by one map lookup, and the matcher (which allocates) sees only templated paths.
	literal map[string]map[string]*Operation
	matcher *mux.Router
	rules   []Rule
}

// Operation is one operation of a spec, ready to validate requests and responses.
type Operation struct {
	ID     string
	Method string
	Path   string // the path template, relative to the API's base URL
	// spec and base are the operation's spec's name and the shortest base path of its servers, for
	// messages that name the operation as its vendor documents it (Route, Location).
	spec, base string
	route      *routers.Route
	// bodyTypes are the media types the request body may have; empty when it takes none.
	bodyTypes []string
	// params are the path item's and the operation's parameters, the operation's overriding; each
	// compiled when it can be (compiled[i] is nil when kin-openapi checks params[i]).
	params   []*openapi3.Parameter
	compiled []*param
	// security lists the alternative sets of schemes that authorize the operation (each set is
	// satisfied when every scheme in it has credentials; an empty set is anonymous access); nil
	// when the operation takes no credentials.
	security [][]*openapi3.SecurityScheme
	// keyHeaders are the headers an API key of the security requirements goes in, canonical.
	keyHeaders []string
	// form is the schema of a form body (application/x-www-form-urlencoded) whose properties are
	// all scalars, which ValidateRequest checks itself from the form parsed once; nil otherwise.
	// formCheck is that schema compiled, when it can be.
	form      *openapi3.Schema
	formCheck *object
	// jsonCheck is the schema of an application/json body compiled, when it can be.
	jsonCheck *jsonObject
	// answersXML: some response has an XML body, so the operation's answers are negotiated.
	answersXML bool
	// xmlCheck is the XML request body's schema compiled, when it can be (compileXMLCheck).
	xmlCheck *object
}

var loadAll = sync.OnceValues(func() (map[string]*Spec, error) {
	specs := make(map[string]*Spec)
	for _, name := range Names() {
		s, err := load(name)
		if err != nil {
			return nil, err
		}
		specs[name] = s
	}
	return specs, nil
})

// Load returns the named spec, loading and validating all embedded specs on the first call. Later
// calls cost a map lookup, so callers need not cache the result.
func Load(name string) (*Spec, error) {
	specs, err := loadAll()
	if err != nil {
		return nil, err
	}
	s, ok := specs[name]
	if !ok {
		return nil, fmt.Errorf("openapi: no spec named %q", name)
	}
	return s, nil
}

// MustLoad is Load for specs that are known to exist; the embedded specs are checked by tests.
func MustLoad(name string) *Spec {
	s, err := Load(name)
	if err != nil {
		panic(err)
	}
	return s
}

func load(name string) (*Spec, error) {
	raw, err := Raw(name)
	if err != nil {
		return nil, err
	}
	return Parse(name, raw)
}

// Parse loads and validates a spec that is not embedded (a test's own API). It holds the embedded
// specs' rules: OpenAPI 3.0.3, and an operationId on every operation.
func Parse(name string, raw []byte) (*Spec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("openapi: load %s: %w", name, err)
	}
	if doc.OpenAPI != "3.0.3" {
		return nil, fmt.Errorf("openapi: %s is OpenAPI %s; idvkit specs must be 3.0.3", name, doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi: validate %s: %w", name, err)
	}
	basePaths, err := basePathsOf(doc.Servers)
	if err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", name, err)
	}
	// Match API-relative paths whatever host or prefix serves them.
	doc.Servers = openapi3.Servers{{URL: "/"}}

	var ext struct {
		Rules []Rule `yaml:"x-conformance-rules"`
	}
	if err := yaml.Unmarshal(raw, &ext); err != nil {
		return nil, fmt.Errorf("openapi: %s: x-conformance-rules: %w", name, err)
	}
	s := &Spec{Name: name, Version: doc.OpenAPI, basePaths: basePaths, doc: doc, byID: map[string]*Operation{}, literal: map[string]map[string]*Operation{},
		matcher: mux.NewRouter(), rules: ext.Rules}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				return nil, fmt.Errorf("openapi: %s %s %s has no operationId", name, method, path)
			}
			o := &Operation{
				ID: op.OperationID, Method: method, Path: path, spec: name, base: basePaths[len(basePaths)-1],
				route: &routers.Route{Spec: doc, Server: doc.Servers[0], Path: path, PathItem: item, Method: method, Operation: op},
			}
			if op.RequestBody != nil {
				for mt := range op.RequestBody.Value.Content {
					o.bodyTypes = append(o.bodyTypes, mt)
				}
			}
			o.params = parameters(item, op)
			for _, p := range o.params {
				o.compiled = append(o.compiled, compileParam(p))
			}
			o.form = flatForm(op)
			o.formCheck = compileForm(o.form)
			o.jsonCheck = compileJSONObject(jsonSchema(op))
			if o.security, err = securityOf(doc, op); err != nil {
				return nil, fmt.Errorf("openapi: %s %s %s: %w", name, method, path, err)
			}
			if xml, err := compileXMLBodies(op); err != nil {
				return nil, fmt.Errorf("openapi: %s %s %s: %w", name, method, path, err)
			} else if xml {
				useXMLDecoder()
			}
			o.answersXML, o.xmlCheck = answersXML(op), compileXMLCheck(op)
			for _, h := range o.APIKeyHeaders() {
				o.keyHeaders = append(o.keyHeaders, textproto.CanonicalMIMEHeaderKey(h))
			}
			if s.byID[o.ID] != nil {
				return nil, fmt.Errorf("openapi: %s: operationId %s is used twice", name, o.ID)
			}
			s.byID[o.ID] = o
			s.ops = append(s.ops, o)
			// gorilla/mux tries routes in the order they are added; InMatchingOrder puts literal
			// paths before templated ones (/users/current before /users/{id}).
			s.matcher.Path(path).Methods(method).Name(o.ID)
			if !strings.Contains(path, "{") {
				if s.literal[path] == nil {
					s.literal[path] = map[string]*Operation{}
				}
				s.literal[path][method] = o
			}
		}
	}
	slices.SortFunc(s.ops, func(a, b *Operation) int { return strings.Compare(a.Path+a.Method, b.Path+b.Method) })
	return s, nil
}

// basePathsOf returns the distinct paths of the servers' URLs, without a trailing slash, longest
// first; a spec without servers has one, "".
func basePathsOf(servers openapi3.Servers) ([]string, error) {
	paths := []string{}
	for _, srv := range servers {
		u, err := url.Parse(srv.URL)
		if err != nil || strings.Contains(srv.URL, "{") {
			return nil, fmt.Errorf("server %q: want a plain URL", srv.URL)
		}
		if p := strings.TrimSuffix(u.Path, "/"); !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		paths = append(paths, "")
	}
	slices.SortFunc(paths, func(a, b string) int { return len(b) - len(a) })
	return paths, nil
}

// BasePaths lists the paths the API is served under relative to its host, longest first: the paths
// of the spec's servers ("" for a server at the host's root).
func (s *Spec) BasePaths() []string { return s.basePaths }

// Operations lists the spec's operations, ordered by path and method.
func (s *Spec) Operations() []*Operation { return s.ops }

// Operation returns the operation with the given operationId, or nil.
func (s *Spec) Operation(id string) *Operation { return s.byID[id] }

// TakesMediaType reports whether some operation of the spec takes a request body of the given
// Content-Type (parameters such as charset are ignored).
func (s *Spec) TakesMediaType(contentType string) bool {
	return slices.ContainsFunc(s.ops, func(o *Operation) bool { return o.TakesMediaType(contentType) })
}

// Enum returns the enum values of a component schema, for enums the code must mirror (the control
// API's capabilities).
func (s *Spec) Enum(schema string) []string {
	ref := s.doc.Components.Schemas[schema]
	if ref == nil || ref.Value == nil {
		return nil
	}
	out := make([]string, 0, len(ref.Value.Enum))
	for _, v := range ref.Value.Enum {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// RequestPath is the path a request is routed on: as sent, each segment percent-decoded on its
// own, with a '/' or a '%' that a segment decodes to kept escaped (%2F, %25). An encoded slash then
// never separates segments: `/randaverify%2Fme` is one segment and no API's prefix, and
// `.../{id}%2Fproof_of_identity` is an id rather than the proof's route. Every other escape is
// decoded (`/%72ambase/...` is the RamBase prefix), and dot segments stay as they are, never
// cleaned. Find takes such a path and unescapes the path parameters it matches.
func RequestPath(u *url.URL) string {
	// Nearly every request is sent as net/url escapes its decoded path (then RawPath is empty): no
	// %2F, since '/' is never escaped, and no %25 once the decoded path holds no '%'.
	if u.RawPath == "" && strings.IndexByte(u.Path, '%') < 0 {
		return u.Path
	}
	segments := strings.Split(u.EscapedPath(), "/")
	for i, seg := range segments {
		if s, err := url.PathUnescape(seg); err == nil {
			segments[i] = segmentEscaper.Replace(s)
		}
	}
	return strings.Join(segments, "/")
}

// segmentEscaper keeps what would change a decoded segment's meaning escaped.
var segmentEscaper = strings.NewReplacer("%", "%25", "/", "%2F")

// Find matches a method and an API-relative path, as RequestPath gives it, to an operation. When the path exists but the
// method does not, it returns a Failure of KindMethod listing the allowed methods in Field. HEAD
// finds the GET operation of its path, unless the spec gives HEAD one of its own: HEAD is GET
// without the body (RFC 9110, 9.3.2), which net/http leaves out, and the vendors' own frameworks
// answer it so (an uptime monitor's HEAD gets what a GET would, less the body).
func (s *Spec) Find(method, path string) (*Operation, map[string]string, *Failure) {
	op, vars, f := s.find(method, path)
	if f != nil && f.Kind == KindMethod && method == http.MethodHead {
		if op, vars, g := s.find(http.MethodGet, path); g == nil {
			return op, vars, nil
		}
	}
	return op, vars, f
}

func (s *Spec) find(method, path string) (*Operation, map[string]string, *Failure) {
	// A literal path wins over a template (InMatchingOrder); with another method it may still match
	// a template, which the matcher finds.
	if op := s.literal[path][method]; op != nil {
		return op, nil, nil
	}
	req := &http.Request{Method: method, URL: &url.URL{Path: path}, Header: http.Header{}}
	var m mux.RouteMatch
	if s.matcher.Match(req, &m) {
		for name, v := range m.Vars {
			if strings.IndexByte(v, '%') >= 0 {
				m.Vars[name], _ = url.PathUnescape(v) // only %2F and %25 are left (RequestPath)
			}
		}
		return s.Operation(m.Route.GetName()), m.Vars, nil
	}
	if m.MatchErr == mux.ErrMethodMismatch {
		return nil, nil, &Failure{Kind: KindMethod, Field: strings.Join(s.allowed(path), ", "), Rule: "method"}
	}
	return nil, nil, &Failure{Kind: KindNotFound, Rule: "path"}
}

// allowed lists the methods the spec defines for an API-relative path, for a 405's Allow header.
func (s *Spec) allowed(path string) []string {
	var methods []string
	req := &http.Request{URL: &url.URL{Path: path}, Header: http.Header{}}
	for _, o := range s.ops {
		req.Method = o.Method
		var m mux.RouteMatch
		if s.matcher.Match(req, &m) && m.Route.GetName() == o.ID {
			methods = append(methods, o.Method)
		}
	}
	// HEAD is answered wherever GET is (Find).
	if i := slices.Index(methods, http.MethodGet); i >= 0 && !slices.Contains(methods, http.MethodHead) {
		methods = slices.Insert(methods, i+1, http.MethodHead)
	}
	return methods
}

// Extension returns the string value of an x- extension of the operation (x-api names the API an
// operation of the control API belongs to).
func (o *Operation) Extension(name string) string {
	v, _ := o.route.Operation.Extensions[name].(string)
	return v
}

// TakesMediaType reports whether the operation accepts a request body of the given Content-Type
// (parameters such as charset are ignored). Operations without a request body take none.
func (o *Operation) TakesMediaType(contentType string) bool {
	return slices.Contains(o.bodyTypes, MediaType(contentType))
}

// MediaType is a Content-Type's media type, lower case, without parameters such as charset.
func MediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// TakesForm reports whether the operation takes a form body (application/x-www-form-urlencoded).
func (o *Operation) TakesForm() bool {
	return slices.Contains(o.bodyTypes, "application/x-www-form-urlencoded")
}

// RequiredBodyFields lists the required top-level fields of the operation's request body, of its
// form when it takes one, for errors that name every missing field (FastAPI's).
func (o *Operation) RequiredBodyFields() []string {
	rb := o.route.Operation.RequestBody
	if rb == nil {
		return nil
	}
	mt := rb.Value.Content.Get("application/x-www-form-urlencoded")
	if mt == nil {
		mt = rb.Value.Content.Get("application/json")
	}
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil
	}
	return mt.Schema.Value.Required
}

// HasBody reports whether the operation defines a request body.
func (o *Operation) HasBody() bool { return len(o.bodyTypes) > 0 }

// Parameters names the operation's parameters in one location ("path", "query"), for a client that
// builds its requests from the spec (a test that sends every operation bad input).
func (o *Operation) Parameters(in string) []string {
	var names []string
	for _, p := range o.params {
		if p.In == in {
			names = append(names, p.Name)
		}
	}
	return names
}

// RequestExamples lists the examples the spec gives the operation's request body in a media type
// (its example, then its named examples by name), as decoded YAML values, for a client that builds
// its requests from the spec.
func (o *Operation) RequestExamples(mediaType string) []any {
	rb := o.route.Operation.RequestBody
	if rb == nil {
		return nil
	}
	mt := rb.Value.Content.Get(mediaType)
	if mt == nil {
		return nil
	}
	var out []any
	if mt.Example != nil {
		out = append(out, mt.Example)
	}
	for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
		if ex := mt.Examples[name]; ex != nil && ex.Value != nil {
			out = append(out, ex.Value.Value)
		}
	}
	return out
}

// parameters lists an operation's parameters: the path item's, unless the operation has one of the
// same name and location, then the operation's own.
func parameters(item *openapi3.PathItem, op *openapi3.Operation) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, ref := range item.Parameters {
		if op.Parameters.GetByInAndName(ref.Value.In, ref.Value.Name) == nil {
			out = append(out, ref.Value)
		}
	}
	for _, ref := range op.Parameters {
		out = append(out, ref.Value)
	}
	return out
}

// securityOf resolves the operation's security requirements, or the spec's when it has none of its
// own, to the schemes each alternative names, once, so a request's check is a few header lookups.
func securityOf(doc *openapi3.T, op *openapi3.Operation) ([][]*openapi3.SecurityScheme, error) {
	srs := doc.Security
	if op.Security != nil {
		srs = *op.Security
	}
	var out [][]*openapi3.SecurityScheme
	for _, sr := range srs {
		alt := []*openapi3.SecurityScheme{}
		for _, name := range slices.Sorted(maps.Keys(sr)) {
			ref := doc.Components.SecuritySchemes[name]
			if ref == nil || ref.Value == nil {
				return nil, fmt.Errorf("security scheme %q is not defined", name)
			}
			alt = append(alt, ref.Value)
		}
		out = append(out, alt)
	}
	return out, nil
}

// Secured reports whether the operation takes credentials at all (an optional requirement counts).
func (o *Operation) Secured() bool { return len(o.security) > 0 }

// APIKeyHeaders names the headers the operation takes an API key in (security schemes of type apiKey
// in a header), for a client that knows only the spec.
func (o *Operation) APIKeyHeaders() []string {
	var names []string
	for _, alt := range o.security {
		for _, s := range alt {
			if s.Type == "apiKey" && s.In == "header" && !slices.Contains(names, s.Name) {
				names = append(names, s.Name)
			}
		}
	}
	return names
}

// CheckAuth reports a KindAuth Failure when no security requirement of the operation is met by
// credentials of the scheme's shape; whether they are valid is the API's Authenticator's call.
// query is r's query, parsed once for the request.
func (o *Operation) CheckAuth(r *http.Request, query url.Values) *Failure {
	if len(o.security) == 0 {
		return nil
	}
	for _, alt := range o.security {
		if !slices.ContainsFunc(alt, func(s *openapi3.SecurityScheme) bool { return !presentCredentials(r, query, s) }) {
			return nil
		}
	}
	return &Failure{Kind: KindAuth, Field: "Authorization", Rule: "required"}
}

// presentCredentials reports whether r carries credentials shaped for the scheme: an Authorization
// header with the scheme's prefix and a non-empty value, or a non-empty API key. Whether they are
// valid is the handler's call.
func presentCredentials(r *http.Request, query url.Values, s *openapi3.SecurityScheme) bool {
	switch s.Type {
	case "http":
		_, ok := Credentials(r, s.Scheme)
		return ok
	case "apiKey":
		switch s.In {
		case "header":
			return r.Header.Get(s.Name) != ""
		case "query":
			return query.Get(s.Name) != ""
		}
	}
	return false
}

// Credentials returns what the Authorization header carries under an HTTP authentication scheme
// ("Bearer", "Basic"), whose name is case-insensitive (RFC 9110): "Bearer x" and "bearer x" alike;
// false when the header is of another scheme or carries nothing.
func Credentials(r *http.Request, scheme string) (string, bool) {
	v := r.Header.Get("Authorization")
	if len(v) <= len(scheme) || v[len(scheme)] != ' ' || !strings.EqualFold(v[:len(scheme)], scheme) {
		return "", false
	}
	c := strings.TrimSpace(v[len(scheme)+1:])
	return c, c != ""
}

// requestOptions are the options of every request validation: never write defaults into the request.
var requestOptions = &openapi3filter.Options{SkipSettingDefaults: true, SchemaValidationOptions: formatOptions}

// Input is a request as validation sees it, each part parsed once, so that the handler gets the same
// query and form and nothing is parsed twice.
type Input struct {
	Request    *http.Request
	PathParams map[string]string
	Query      url.Values
	Body       []byte     // the body already read; nil when empty
	Form       url.Values // Body parsed, when its Content-Type is application/x-www-form-urlencoded
	// XML is an application/xml Body as ValidateRequest read it: the value its JSON form would decode
	// to, for the handler, so the body is read once.
	XML any
}

// ValidateRequest checks parameters and body against the operation, after CheckAuth and the
// media-type check have passed (credentials are CheckAuth's business, not checked again here).
func (o *Operation) ValidateRequest(ctx context.Context, in *Input) *Failure {
	input := &openapi3filter.RequestValidationInput{Request: in.Request, PathParams: in.PathParams, QueryParams: in.Query, Route: o.route, Options: requestOptions}
	for i, p := range o.params {
		if !paramIsText(p, in) {
			return &Failure{Kind: KindParam, Field: p.Name, Rule: "utf-8", In: p.In}
		}
		if c := o.compiled[i]; c != nil {
			if f := c.check(in.Request, in.PathParams, in.Query); f != nil {
				return f
			}
		} else if err := openapi3filter.ValidateParameter(ctx, input, p); err != nil {
			return requestFailure(err)
		}
	}
	rb := o.route.Operation.RequestBody
	switch {
	case rb == nil:
		return nil
	case len(in.Body) == 0 && rb.Value.Required:
		return &Failure{Kind: KindBody, Rule: "required"}
	case len(in.Body) == 0:
		return nil
	case in.Form != nil:
		if f := formText(in.Form); f != nil {
			return f
		}
		if o.form != nil {
			return o.validateFlatForm(in.Form)
		}
	case MediaType(in.Request.Header.Get("Content-Type")) == XMLMediaType:
		return o.validateXML(in)
	case strings.HasSuffix(MediaType(in.Request.Header.Get("Content-Type")), "json"):
		// JSON text is UTF-8 (RFC 8259, 8.1), and encoding/json reads any other byte as U+FFFD, so
		// a name sent in Latin-1 would be stored mangled. utf8.Valid is its own pass over the body,
		// but at several GB/s on ASCII it costs a fraction of json.Valid's.
		if !utf8.Valid(in.Body) || escapesHalfASurrogate(in.Body) {
			return &Failure{Kind: KindBody, Rule: "utf-8"}
		}
		// kin-openapi decodes a JSON body with a json.Decoder, which stops after the first value: a
		// body with more after it ({...}{...}, {...} xyz) must not pass as its first value.
		if !json.Valid(in.Body) {
			return &Failure{Kind: KindBody, Rule: "syntax"}
		}
		if o.jsonCheck != nil && MediaType(in.Request.Header.Get("Content-Type")) == "application/json" {
			if f, ok := o.jsonCheck.check(in.Body); ok {
				return f
			}
		}
	}
	// A shallow copy whose body validation may read: headers and URL are shared, never written.
	copied := *in.Request
	copied.Body = io.NopCloser(bytes.NewReader(in.Body))
	copied.ContentLength = int64(len(in.Body))
	copied.GetBody = nil
	input.Request = &copied
	if err := openapi3filter.ValidateRequestBody(ctx, input, rb.Value); err != nil {
		f := requestFailure(err)
		if f.Kind == KindBody && f.Rule == "syntax" && json.Valid(in.Body) {
			// kin-openapi refuses an object that repeats a name as a body it cannot decode; the body
			// is valid JSON, so say which name (only on this path: a valid request pays nothing).
			if pointer, ok := repeatedName(in.Body); ok {
				return &Failure{Kind: KindBody, Field: pointer, Rule: "repeated"}
			}
		}
		return f
	}
	return nil
}

// repeatedName finds the first object member of a valid JSON text whose name an earlier member of
// the same object has, and returns where it is as a JSON pointer ("/claims_required/0/type").
// Names are compared as decoded, so "a" and "\u0061" are the same name.
func repeatedName(body []byte) (pointer string, ok bool) {
	type frame struct {
		object   bool
		names    map[string]bool
		wantName bool   // in an object, the next token is a member's name
		key      string // the member being read, in an object
		index    int    // the item being read, in an array
	}
	var stack []*frame
	path := func(last string) string {
		var b strings.Builder
		for _, f := range stack[:len(stack)-1] {
			b.WriteByte('/')
			if f.object {
				b.WriteString(pointerEscaper.Replace(f.key))
			} else {
				b.WriteString(strconv.Itoa(f.index))
			}
		}
		return b.String() + "/" + pointerEscaper.Replace(last)
	}
	// afterValue moves the enclosing frame past a value it has read whole.
	afterValue := func() {
		if n := len(stack); n > 0 {
			if f := stack[n-1]; f.object {
				f.wantName = true
			} else {
				f.index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		top := (*frame)(nil)
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		if name, isName := tok.(string); isName && top != nil && top.object && top.wantName {
			if top.names[name] {
				return path(name), true
			}
			top.names[name], top.key, top.wantName = true, name, false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, names: map[string]bool{}, wantName: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			afterValue()
		default:
			afterValue()
		}
	}
}

// escapesHalfASurrogate reports whether a JSON text has a \u escape of half a UTF-16 surrogate pair
// that is not paired: a high half not followed at once by a low half's escape, or a low half alone
// ("\ud800", "\udc00\ud800"). Such an escape stands for no character, and encoding/json reads it as
// U+FFFD, so it is refused as text that is not UTF-8 is. Only a body with a backslash is scanned.
// Escapes are read pairwise without tracking quotes: in valid JSON a backslash only ever starts an
// escape inside a string (one outside is json.Valid's to refuse), so "\\ud800" is an escaped
// backslash and text.
func escapesHalfASurrogate(body []byte) bool {
	for {
		i := bytes.IndexByte(body, '\\')
		if i < 0 || i+1 >= len(body) {
			return false
		}
		body = body[i+1:]
		r, ok := unicodeEscape(body)
		if !ok {
			body = body[1:] // \\, \", \n, ...: one escaped byte, or a malformed escape
			continue
		}
		body = body[5:]
		if !utf16.IsSurrogate(r) {
			continue
		}
		low, ok := rune(0), len(body) > 0 && body[0] == '\\'
		if ok {
			low, ok = unicodeEscape(body[1:])
		}
		if !ok || utf16.DecodeRune(r, low) == unicode.ReplacementChar {
			return true
		}
		body = body[6:]
	}
}

// unicodeEscape reads the code unit of a \u escape from what follows its backslash ("u00e9").
func unicodeEscape(b []byte) (rune, bool) {
	var unit [2]byte
	if len(b) < 5 || b[0] != 'u' {
		return 0, false
	}
	if _, err := hex.Decode(unit[:], b[1:5]); err != nil {
		return 0, false
	}
	return rune(unit[0])<<8 | rune(unit[1]), true
}

// validateFlatForm checks a form body of the operation's flat form schema (o.form) from the form
// parsed once.
func (o *Operation) validateFlatForm(form url.Values) *Failure {
	v, f := formValue(o.form, form)
	switch {
	case f != nil:
		return f
	case o.formCheck != nil:
		return o.formCheck.check(v)
	}
	if err := o.form.VisitJSON(v, append([]openapi3.SchemaValidationOption{openapi3.VisitAsRequest()}, formatOptions...)...); err != nil {
		return schemaFailure(KindBody, err)
	}
	return nil
}

// paramIsText reports whether every value the request gives a query parameter is UTF-8, as a
// string of the schema's must be: a query is percent-decoded, so any byte can arrive, and an
// operation reads its parameters as text (a filter, a token). A path parameter is an id the mock
// looks up, and one that is not UTF-8 is like any unknown id: the API's 404 (eeID's spec promises
// it for any id). The specs declare no header parameters.
func paramIsText(p *openapi3.Parameter, in *Input) bool {
	if p.In != openapi3.ParameterInQuery {
		return true
	}
	for _, v := range in.Query[p.Name] {
		if !utf8.ValidString(v) {
			return false
		}
	}
	return true
}

// formText names the first field of a form, by name, whose name or a value is not UTF-8 once
// unescaped: a form body is text, as a JSON one is. A name that is not UTF-8 names no field.
func formText(form url.Values) *Failure {
	var failed *Failure
	for name, values := range form {
		text := utf8.ValidString(name)
		for _, v := range values {
			text = text && utf8.ValidString(v)
		}
		if text {
			continue
		}
		field := ""
		if utf8.ValidString(name) {
			field = "/" + PointerToken(name)
		}
		if failed == nil || field < failed.Field {
			failed = &Failure{Kind: KindBody, Field: field, Rule: "utf-8"}
		}
	}
	return failed
}

// flatForm returns the schema of the operation's form body when every property of it is a scalar,
// which is every form the specs take: such a form is a flat map, checked without kin-openapi's
// general form decoder, which walks the schema for every request and was a quarter of a login's cost.
func flatForm(op *openapi3.Operation) *openapi3.Schema {
	if op.RequestBody == nil {
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/x-www-form-urlencoded")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil
	}
	schema := mt.Schema.Value
	if !schema.Type.Is("object") || len(schema.AllOf)+len(schema.AnyOf)+len(schema.OneOf) > 0 || schema.Not != nil {
		return nil
	}
	for _, prop := range schema.Properties {
		if prop.Value == nil || !prop.Value.Type.Includes("string") && !prop.Value.Type.Includes("integer") &&
			!prop.Value.Type.Includes("number") && !prop.Value.Type.Includes("boolean") {
			return nil
		}
	}
	return schema
}

// jsonSchema is the schema of an operation's application/json body, or nil when it takes none.
func jsonSchema(op *openapi3.Operation) *openapi3.Schema {
	if op.RequestBody == nil {
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// formValue is a form as the JSON value its schema describes, decoded as kin-openapi's form decoder
// does: the first value of each known property, as its type, an empty scalar as nil; fields the
// schema does not name are left out. A value that does not parse as its property's type fails the
// body, named as kin-openapi names it (requestFailure): the first such property by name.
func formValue(schema *openapi3.Schema, form url.Values) (map[string]any, *Failure) {
	out := make(map[string]any, len(form))
	var failed *Failure
	for name, values := range form {
		prop := schema.Properties[name]
		if prop == nil || len(values) == 0 {
			continue
		}
		v, t := values[0], prop.Value.Type
		if v == "" && !t.Includes("string") {
			out[name] = nil
			continue
		}
		var err error
		switch {
		case t.Includes("integer"):
			bits := 64
			if prop.Value.Format == "int32" {
				bits = 32
			}
			var n int64
			n, err = strconv.ParseInt(v, 10, bits)
			out[name] = float64(n)
		case t.Includes("number"):
			out[name], err = strconv.ParseFloat(v, 64)
		case t.Includes("boolean"):
			out[name], err = strconv.ParseBool(v)
		default:
			out[name] = v
		}
		if err != nil && (failed == nil || "/"+name < failed.Field) {
			failed = &Failure{Kind: KindBody, Field: "/" + name, Rule: unparsedRule(err)}
		}
	}
	if failed != nil {
		return nil, failed
	}
	return out, nil
}

// unparsedRule is the rule a form value broke when it does not parse as its property's type (err is
// strconv's): "format" for an integer or number out of its format's range, else "type".
func unparsedRule(err error) string {
	if errors.Is(err, strconv.ErrRange) {
		return "format"
	}
	return "type"
}

// ValidateResponse checks a response the operation produced for r, undocumented statuses included.
// It returns nil when the response conforms.
func (o *Operation) ValidateResponse(ctx context.Context, r *http.Request, pathParams map[string]string, status int, header http.Header, body []byte) *Failure {
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: pathParams, Route: o.route},
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, SchemaValidationOptions: formatOptions},
	}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, input); err != nil {
		return responseFailure(err)
	}
	return nil
}

// ValidateValue checks a decoded JSON value (maps, slices, float64s) against a component schema,
// for documents the mock reads outside a request: fixture files.
func (s *Spec) ValidateValue(schema string, value any) *Failure {
	ref := s.doc.Components.Schemas[schema]
	if ref == nil || ref.Value == nil {
		return &Failure{Kind: KindInternal, Field: schema, Rule: "no such schema"}
	}
	if err := ref.Value.VisitJSON(value, formatOptions...); err != nil {
		return schemaFailure(KindBody, err)
	}
	return nil
}

// Rule is a conformance rule of an API (the spec's x-conformance-rules): the suite's scenarios name
// the rules they check with @rule:<ID>.
type Rule struct {
	ID     string `yaml:"id"`
	Text   string `yaml:"text"`
	Policy bool   `yaml:"policy"` // the rule, or a part of it (an exact status, a detail), is our own choice
}

// Rules lists the spec's conformance rules in document order.
func (s *Spec) Rules() []Rule { return s.rules }
