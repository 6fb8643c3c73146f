package rampable

import (
	"net/http"
	"strings"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/openapi"
)

// errorBody is every Rampable error: the vendor documents none, so it is its success envelope with
// the status as statusCode, which is the key client code checks (openapi/rampable.yaml's Error).
type errorBody struct {
	StatusCode int       `json:"statusCode"`
	Message    string    `json:"message"`
	Data       *struct{} `json:"data"` // always null
}

// Rampable's errors, each declared once.
var (
	errCredentials = rpError(http.StatusUnauthorized, "Invalid email or password") // a wrong password and an unknown email alike
	errUnverified  = rpError(http.StatusForbidden, "Email is not verified")
	errEmailTaken  = rpError(http.StatusConflict, "Email is already registered")
	errWrongCode   = rpError(http.StatusBadRequest, "Invalid OTP")
	// errDeadVerification is a verification token that is not a live one of this mock: malformed,
	// forged, expired, used, superseded by a newer login, or dead after the attempt limit.
	errDeadVerification = rpError(http.StatusUnauthorized, "Invalid or expired verification token")
	// errOptionalField is a registration refused for an optional field, only with RP-01 broken.
	errOptionalField = rpError(http.StatusBadRequest, "nationalID, country and countryCode are not accepted")
)

// rpError is an error in Rampable's shape.
func rpError(status int, message string) *apihttp.Error {
	return &apihttp.Error{Status: status, Body: errorBody{StatusCode: status, Message: message}}
}

// Errors implements mockapi.API: every error in Rampable's envelope, a contract failure with its
// usual status and a message naming what is wrong, never the value.
func (m *Mock) Errors() apihttp.Errors {
	return apihttp.Errors{Failure: m.failure}
}

func (m *Mock) failure(r *http.Request, f *openapi.Failure) apihttp.Error {
	if m.env.Broken.Has(ruleFullNameNeeded) && f.Kind == openapi.KindBody && f.Field == "/fullName" && f.Rule == "required" {
		if ok, err := m.registeredWithoutFullName(r); err == nil {
			return ok
		}
	}
	status := apihttp.Status(f.Kind)
	message := failureMessage(f)
	if m.env.Broken.Has(ruleErrorsNameField) && status == http.StatusBadRequest {
		message = "Bad request"
	}
	return apihttp.Error{Status: status, Body: errorBody{StatusCode: status, Message: message}}
}

// failureMessage says what broke the contract in Rampable's words, naming the field as the request
// spells it (fullName, or a.b inside an object) and never its value.
func failureMessage(f *openapi.Failure) string {
	switch f.Kind {
	case openapi.KindMediaType:
		return "Content-Type must be application/json"
	case openapi.KindTooLarge:
		return "The request body is too large"
	case openapi.KindNotFound:
		return "Not found"
	case openapi.KindBody:
		return bodyMessage(strings.ReplaceAll(strings.TrimPrefix(f.Field, "/"), "/", "."), f.Rule)
	}
	return f.Message()
}

func bodyMessage(field, rule string) string {
	if field == "" {
		switch rule {
		case "required":
			return "A JSON body is required"
		case "syntax":
			return "The body is not valid JSON"
		case "utf-8":
			return "The body is not valid UTF-8"
		case "type":
			return "The body must be a JSON object"
		}
		return "The body is invalid (" + rule + ")"
	}
	switch rule {
	case "required":
		return field + " is required"
	case "unknown":
		return field + " is not a field of this request"
	case "type":
		return field + " has the wrong type"
	case "minLength":
		return field + " is too short"
	case "maxLength":
		return field + " is too long"
	case "pattern":
		return field + " is not in the expected format"
	case "utf-8":
		return field + " is not valid UTF-8"
	case "repeated":
		return field + " is given more than once"
	}
	return field + " is invalid (" + rule + ")"
}
