package mockapi

import (
	"net/http"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/openapi"
)

// controlError is the control API's Error schema. It is shared here because an API's own control
// operations answer in it too.
type controlError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// ControlError is an error of a control operation, in the control API's Error shape: kind is the
// schema's `error` (not-found, conflict, body, ...).
func ControlError(status int, kind, message string) *apihttp.Error {
	return ControlFieldError(status, kind, "", message)
}

// ControlFieldError is ControlError for an error that one field of the request caused, named as the
// Error schema's `field` (a JSON pointer into the body, or a header).
func ControlFieldError(status int, kind, field, message string) *apihttp.Error {
	return &apihttp.Error{Status: status, Body: controlError{Error: kind, Message: message, Field: field}}
}

// ControlErrors answers the control API's errors, and a contract failure of a control request, in
// its Error shape.
func ControlErrors() apihttp.Errors {
	return apihttp.Errors{Failure: func(_ *http.Request, f *openapi.Failure) apihttp.Error {
		return apihttp.Error{Status: apihttp.Status(f.Kind), Body: controlError{Error: string(f.Kind), Message: f.Message(), Field: f.Field}}
	}}
}
