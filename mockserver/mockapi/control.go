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

// WriteControlError writes a control API error: kind is the Error schema's `error` (not-found,
// conflict, body, ...).
func WriteControlError(w http.ResponseWriter, status int, kind, message string) {
	apihttp.WriteJSON(w, status, controlError{Error: kind, Message: message})
}

// WriteControlFieldError is WriteControlError for an error that one field of the request caused,
// named as the Error schema's `field` (a JSON pointer into the body, or a header).
func WriteControlFieldError(w http.ResponseWriter, status int, kind, field, message string) {
	apihttp.WriteJSON(w, status, controlError{Error: kind, Message: message, Field: field})
}

// WriteControlFailure renders a contract failure of a control request (the control API's
// apihttp.ErrorWriter).
func WriteControlFailure(w http.ResponseWriter, _ *http.Request, f *openapi.Failure) {
	apihttp.WriteJSON(w, apihttp.Status(f.Kind), controlError{Error: string(f.Kind), Message: f.Message(), Field: f.Field})
}
