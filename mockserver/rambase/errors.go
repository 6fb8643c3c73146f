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

func writeError(w http.ResponseWriter, status int, message string) {
	apihttp.WriteJSON(w, status, newErrorBody(status, message))
}

func newErrorBody(status int, message string) *errorBody {
	return &errorBody{
		HTTPStatusCode: status, HTTPStatusDescription: http.StatusText(status),
		Message: message, TranslatedMessage: message, Parameters: []string{}, InnerErrors: []string{},
	}
}

// writeLoginError writes the token endpoint's 400, naming the target systems to choose from when
// there are any (error code 10).
func writeLoginError(w http.ResponseWriter, code int, message string, targets ...string) {
	body := newErrorBody(http.StatusBadRequest, message)
	body.ErrorCode, body.Targets = code, targets
	otpRequired := code == codeOTPRequired
	body.OTPRequired = &otpRequired
	if otpRequired {
		body.OTPMethod = "email"
	}
	apihttp.WriteJSON(w, http.StatusBadRequest, body)
}

// WriteFailure renders a contract failure in RamBase's error shape.
func (m *Mock) WriteFailure(w http.ResponseWriter, _ *http.Request, f *openapi.Failure) {
	writeError(w, apihttp.Status(f.Kind), f.Message())
}
