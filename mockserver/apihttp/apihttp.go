// Package apihttp serves one API from its OpenAPI spec: it routes each request to the handler of its
// operationId, validates the request before the handler sees it and the response before it leaves,
// and renders every failure in the API's own error shape through the API's ErrorWriter.
//
// Precedence when several failures apply (DESIGN.md): auth (credentials missing, then invalid),
// then too-large, then media-type, then body or parameters. A response that breaks the spec is the mock's own bug: it is logged and
// replaced by a 500, so it is loud in every test.
package apihttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/idvkit/idvkit/openapi"
)

// DefaultMaxBodyBytes is the request body limit unless Options says otherwise: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// ErrorWriter renders a Failure in an API's own error shape and status.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, f *openapi.Failure)

// Authenticator judges the credentials of a request to an operation that requires some, once their
// presence has been checked against the spec and before anything else: it returns the request
// carrying what it learnt (the caller's session) for the handler, or a Failure of KindAuth.
type Authenticator func(r *http.Request, op *openapi.Operation) (*http.Request, *openapi.Failure)

// API is what Handler serves.
type API struct {
	Spec *openapi.Spec
	// Operations maps every operationId of the spec to its handler.
	Operations   map[string]http.Handler
	Authenticate Authenticator // nil: credentials of the right shape are enough
	WriteFailure ErrorWriter
}

// Options tune an API's Handler.
type Options struct {
	MaxBodyBytes int64        // zero means DefaultMaxBodyBytes
	Logger       *slog.Logger // nil means slog.Default()
}

// Handler serves one API. Build it with New.
type Handler struct {
	spec     *openapi.Spec
	handlers map[string]http.Handler
	auth     Authenticator
	writeErr ErrorWriter
	maxBody  int64
	log      *slog.Logger
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
	h := &Handler{spec: spec, handlers: handlers, auth: api.Authenticate, writeErr: api.WriteFailure, maxBody: opts.MaxBodyBytes, log: opts.Logger}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	return h, nil
}

type ctxKey int

const (
	pathParamsKey ctxKey = iota
	baseURLKey
)

// PathParam returns a path parameter of the matched operation.
func PathParam(r *http.Request, name string) string {
	params, _ := r.Context().Value(pathParamsKey).(map[string]string)
	return params[name]
}

// WithBaseURL records the external URL the API is served under (public URL plus prefix), so handlers
// can write links that point back at the mock.
func WithBaseURL(r *http.Request, base string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), baseURLKey, strings.TrimSuffix(base, "/")))
}

// BaseURL returns the URL recorded by WithBaseURL, or one derived from the request itself.
func BaseURL(r *http.Request) string {
	if base, ok := r.Context().Value(baseURLKey).(string); ok {
		return base
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, params, f := h.spec.Find(r.Method, r.URL.Path)
	if f != nil {
		if f.Kind == openapi.KindMethod {
			w.Header().Set("Allow", f.Field)
		}
		h.writeErr(w, r, f)
		return
	}
	if f := op.CheckAuth(r.Context(), r); f != nil {
		h.writeErr(w, r, f)
		return
	}
	if h.auth != nil && op.Secured() {
		if r, f = h.auth(r, op); f != nil {
			h.writeErr(w, r, f)
			return
		}
	}
	body, f := h.readBody(w, r)
	if f != nil {
		h.writeErr(w, r, f)
		return
	}
	if len(body) > 0 && op.HasBody() && !op.TakesMediaType(r.Header.Get("Content-Type")) {
		h.writeErr(w, r, &openapi.Failure{Kind: openapi.KindMediaType, Field: "Content-Type", Rule: "content-type"})
		return
	}
	if f := op.ValidateRequest(r.Context(), r, params, body); f != nil {
		h.writeErr(w, r, f)
		return
	}

	r = r.WithContext(context.WithValue(r.Context(), pathParamsKey, params))
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))

	rec := newRecorder()
	defer rec.release()
	if !h.serve(rec, r, op) {
		h.writeErr(w, r, &openapi.Failure{Kind: openapi.KindInternal, Rule: "panic"})
		return
	}
	if f := op.ValidateResponse(r.Context(), r, params, rec.status, rec.header, rec.body.Bytes()); f != nil {
		h.log.Error("mock response breaks its spec", "api", h.spec.Name, "operation", op.ID, "status", rec.status, "failure", f.Error())
		h.writeErr(w, r, &openapi.Failure{Kind: openapi.KindInternal, Field: f.Field, Rule: f.Rule})
		return
	}
	rec.flush(w)
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

func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *openapi.Failure) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > h.maxBody {
		return nil, &openapi.Failure{Kind: openapi.KindTooLarge, Rule: "max-bytes"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &openapi.Failure{Kind: openapi.KindTooLarge, Rule: "max-bytes"}
		}
		return nil, &openapi.Failure{Kind: openapi.KindBody, Rule: "read"}
	}
	return body, nil
}

// recorder buffers a handler's response so it can be validated before any byte is sent.
type recorder struct {
	status int
	header http.Header
	body   *bytes.Buffer
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func newRecorder() *recorder {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return &recorder{header: make(http.Header), body: b}
}

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(p)
}

func (rec *recorder) flush(w http.ResponseWriter) {
	dst := w.Header()
	for k, v := range rec.header {
		dst[k] = v
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

func (rec *recorder) release() {
	if rec.body.Cap() <= 64<<10 {
		bufPool.Put(rec.body)
	}
}
