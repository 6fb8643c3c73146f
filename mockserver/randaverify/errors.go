package randaverify

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/openapi"
)

// errorBody is RandaVerify's error body (docs.randaverify.com /verification/overview/), and the body
// of a few of its successes.
type errorBody struct {
	Detail string `json:"detail"`
}

// RandaVerify's errors, each declared once.
var (
	errIncorrectLogin  = rvError(http.StatusUnauthorized, "Incorrect username or password")
	errSuspended       = rvError(http.StatusForbidden, "This account is suspended")
	errForcedChange    = rvError(http.StatusForbidden, "Password change required before verification")
	errForcedChange401 = rvError(http.StatusUnauthorized, "Password change required before verification") // RV-05:401 broken
	errUndecodable     = rvError(http.StatusBadRequest, "The body cannot be decoded")
	errCurrentPassword = rvError(http.StatusBadRequest, "The current password is incorrect")
	errSamePassword    = rvError(http.StatusBadRequest, "The new password must differ from the current one")
	// errStale is a password change or reset that lost a race: the user's password or token
	// generation moved since the request was judged.
	errStale             = rvError(http.StatusUnauthorized, "Could not validate credentials")
	errNINDigits         = rvError(http.StatusBadRequest, "NIN must be exactly 11 digits")
	errReason            = rvError(http.StatusBadRequest, "NIMC does not accept that reason; see GET /nimc-reasons")
	errEmptyWallet       = rvError(http.StatusPaymentRequired, "Insufficient wallet balance") // a debit of a wallet with no units
	errReferenceNotFound = rvError(http.StatusNotFound, "Reference not found")
)

// rvError is an error in RandaVerify's shape.
func rvError(status int, detail string) *apihttp.Error {
	e := answer(status, detail)
	return &e
}

// answer is RandaVerify's answer with a status and a detail.
func answer(status int, detail string) apihttp.Error {
	return apihttp.Error{Status: status, Body: errorBody{Detail: detail}}
}

// Errors implements mockapi.API: every error in RandaVerify's shape, where a 401 names its scheme, as
// FastAPI's OAuth2PasswordBearer answers.
func (m *Mock) Errors() apihttp.Errors {
	return apihttp.Errors{Failure: m.failure, Write: func(w http.ResponseWriter, _ *http.Request, e apihttp.Error) {
		if e.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", "Bearer")
		}
		apihttp.WriteJSON(w, e.Status, e.Body)
	}}
}

// validationError is FastAPI's 422 body: one entry per field that broke the request's schema.
type validationError struct {
	Detail []fieldError `json:"detail"`
}

type fieldError struct {
	Loc  []any  `json:"loc"` // where (body, query, header), then the path: strings and array indexes
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

// failure is a contract failure as FastAPI answers it: a request that breaks its schema, a form sent
// as JSON included, is a 422 with the fields named; anything else is {detail} with its status.
func (m *Mock) failure(r *http.Request, f *openapi.Failure) apihttp.Error {
	switch {
	case f.Kind == openapi.KindMediaType && m.env.Broken.Has(ruleFormOnly):
		return answer(http.StatusBadRequest, "Send the login as a form")
	case f.Kind == openapi.KindAuth && m.env.Broken.Has(ruleNoTokenIs401):
		return answer(http.StatusForbidden, "Not authenticated")
	case f.Kind == openapi.KindNotFound && m.env.Broken.Has(ruleNoRefresh) && strings.HasSuffix(r.URL.Path, "/refresh"):
		return answer(http.StatusOK, "Refreshed")
	}
	switch f.Kind {
	case openapi.KindBody, openapi.KindParam, openapi.KindMediaType:
		return apihttp.Error{Status: http.StatusUnprocessableEntity, Body: validationError{Detail: fieldErrors(apihttp.Operation(r), f)}}
	case openapi.KindAuth:
		// FastAPI's words: OAuth2PasswordBearer's for no token, the usual JWT check's for a bad one.
		detail := "Not authenticated"
		if f.Rule == "invalid" {
			detail = "Could not validate credentials"
		}
		return answer(http.StatusUnauthorized, detail)
	case openapi.KindNotFound:
		return answer(http.StatusNotFound, "Not Found")
	case openapi.KindMethod:
		return answer(http.StatusMethodNotAllowed, "Method Not Allowed")
	}
	return answer(apihttp.Status(f.Kind), f.Message())
}

// fieldErrors names what a failure is about the way pydantic does. A form body that is missing, or
// sent as another media type, is every required field of the form missing, as FastAPI reads it; a
// JSON body of another media type is not an object at all.
func fieldErrors(op *openapi.Operation, f *openapi.Failure) []fieldError {
	bodyMissing := f.Kind == openapi.KindBody && f.Field == "" && f.Rule == "required"
	if op != nil && op.TakesForm() && (f.Kind == openapi.KindMediaType || bodyMissing) {
		var out []fieldError
		for _, name := range op.RequiredBodyFields() {
			out = append(out, fieldError{Loc: []any{"body", name}, Msg: "Field required", Type: "missing"})
		}
		if len(out) > 0 {
			return out
		}
	}
	if f.Kind == openapi.KindMediaType {
		return []fieldError{{Loc: []any{"body"}, Msg: "Input should be a valid dictionary or object to extract fields from", Type: "model_attributes_type"}}
	}
	loc := []any{"body"}
	if f.Kind == openapi.KindParam {
		loc = []any{f.In, f.Field}
	} else {
		for _, part := range strings.Split(strings.TrimPrefix(f.Field, "/"), "/") {
			if part == "" {
				continue
			}
			if i, err := strconv.Atoi(part); err == nil {
				loc = append(loc, i)
			} else {
				loc = append(loc, part)
			}
		}
	}
	msg, typ := pydantic(f)
	return []fieldError{{Loc: loc, Msg: msg, Type: typ}}
}

// pydantic is a failure's message and error type as pydantic (v2) words them, as far as a schema
// keyword says; the message never carries the value.
func pydantic(f *openapi.Failure) (msg, typ string) {
	switch f.Rule {
	case "required":
		return "Field required", "missing"
	case "syntax":
		return "JSON decode error", "json_invalid"
	case "utf-8":
		return "Input should be a valid string, unable to parse raw data as a unicode string", "string_unicode"
	case "unknown":
		return "Extra inputs are not permitted", "extra_forbidden"
	case "maxLength":
		return "String should have fewer characters", "string_too_long"
	case "minLength":
		return "String should have more characters", "string_too_short"
	case "pattern":
		return "String should match pattern", "string_pattern_mismatch"
	case "enum":
		return "Input should be one of the allowed values", "enum"
	case "type":
		return "Input should be of the type the field takes", "type_error"
	case "empty":
		return "Field required", "missing"
	}
	return f.Message(), "value_error"
}
