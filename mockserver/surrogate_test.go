package mockserver_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// A JSON string escape of half a surrogate pair stands for no character: every API refuses it as it
// refuses JSON that is not UTF-8, naming the body, and stores nothing (eeID stored U+FFFD). A pair is
// the character it encodes, and an escaped backslash before "ud800" is text.
func TestAJSONEscapeOfHalfASurrogateIsRefusedInEveryAPI(t *testing.T) {
	m := mocktest.New(t, mocktest.AllowViolations("*", "utf-8"))
	const requests = "/eeid/api/ident/v1/identification_requests"
	ee := eeidToken(t, m)
	create := func(reference string) mocktest.Reply {
		return m.Call(t, http.MethodPost, requests, ee, []byte(`{"claims_required":[{"type":"sub","value":"EE30303039914"}],"reference":"`+reference+`"}`))
	}
	for escaped, stored := range map[string]string{`\ud83d\ude00`: "\U0001F600", `\\ud800`: `\ud800`} {
		r := create(escaped)
		require.Equal(t, http.StatusCreated, r.Status, string(r.Raw))
		assert.Equal(t, stored, r.JSON["reference"])
	}
	for _, reference := range []string{`a\ud800b`, `\udc00\ud800`, `\ud800`, `\\\udc00`} {
		r := create(reference)
		assert.Equal(t, http.StatusUnprocessableEntity, r.Status, reference)
		assert.Equal(t, "The request body is not valid UTF-8", r.JSON["error"], "eeID's shape: %s", r.Raw)
	}
	assert.Len(t, m.Call(t, http.MethodGet, requests, ee, nil).JSON["items"], 2, "nothing more was stored")

	rv := rvToken(t, m, "randaverify.org_admin")
	verify := func(reason string) mocktest.Reply {
		return m.Call(t, http.MethodPost, "/randaverify/verify-nin", rv, []byte(`{"nin":"12345678901","reason":"`+reason+`"}`))
	}
	balance := func() any {
		return m.Call(t, http.MethodGet, "/randaverify/me", rv, nil).JSON["organisation"].(map[string]any)["wallet_balance"]
	}
	require.Equal(t, http.StatusOK, verify(`bank\u004byc`).Status, "an escape of a character")
	before := balance()
	r := verify(`bank\ud800Kyc`)
	assert.Equal(t, http.StatusUnprocessableEntity, r.Status)
	d := detail(t, r)
	assert.Equal(t, []any{"body"}, d["loc"])
	assert.Equal(t, "string_unicode", d["type"])
	assert.Equal(t, before, balance(), "nothing was paid")

	r = m.Call(t, http.MethodPost, "/_mock/principals", jsonHeader, []byte(`{"role":"eeid.service\u005fa"}`))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Raw))
	r = m.Call(t, http.MethodPost, "/_mock/principals", jsonHeader, []byte(`{"role":"eeid.service_\udc00"}`))
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Equal(t, "The request body is not valid UTF-8", r.JSON["message"], "the control API's shape: %s", r.Raw)
}
