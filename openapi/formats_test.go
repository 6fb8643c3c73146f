package openapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A date or date-time must name a day its month has, as every JSON Schema validator (Prism's
// ajv-formats) reads RFC 3339; kin-openapi's own regexps let 2030-02-30 through.
func TestDatesAreCalendarDays(t *testing.T) {
	ctx := context.Background()
	eeid := MustLoad("eeid")
	op := eeid.Operation("getIdentificationRequest")
	r := httptest.NewRequest(http.MethodGet, "/api/ident/v1/identification_requests/x", nil)
	h := http.Header{"Content-Type": {"application/json"}}
	request := func(createdAt string) []byte {
		body, err := json.Marshal(map[string]any{
			"id": "0b6f2c1e-8d4a-4f3b-9c2d-1a2b3c4d5e6f", "link": "http://127.0.0.1:8080/_mock/ui/eeid/identify", "link_expires_at": "2030-01-08T00:00:00Z",
			"claims_required": []any{}, "completed_at": nil, "status": "pending", "created_at": createdAt, "result": map[string]any{},
			"client_id": "c", "reference": nil, "reason": nil, "reason_translations": nil, "claims_matched": nil,
			"mismatched_claims": map[string]any{}, "claims_comparison_errors": []any{},
		})
		require.NoError(t, err)
		return body
	}
	for _, day := range []string{"2030-02-28T23:59:59Z", "2032-02-29T00:00:00Z", "2030-04-30T00:00:00.5+02:00"} {
		assert.Nil(t, op.ValidateResponse(ctx, r, map[string]string{"id": "x"}, 200, h, request(day)), day)
	}
	for _, day := range []string{"2030-02-29T00:00:00Z", "2030-02-30T00:00:00Z", "2030-04-31T00:00:00Z", "2100-02-29T00:00:00Z"} {
		f := op.ValidateResponse(ctx, r, map[string]string{"id": "x"}, 200, h, request(day))
		if assert.NotNil(t, f, day) {
			assert.Equal(t, Failure{Kind: KindInternal, Field: "/created_at", Rule: "format"}, *f, day)
		}
	}

	// Requests (the control API's clock) and values read outside a request (fixtures) alike.
	setClock := MustLoad(Control).Operation("setClock")
	for now, ok := range map[string]bool{"2032-02-29T00:00:00Z": true, "2031-02-29T00:00:00Z": false} {
		body := `{"now": "` + now + `"}`
		r := httptest.NewRequest(http.MethodPut, "/clock", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		f := setClock.ValidateRequest(ctx, &Input{Request: r, Body: []byte(body)})
		if ok {
			assert.Nil(t, f, now)
		} else if assert.NotNil(t, f, now) {
			assert.Equal(t, Failure{Kind: KindBody, Field: "/now", Rule: "format"}, *f, now)
		}
	}
	identity := func(born string) map[string]any {
		return map[string]any{"sub": "EE38001085718", "given_name": "A", "family_name": "B", "date_of_birth": born, "country": "EE"}
	}
	control := MustLoad(Control)
	assert.Nil(t, control.ValidateValue("EeidIdentity", identity("2000-02-29")))
	f := control.ValidateValue("EeidIdentity", identity("2001-02-29"))
	if assert.NotNil(t, f) {
		assert.Equal(t, Failure{Kind: KindBody, Field: "/date_of_birth", Rule: "format"}, *f)
	}
}
