package rambase

import (
	"net/http"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/openapi"
)

// errorBody is RamBase's error body (api.rambase.net/gettingstarted/errormessages) with the SDK's
// login-error fields, which only the token endpoint fills.
type errorBody struct {
	HTTPStatusCode        int      `json:"httpStatusCode"`
	HTTPStatusDescription string   `json:"httpStatusDescription"`
	Message               string   `json:"message"`
	TranslatedMessage     string   `json:"translatedMessage"`
	Parameters            []string `json:"parameters"`
	InnerErrors           []string `json:"innerErrors"`
	ErrorCode             int      `json:"error_code,omitempty"`
	OTPRequired           *bool    `json:"otp_required,omitempty"`
	OTPMethod             string   `json:"otp_method,omitempty"`
	Targets               []string `json:"targets,omitempty"`
}

// Login error codes: 5 and 10 are RamBase's (SDK JsonLoginError); the others are ours.
const (
	codeInvalidClient      = 1
	codeInvalidCredentials = 2
	codeOTPRequired        = 5
	codeInvalidOTP         = 6
	codeTargetRequired     = 10
	codeBindingNotAllowed  = 11
)

// RamBase's errors, each declared once.
var (
	errInvalidClient       = loginError(codeInvalidClient, "Invalid client credentials")
	errBindBoth            = loginError(codeBindingNotAllowed, "Bind to a customer or a supplier, not both")
	errBindCustomer        = loginError(codeBindingNotAllowed, "This client may not act for that customer")
	errBindSupplier        = loginError(codeBindingNotAllowed, "This client may not act for that supplier")
	errBindPasswordGrant   = loginError(codeBindingNotAllowed, "customerid and supplierid are for the client_credentials grant")
	errPasswordGrantFields = rbError(http.StatusBadRequest, "username and password are required for the password grant")
	errInvalidCredentials  = loginError(codeInvalidCredentials, "Invalid username or password")
	errOTPRequired         = loginError(codeOTPRequired, "A one-time password is required; it has been sent by email")
	errInvalidOTP          = loginError(codeInvalidOTP, "The one-time password is invalid or has expired")
	errUserNotFound        = rbError(http.StatusNotFound, "User not found")
	errCustomerNotFound    = rbError(http.StatusNotFound, "The customer was not found")
	errSupplierNotFound    = rbError(http.StatusNotFound, "The supplier was not found")
	errTokenNotFound       = rbError(http.StatusNotFound, "ID verification token not found")
)

// rbError is an error in RamBase's shape.
func rbError(status int, message string) *apihttp.Error {
	return &apihttp.Error{Status: status, Body: newErrorBody(status, message)}
}

func newErrorBody(status int, message string) *errorBody {
	return &errorBody{
		HTTPStatusCode: status, HTTPStatusDescription: http.StatusText(status),
		Message: message, TranslatedMessage: message, Parameters: []string{}, InnerErrors: []string{},
	}
}

// loginError is the token endpoint's 400, naming the target systems to choose from when there are
// any (error code 10).
func loginError(code int, message string, targets ...string) *apihttp.Error {
	body := newErrorBody(http.StatusBadRequest, message)
	body.ErrorCode, body.Targets = code, targets
	otpRequired := code == codeOTPRequired
	body.OTPRequired = &otpRequired
	if otpRequired {
		body.OTPMethod = "email"
	}
	return &apihttp.Error{Status: http.StatusBadRequest, Body: body}
}

// Errors implements mockapi.API: every error in RamBase's shape, a contract failure with its usual
// status.
func (m *Mock) Errors() apihttp.Errors {
	return apihttp.Errors{Failure: func(_ *http.Request, f *openapi.Failure) apihttp.Error {
		status := apihttp.Status(f.Kind)
		return apihttp.Error{Status: status, Body: newErrorBody(status, f.Message())}
	}}
}
