package bundeling

import (
	"net/http"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/openapi"
)

// errorBody is our error shape (the vendor documents none): {"error": {"code", "message"}}, the
// same fields in XML under <response>.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    int    `json:"code"` // the HTTP status
	Message string `json:"message"`
}

// Bundeling's errors, each declared once.
var (
	// errTokenRefused is the one answer to a token that is unknown, used, expired or of another
	// environment than the key's: which it was is not told (BU-02, BU-03, BU-12).
	errTokenRefused = buError(http.StatusBadRequest, "The token is invalid or has expired")
	errNoSuchUser   = buError(http.StatusNotFound, "No such user")
	errKeyKind      = buError(http.StatusForbidden, "This API key may not call this operation")
	errLogin        = buError(http.StatusUnauthorized, "The username or password is incorrect")
)

func buError(status int, message string) *apihttp.Error {
	e := answer(status, message)
	return &e
}

func answer(status int, message string) apihttp.Error {
	return apihttp.Error{Status: status, Body: errorBody{Error: errorDetail{Code: status, Message: message}}}
}

// Errors implements mockapi.API: every error in our shape, in JSON or XML as Accept asks, an answer
// to a request that reached no operation (an unknown path) too.
func (m *Mock) Errors() apihttp.Errors {
	return apihttp.Errors{Failure: m.failure, Write: func(w http.ResponseWriter, r *http.Request, e apihttp.Error) {
		if m.env.Broken.Has(ruleXML) {
			apihttp.WriteJSON(w, e.Status, e.Body)
			return
		}
		apihttp.Negotiated{Value: e.Body, Fallback: m.errorXML}.WriteBody(w, r, e.Status)
	}}
}

// failure is a contract failure in our shape, with the status apihttp gives its kind: 400 for a body
// or parameter, 401, 404, 405, 406, 413, 415.
func (m *Mock) failure(r *http.Request, f *openapi.Failure) apihttp.Error {
	op := apihttp.Operation(r)
	if op != nil && op.ID == opUserIdentity {
		switch {
		case f.Kind == openapi.KindAuth && f.Rule == "required" && m.env.Broken.Has(ruleKeyRequired):
			if e, ok := m.redeemWithoutKey(r); ok {
				return e
			}
		case f.Kind == openapi.KindBody && m.env.Broken.Has(ruleTokenRequired):
			return answer(http.StatusUnauthorized, "Authentication is required")
		}
	}
	return answer(apihttp.Status(f.Kind), f.Message())
}

// negotiated is a success body in JSON or XML as Accept asks; always JSON with BU-15 broken.
func (m *Mock) negotiated(v any) any {
	if m.env.Broken.Has(ruleXML) {
		return v
	}
	return apihttp.Negotiated{Value: v}
}
