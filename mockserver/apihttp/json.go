package apihttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/idvkit/idvkit/openapi"
)

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // a link's & stays &, as a person reading the body with curl expects
	err := enc.Encode(v)
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err != nil {
		// Every value handed here is a plain struct or map; failing to encode one is a bug that
		// response validation reports as a 500.
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// DecodeJSON decodes a request body that validation has already checked against the schema: one
// JSON value, and nothing after it but whitespace.
func DecodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("apihttp: more after the JSON body's value")
	}
	return nil
}

// Status is the HTTP status most APIs give a failure kind; an API whose vendor uses other statuses
// (422 for validation, say) maps those kinds itself and falls back to Status for the rest.
func Status(k openapi.Kind) int {
	switch k {
	case openapi.KindAuth:
		return http.StatusUnauthorized
	case openapi.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case openapi.KindHeaderTooLarge:
		return http.StatusRequestHeaderFieldsTooLarge
	case openapi.KindMediaType:
		return http.StatusUnsupportedMediaType
	case openapi.KindBody, openapi.KindParam:
		return http.StatusBadRequest
	case openapi.KindNotFound:
		return http.StatusNotFound
	case openapi.KindMethod:
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}
