// Package apihttp serves one API from its OpenAPI spec: it routes each request to the handler of its
// operationId, validates the request before the handler sees it and the response before it leaves,
// and answers every error in the API's own error shape through the API's Errors.
//
// Precedence when several failures apply (DESIGN.md): auth (credentials missing, then invalid),
// then not-acceptable (an Accept that takes no form an operation of JSON and XML answers in), then
// too-large, then media-type, then body or parameters. A response that breaks the spec is the mock's own bug: it is logged and
// replaced by a 500, so it is loud in every test.
package apihttp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/idvkit/idvkit/mockserver/journal"
	"github.com/idvkit/idvkit/openapi"
)

// DefaultMaxBodyBytes is the request body limit unless Options says otherwise: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// MaxHeaderBytes is the limit on a request's line and headers, for every API, the control API and
// the pages alike: 64 KiB, as HeaderBytes counts them. The http.Server in front must allow more (its default, 1 MiB)
// for a request over it to reach the mock and get the API's 431 rather than net/http's plain one.
const MaxHeaderBytes = 64 << 10

// Authenticator judges the credentials of a request to an operation that requires some, once their
// presence has been checked against the spec and before anything else: it returns what it learnt
// about the caller (a session), which the handler reads with Caller, or a Failure of KindAuth.
type Authenticator func(r *http.Request, op *openapi.Operation) (caller any, f *openapi.Failure)

// API is what Handler serves.
type API struct {
	Spec *openapi.Spec
	// Operations maps every operationId of the spec to its handler.
	Operations   map[string]http.Handler
	Authenticate Authenticator // nil: credentials of the right shape are enough
	Errors       Errors
}

// Options tune an API's Handler.
type Options struct {
	MaxBodyBytes int64        // zero means DefaultMaxBodyBytes
	Logger       *slog.Logger // nil means slog.Default()
	// Responses says which responses are validated against the spec before they leave.
	Responses ResponseChecks
	// Prefix is the path the API is served under ("/rambase"); requests are routed on what follows
	// it. Empty serves the API at the root.
	Prefix string
	// PublicURL is the URL clients reach the mock at, for links the handlers hand out (BaseURL);
	// empty derives it from each request.
	PublicURL string
	// DeclaredMediaTypesOnly answers 415 to a request whose Content-Type is none the spec declares
	// for any request body, even when its operation takes no body and would ignore it: the control
	// API's, so that a form or text/plain, which a browser sends to another site without asking
	// it first (no CORS preflight), reaches no handler. A request without a Content-Type is judged
	// as any other.
	DeclaredMediaTypesOnly bool
	// Journal is told of every request the Handler answers, with its operation, status and the
	// Failure that refused it, if one did; nil tells nobody.
	Journal *journal.Journal
}

// ResponseChecks is a policy for validating the mock's own responses. A response that breaks the
// spec is a bug of the mock, so the policy trades how soon a bug shows against what every response
// costs: validating one takes about as long as the rest of the request put together.
type ResponseChecks int

const (
	// SampleResponses, the served mock's policy, validates the first SampleFirst responses of each
	// operation and status fully, then one in SampleEvery, and every response of an operation and
	// status once one of them has broken the spec: each shape is checked as soon as it appears, and
	// a bug in a rarer branch of it still shows within a few dozen of its responses.
	SampleResponses ResponseChecks = iota
	// EveryResponse validates every response: tests, and `idvkit serve --validate-responses all`.
	EveryResponse
)

// The sampling of SampleResponses.
const (
	SampleFirst = 16
	SampleEvery = 64
)

// Handler serves one API. Build it with New.
type Handler struct {
	spec     *openapi.Spec
	handlers map[string]http.Handler
	auth     Authenticator
	errors   Errors
	maxBody  int64
	log      *slog.Logger
	checks   ResponseChecks
	shapes   map[string]*shapes // by operationId; read-only after New
	prefix   string
	public   string
	declared bool // Options.DeclaredMediaTypesOnly
	journal  *journal.Journal
}

// shapes counts one operation's responses by status, for sampling.
type shapes struct {
	seen   [600]atomic.Uint64
	broken [600]atomic.Bool
}

// shouldValidate reports whether a response of the operation with this status is to be validated.
func (h *Handler) shouldValidate(op *openapi.Operation, status int) bool {
	sh := h.shapes[op.ID]
	if h.checks == EveryResponse || status >= len(sh.seen) || sh.broken[status].Load() {
		return true
	}
	n := sh.seen[status].Add(1)
	return n <= SampleFirst || n%SampleEvery == 0
}

// markBroken makes every later response of the operation with this status validated.
func (h *Handler) markBroken(op *openapi.Operation, status int) {
	if sh := h.shapes[op.ID]; status < len(sh.broken) {
		sh.broken[status].Store(true)
	}
}

// New builds the Handler for an API. An operation without a handler, or a handler for no operation,
// is an error, so a spec and its mock cannot drift apart.
func New(api API, opts Options) (*Handler, error) {
	spec, handlers := api.Spec, api.Operations
	var missing []string
	for _, op := range spec.Operations() {
		if handlers[op.ID] == nil {
			missing = append(missing, op.ID)
		}
	}
	for id := range handlers {
		if spec.Operation(id) == nil {
			return nil, fmt.Errorf("apihttp: %s: handler for unknown operation %q", spec.Name, id)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("apihttp: %s: no handler for %s", spec.Name, strings.Join(missing, ", "))
	}
	if api.Errors.Failure == nil {
		return nil, fmt.Errorf("apihttp: %s: no answer to a contract failure (Errors.Failure)", spec.Name)
	}
	h := &Handler{spec: spec, handlers: handlers, auth: api.Authenticate, errors: api.Errors, maxBody: opts.MaxBodyBytes,
		log: opts.Logger, checks: opts.Responses, shapes: make(map[string]*shapes, len(handlers)),
		prefix: opts.Prefix, public: strings.TrimSuffix(opts.PublicURL, "/"), declared: opts.DeclaredMediaTypesOnly,
		journal: opts.Journal}
	for id := range handlers {
		h.shapes[id] = new(shapes)
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	return h, nil
}

// request is what the Handler learnt about one request, for its handler: one context value, so a
// request costs one context allocation whatever the handler asks.
type request struct {
	h      *Handler
	op     *openapi.Operation
	params map[string]string
	query  url.Values
	form   url.Values
	body   []byte // as read, once validated
	caller any
	answer answer // JSON, XML or neither, for an operation that answers both (negotiate)
	xml    any    // an XML body as validation read it (DecodeBody)
}

type requestKey struct{}

func state(r *http.Request) *request {
	st, _ := r.Context().Value(requestKey{}).(*request)
	return st
}

// PathParam returns a path parameter of the matched operation.
func PathParam(r *http.Request, name string) string {
	if st := state(r); st != nil {
		return st.params[name]
	}
	return ""
}

// Query returns the request's query parameters, parsed once for validation and handler alike.
func Query(r *http.Request) url.Values {
	if st := state(r); st != nil {
		return st.query
	}
	return query(r.URL)
}

// Form returns the request's form body (application/x-www-form-urlencoded), parsed once for
// validation and handler alike; nil for a body of another type.
func Form(r *http.Request) url.Values {
	if st := state(r); st != nil {
		return st.form
	}
	return nil
}

// Operation returns the operation the request was routed to, or nil before routing (an unknown path).
// Error writers use it to say which fields an operation wanted.
func Operation(r *http.Request) *openapi.Operation {
	if st := state(r); st != nil {
		return st.op
	}
	return nil
}

// Caller returns what the API's Authenticator learnt about the caller, or nil for an operation
// without credentials.
func Caller(r *http.Request) any {
	if st := state(r); st != nil {
		return st.caller
	}
	return nil
}

// BaseURL returns the external URL the API is served under (RootURL, then the prefix), so handlers
// can write links that point back at the mock.
func BaseURL(r *http.Request) string {
	if st := state(r); st != nil {
		return RootURL(r) + st.h.prefix
	}
	return RootURL(r)
}

// RootURL returns the external URL of the mock itself: the public URL, or the request's scheme and
// host. End-user pages (/_mock/ui/...) live under it.
func RootURL(r *http.Request) string {
	if st := state(r); st != nil && st.h.public != "" {
		return st.h.public
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if HeaderBytes(r) > MaxHeaderBytes {
		f := &openapi.Failure{Kind: openapi.KindHeaderTooLarge, Rule: "max-header-bytes"}
		h.record(r, nil, nil, h.errors.Answer(w, r, f), f)
		return
	}
	op, params, f := h.spec.Find(r.Method, strings.TrimPrefix(openapi.RequestPath(r.URL), h.prefix))
	if f != nil {
		if f.Kind == openapi.KindMethod {
			w.Header().Set("Allow", f.Field)
		}
		h.record(r, nil, nil, h.errors.Answer(w, r, f), f)
		return
	}
	st := &request{h: h, op: op, params: params, query: query(r.URL)}
	if op.AnswersXML() {
		// Judged now, so that a refusal of the credentials is already in the form asked for.
		st.answer = negotiate(r.Header.Values("Accept"))
	}
	r = r.WithContext(context.WithValue(r.Context(), requestKey{}, st))
	if f := op.CheckAuth(r, st.query); f != nil {
		h.fail(w, r, op, params, nil, f)
		return
	}
	if h.auth != nil && op.Secured() {
		if st.caller, f = h.auth(r, op); f != nil {
			h.fail(w, r, op, params, nil, f)
			return
		}
	}
	if st.answer == answerNone {
		h.fail(w, r, op, params, nil, &openapi.Failure{Kind: openapi.KindNotAcceptable, Field: answersIn, Rule: "accept"})
		return
	}
	// Only an operation that takes a body reads one. To one that declares none (every GET) a body
	// means nothing (RFC 9110, 9.3.1: GET content has no generally defined semantics) and the vendors'
	// own frameworks ignore it, so the mock does too, whatever its size, Content-Type or form, rather
	// than answer a 413, 415 or 422 the operation does not document; Linger drains it.
	var body []byte
	if op.HasBody() {
		if body, f = h.readBody(r); f != nil {
			h.fail(w, r, op, params, body, f)
			return
		}
	}
	if ct := r.Header.Get("Content-Type"); (len(body) > 0 && !op.TakesMediaType(ct)) ||
		(h.declared && ct != "" && !h.spec.TakesMediaType(ct)) {
		h.fail(w, r, op, params, body, &openapi.Failure{Kind: openapi.KindMediaType, Field: "Content-Type", Rule: "content-type"})
		return
	}
	in := &openapi.Input{Request: r, PathParams: params, Query: st.query, Body: body}
	if len(body) > 0 && openapi.MediaType(r.Header.Get("Content-Type")) == "application/x-www-form-urlencoded" {
		var err error
		if in.Form, err = parseQuery(string(body)); err != nil {
			h.fail(w, r, op, params, body, formFailure(string(body)))
			return
		}
	}
	if f := op.ValidateRequest(r.Context(), in); f != nil {
		h.fail(w, r, op, params, body, f)
		return
	}
	// The handler reads the form already parsed (Form, or r.ParseForm, which keeps it) and the body
	// already read: none when its operation takes none, whatever was sent.
	st.form, r.PostForm, st.body, st.xml = in.Form, in.Form, body, in.XML
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))

	rec := newRecorder(w, func(status int) bool { return h.shouldValidate(op, status) })
	defer rec.release()
	if !h.serve(rec, r, op) {
		if rec.direct {
			// Part of the response is on its way; all that can be done is to break it off.
			h.record(r, op, body, rec.status, nil)
			panic(http.ErrAbortHandler)
		}
		h.record(r, op, body, h.errors.Answer(w, r, &openapi.Failure{Kind: openapi.KindInternal, Rule: "panic"}), nil)
		return
	}
	h.record(r, op, body, h.send(w, r, op, params, rec), nil)
}

// fail answers a request to op that failed before its handler ran, in the API's error shape, and
// checks the answer against the spec as it checks a handler's: a failure status the operation does
// not document (a 400 for a path parameter's pattern) is as much the mock's bug as a handler's.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, op *openapi.Operation, params map[string]string, body []byte, f *openapi.Failure) {
	rec := newRecorder(w, func(status int) bool { return h.shouldValidate(op, status) })
	defer rec.release()
	h.errors.Answer(rec, r, f)
	h.record(r, op, body, h.send(w, r, op, params, rec), f)
}

// record tells the journal, if there is one, of a request and what it got.
func (h *Handler) record(r *http.Request, op *openapi.Operation, body []byte, status int, f *openapi.Failure) {
	h.journal.Record(journal.Exchange{API: h.spec.Name, Op: op, Request: r, Body: body, Status: status, Failure: f})
}

// send sends what rec held back once it conforms to the spec, or a 500 in its place, and returns the
// status sent.
func (h *Handler) send(w http.ResponseWriter, r *http.Request, op *openapi.Operation, params map[string]string, rec *recorder) int {
	status := rec.statusOrOK()
	if rec.direct {
		return status
	}
	if f := op.ValidateResponse(r.Context(), r, params, status, w.Header(), rec.body.Bytes()); f != nil {
		h.markBroken(op, status)
		h.log.Error("mock response breaks its spec", "api", h.spec.Name, "operation", op.ID, "status", status, "failure", f.Error())
		clear(w.Header())
		return h.errors.Answer(w, r, &openapi.Failure{Kind: openapi.KindInternal, Field: f.Field, Rule: f.Rule})
	}
	w.WriteHeader(status)
	_, _ = w.Write(rec.body.Bytes())
	return status
}

// serve runs the operation's handler, turning a panic into false so a bug is a 500, not a crash.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, op *openapi.Operation) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.Error("mock handler panicked", "api", h.spec.Name, "operation", op.ID, "panic", fmt.Sprint(p))
			ok = false
		}
	}()
	h.handlers[op.ID].ServeHTTP(w, r)
	return true
}

// HeaderBytes is the size of a request's line and headers as a client writes them: the request line,
// and for each header (Host included) its name, ": ", its value and CRLF. A client that folds or pads
// its headers sent a few bytes more than this.
func HeaderBytes(r *http.Request) int64 {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	if r.Host != "" {
		n += len("Host: ") + len(r.Host) + 2
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return int64(n)
}

// readBody reads the request body, refusing one over the limit: by its Content-Length before reading a
// byte of it, or once the limit has been read.
func (h *Handler) readBody(r *http.Request) ([]byte, *openapi.Failure) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > h.maxBody {
		return nil, &openapi.Failure{Kind: openapi.KindTooLarge, Rule: "max-bytes"}
	}
	if r.ContentLength > 0 {
		// The length is known and within the limit (net/http reads no further): one allocation.
		body := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, &openapi.Failure{Kind: openapi.KindBody, Rule: "read"}
		}
		return body, nil
	}
	// Of unknown length (chunked): read one byte past the limit to tell a body at the limit from one
	// over it. The rest is left unread: Linger reads and discards it after the 413 has gone out.
	body, err := io.ReadAll(io.LimitReader(r.Body, h.maxBody+1))
	if err != nil {
		return nil, &openapi.Failure{Kind: openapi.KindBody, Rule: "read"}
	}
	if int64(len(body)) > h.maxBody {
		return nil, &openapi.Failure{Kind: openapi.KindTooLarge, Rule: "max-bytes"}
	}
	return body, nil
}

// recorder stands between a handler and the response. When the handler writes its status, it asks
// whether this response is to be validated: if so it holds the body back until validation has passed
// (the headers wait, unwritten, in the response's own header map); if not it writes straight through,
// with no copy.
type recorder struct {
	w        http.ResponseWriter
	validate func(status int) bool
	status   int
	direct   bool // writing straight through
	body     bytes.Buffer
}

// recorders are reused: a recorder per request was a good part of the garbage a request made.
var recorders = sync.Pool{New: func() any { return new(recorder) }}

func newRecorder(w http.ResponseWriter, validate func(status int) bool) *recorder {
	rec := recorders.Get().(*recorder)
	rec.w, rec.validate = w, validate
	return rec
}

func (rec *recorder) Header() http.Header { return rec.w.Header() }

func (rec *recorder) WriteHeader(status int) {
	if rec.status != 0 {
		return
	}
	rec.status = status
	if !rec.validate(status) {
		rec.direct = true
		rec.w.WriteHeader(status)
	}
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.WriteHeader(http.StatusOK)
	}
	if rec.direct {
		return rec.w.Write(p)
	}
	return rec.body.Write(p)
}

// statusOrOK is the status the handler wrote, or 200 for a handler that wrote none.
func (rec *recorder) statusOrOK() int {
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}

// release returns the recorder to the pool, unless its buffer grew large (a PDF), which the pool
// would then keep alive.
func (rec *recorder) release() {
	if rec.body.Cap() > 64<<10 {
		return
	}
	*rec = recorder{body: rec.body}
	rec.body.Reset()
	recorders.Put(rec)
}
