package eeid

import (
	"net/http"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/openapi"
)

// errorBody is eeID's error body everywhere: {"error": "..."}.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, message string) {
	apihttp.WriteJSON(w, status, errorBody{Error: message})
}

// WriteFailure renders a contract failure in eeID's shape: what breaks a schema is 422, as the vendor
// answers validation errors; the rest keep their usual statuses.
func (m *Mock) WriteFailure(w http.ResponseWriter, _ *http.Request, f *openapi.Failure) {
	switch f.Kind {
	case openapi.KindBody, openapi.KindParam:
		writeError(w, http.StatusUnprocessableEntity, f.Message())
	case openapi.KindAuth:
		writeError(w, http.StatusUnauthorized, "Unauthorized")
	default:
		writeError(w, apihttp.Status(f.Kind), f.Message())
	}
}
