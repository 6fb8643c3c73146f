package randaverify

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/openapi"
)

// errorBody is RandaVerify's error body (docs.randaverify.com /verification/overview/).
type errorBody struct {
	Detail string `json:"detail"`
}

func writeError(w http.ResponseWriter, status int, detail string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer") // as FastAPI's OAuth2PasswordBearer answers
	}
	apihttp.WriteJSON(w, status, errorBody{Detail: detail})
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

// WriteFailure renders a contract failure as FastAPI would: a request that breaks its schema, a form
// sent as JSON included, is a 422 with the fields named; anything else is {detail} with its status.
func (m *Mock) WriteFailure(w http.ResponseWriter, r *http.Request, f *openapi.Failure) {
	switch {
	case f.Kind == openapi.KindMediaType && m.env.Broken.Has(ruleFormOnly):
		writeError(w, http.StatusBadRequest, "Send the login as a form")
		return
	case f.Kind == openapi.KindAuth && m.env.Broken.Has(ruleNoTokenIs401):
		writeError(w, http.StatusForbidden, "Not authenticated")
		return
	case f.Kind == openapi.KindNotFound && m.env.Broken.Has(ruleNoRefresh) && strings.HasSuffix(r.URL.Path, "/refresh"):
		writeError(w, http.StatusOK, "Refreshed")
		return
	}
	switch f.Kind {
	case openapi.KindBody, openapi.KindParam, openapi.KindMediaType:
		apihttp.WriteJSON(w, http.StatusUnprocessableEntity, validationError{Detail: fieldErrors(apihttp.Operation(r), f)})
	case openapi.KindAuth:
		// FastAPI's words: OAuth2PasswordBearer's for no token, the usual JWT check's for a bad one.
		detail := "Not authenticated"
		if f.Rule == "invalid" {
			detail = "Could not validate credentials"
		}
		writeError(w, http.StatusUnauthorized, detail)
	case openapi.KindNotFound:
		writeError(w, http.StatusNotFound, "Not Found")
	case openapi.KindMethod:
		writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
	default:
		writeError(w, apihttp.Status(f.Kind), f.Message())
	}
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
