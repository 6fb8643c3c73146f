package eeid_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/eeid"
	"github.com/idvkit/idvkit/mockserver/webhook"
)

// Known vectors: RFC 4231 test case 2, and eeID bodies signed with openssl
// (printf '%s' BODY | openssl dgst -sha256 -hmac SECRET).
const (
	secret  = "s3cr3t-client-secret"
	compact = `{"identification_request_id":"5f0c3f4e-8f5d-4a43-9d5e-1b1a1c3e2d10","client_id":"oidc-b1f1c3a0-5f57-4d1e-9a77-0f3b1c2d4e5f-1","reference":"C-1234"}`
	spaced  = `{"identification_request_id": "5f0c3f4e-8f5d-4a43-9d5e-1b1a1c3e2d10", "client_id": "oidc-b1f1c3a0-5f57-4d1e-9a77-0f3b1c2d4e5f-1", "reference": "C-1234"}`

	compactSig = "da0cd09067d3e01dd00b204adaba86e04e9488de88903380b3d256ed5252199b"
	spacedSig  = "a89bafcb6fda93c62f9a2abd2fa014fea1e868a0f25749cfeed98e6024775d79"
)

func TestSignIsLowerCaseHexHMACSHA256OfTheBody(t *testing.T) {
	for _, tc := range []struct{ body, key, want string }{
		{"what do ya want for nothing?", "Jefe", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"}, // RFC 4231, 2
		{"", "key", "5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0"},
		{compact, secret, compactSig},
		{spaced, secret, spacedSig},
	} {
		assert.Equal(t, tc.want, eeid.Sign([]byte(tc.body), tc.key), tc.body)
	}
}

func TestVerifySignatureBothWays(t *testing.T) {
	for _, tc := range []struct {
		name, body, secret, header string
		raw, stripped              bool
	}{
		{"compact body, the mock's signature: both receivers accept", compact, secret, compactSig, true, true},
		{"spaced body signed as sent: only the raw receiver accepts", spaced, secret, spacedSig, true, false},
		{"spaced body signed compact: only the stripping receiver accepts", spaced, secret, compactSig, false, true},
		{"newlines and tabs are whitespace too", "{\n\t\"identification_request_id\":\"5f0c3f4e-8f5d-4a43-9d5e-1b1a1c3e2d10\",\r\n\"client_id\":\"oidc-b1f1c3a0-5f57-4d1e-9a77-0f3b1c2d4e5f-1\",\v\"reference\":\"C-1234\"\f}", secret, compactSig, false, true},
		{"a value with a space: stripping changes the bytes", "what do ya want for nothing?", "Jefe", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", true, false},
		{"wrong secret", compact, "another-secret", compactSig, false, false},
		{"upper-case hex", compact, secret, strings.ToUpper(compactSig), false, false},
		{"surrounding whitespace, which the vendor's receiver strips", compact, secret, " " + compactSig + "\n", false, true},
		{"no header", compact, secret, "", false, false},
		{"truncated", compact, secret, compactSig[:63], false, false},
		{"another body", compact + " ", secret, compactSig, false, true},
	} {
		raw, stripped := eeid.VerifySignature([]byte(tc.body), tc.secret, tc.header)
		assert.Equal(t, tc.raw, raw, "raw: %s", tc.name)
		assert.Equal(t, tc.stripped, stripped, "stripped: %s", tc.name)
	}
}

// Whitespace outside ASCII (a no-break space) is not what Ruby's \s strips, so it stays.
func TestOnlyASCIIWhitespaceIsStripped(t *testing.T) {
	body := "{\"reference\":\"A\u00a0B\"}"
	_, stripped := eeid.VerifySignature([]byte(body), secret, eeid.Sign([]byte(body), secret))
	assert.True(t, stripped)
}

// A receiver that knows eeID only by its name finds its scheme: the header, the path a webhook URL
// must contain, Sign, and both checks of VerifySignature, named.
func TestTheSchemeIsRegisteredUnderTheAPIsName(t *testing.T) {
	s, ok := webhook.SchemeOf(eeid.Name)
	require.True(t, ok)
	assert.Equal(t, "X-HMAC-Signature", s.Header())
	assert.Equal(t, "/eeid/webhooks/identification_requests", s.Path())
	assert.Equal(t, compactSig, s.Sign([]byte(compact), secret))
	assert.Equal(t, []webhook.Check{{Over: "the raw body", Valid: true}, {Over: "the whitespace-stripped body (eeID's own receiver)", Valid: false}},
		s.Verify([]byte(spaced), secret, spacedSig))
	assert.Equal(t, []webhook.Check{{Over: "the raw body", Valid: false}, {Over: "the whitespace-stripped body (eeID's own receiver)", Valid: true}},
		s.Verify([]byte(spaced), secret, compactSig))
}
