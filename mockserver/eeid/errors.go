package eeid

import (
	"net/http"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/openapi"
)

// errorBody is eeID's error body everywhere: {"error": "..."}.
type errorBody struct {
	Error string `json:"error"`
}

// eeID's errors, each declared once.
var (
	errUndecodable       = eeError(http.StatusUnprocessableEntity, "The body cannot be decoded")
	errSubRequired       = eeError(http.StatusUnprocessableEntity, "claims_required must hold a sub claim with a value") // EE-04 broken
	errRequestNotFound   = eeError(http.StatusNotFound, "Identification request not found")
	errRequestLookup500  = eeError(http.StatusInternalServerError, "Identification request not found") // EE-07 broken
	errProofNotFound     = eeError(http.StatusNotFound, "Proof of identity not found")
	errNoService         = mockapi.ControlError(http.StatusNotFound, "not-found", "No service has that client_id")
	errNoDelivery        = mockapi.ControlError(http.StatusNotFound, "not-found", "No eeID delivery has that id")
	errWebhookURLMissing = mockapi.ControlError(http.StatusBadRequest, "body", "url is required")
	errControlBody       = mockapi.ControlError(http.StatusBadRequest, "body", "The body cannot be decoded")
)

// Why a request cannot move as a control operation or a person asks (complete, abort, expire): the
// control API answers them as they are, the link's page in its own words.
var (
	errCompleted = mockapi.ControlError(http.StatusConflict, "conflict", "the request is already completed: its link is dead")
	errExpired   = mockapi.ControlError(http.StatusConflict, "conflict", "the request's link has expired")
	errNoRequest = mockapi.ControlError(http.StatusNotFound, "not-found", "No identification request has that id")
)

// eeError is an error in eeID's shape.
func eeError(status int, message string) *apihttp.Error {
	return &apihttp.Error{Status: status, Body: errorBody{Error: message}}
}

// Errors implements mockapi.API: every error in eeID's shape, where what breaks a schema is 422, as
// the vendor answers validation errors; the rest keep their usual statuses.
func (m *Mock) Errors() apihttp.Errors {
	return apihttp.Errors{Failure: func(_ *http.Request, f *openapi.Failure) apihttp.Error {
		switch f.Kind {
		case openapi.KindBody, openapi.KindParam:
			return apihttp.Error{Status: http.StatusUnprocessableEntity, Body: errorBody{Error: f.Message()}}
		case openapi.KindAuth:
			return apihttp.Error{Status: http.StatusUnauthorized, Body: errorBody{Error: "Unauthorized"}}
		}
		return apihttp.Error{Status: apihttp.Status(f.Kind), Body: errorBody{Error: f.Message()}}
	}}
}
