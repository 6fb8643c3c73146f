package apihttp

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/idvkit/idvkit/openapi"
)

// Error is an error an API declares once, as fosite declares its RFC6749Error values: the status it
// is answered with, and its body in the API's own error shape. A flow returns one, wrapped or not,
// and the API's Errors writes it, the one place that writes the API's errors; a domain function may
// return one too (an empty wallet is a 402), so that its callers need not translate it.
type Error struct {
	Status int
	Body   any // written as the API's Errors writes bodies: JSON unless it says otherwise
}

func (e *Error) Error() string {
	return fmt.Sprintf("%d %s: %+v", e.Status, http.StatusText(e.Status), e.Body)
}

// Errors is how one API answers every error, in its own shape and only here: an *Error it declares
// as it is, a contract failure (a request that breaks the spec, or the mock's own bug) as Failure
// says, through Write.
type Errors struct {
	// Failure is the API's answer to a contract failure. A failure of KindInternal is a bug of the
	// mock, already logged; its answer says nothing more about it.
	Failure func(r *http.Request, f *openapi.Failure) Error
	// Write writes an answer: an API's one rule for all its errors (a 401 that names its scheme, a
	// body in JSON or XML by Accept). Nil writes the body as JSON with the status.
	Write func(w http.ResponseWriter, r *http.Request, e Error)
}

// Answer writes err, and returns the status it was answered with: an *Error found in its chain as it
// is, else a Failure found in it, else a bug of the mock, which is logged, with the API and operation
// of the request when it was routed to one, and answered as a Failure of KindInternal, so its detail
// never reaches the client.
func (x Errors) Answer(w http.ResponseWriter, r *http.Request, err error) (status int) {
	switch e := err.(type) { // as errors.As would find them, without its allocation when unwrapped
	case *Error:
		return x.write(w, r, *e)
	case *openapi.Failure:
		return x.write(w, r, x.Failure(r, e))
	}
	var e *Error
	if errors.As(err, &e) {
		return x.write(w, r, *e)
	}
	var f *openapi.Failure
	if !errors.As(err, &f) {
		logger, attrs := slog.Default(), []any{"error", err}
		if st := state(r); st != nil {
			logger, attrs = st.h.log, append(attrs, "api", st.h.spec.Name, "operation", st.op.ID)
		}
		logger.Error("mock failed", attrs...)
		f = &openapi.Failure{Kind: openapi.KindInternal, Rule: "internal"}
	}
	return x.write(w, r, x.Failure(r, f))
}

func (x Errors) write(w http.ResponseWriter, r *http.Request, e Error) int {
	if x.Write != nil {
		x.Write(w, r, e)
	} else {
		WriteJSON(w, e.Status, e.Body)
	}
	return e.Status
}

// Fail answers a request an operation's handler is serving with err, through its API's Errors (see
// Answer). A handler that is a Flow never calls it: its flow returns the error.
func Fail(w http.ResponseWriter, r *http.Request, err error) {
	st := state(r)
	if st == nil {
		slog.Error("mock failed outside an API", "error", err)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	st.h.errors.Answer(w, r, err)
}

// Body is a success body that writes itself, for one that is not JSON: a PDF, or a body in JSON or
// XML as the request's Accept asks.
type Body interface {
	WriteBody(w http.ResponseWriter, r *http.Request, status int)
}

// Flow is the handler of an operation whose flow returns its answer as values, as fosite's flows
// do: the status and body of a success, or an error, which Fail answers in the API's shape. A nil
// body is none (a 204); a Body writes itself; any other is written as JSON.
func Flow(flow func(r *http.Request) (status int, body any, err error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body, err := flow(r)
		if err != nil {
			Fail(w, r, err)
			return
		}
		switch b := body.(type) {
		case nil:
			w.WriteHeader(status)
		case Body:
			b.WriteBody(w, r, status)
		default:
			WriteJSON(w, status, body)
		}
	})
}
