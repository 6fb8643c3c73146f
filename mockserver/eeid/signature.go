package eeid

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/idvkit/idvkit/mockserver/webhook"
)

// eeID's webhooks are checked by receivers that know the API only by its name (idvkit webhook listen).
func init() { webhook.RegisterScheme(Name, scheme{}) }

// scheme is eeID's webhook.Scheme: Sign and VerifySignature, at the path a webhook URL must contain.
type scheme struct{}

func (scheme) Path() string                                 { return "/" + webhookPath }
func (scheme) Header() string                               { return SignatureHeader }
func (scheme) Sign(body []byte, clientSecret string) string { return Sign(body, clientSecret) }

func (scheme) Verify(body []byte, clientSecret, header string) []webhook.Check {
	raw, stripped := VerifySignature(body, clientSecret, header)
	return []webhook.Check{{Over: "the raw body", Valid: raw}, {Over: "the whitespace-stripped body (eeID's own receiver)", Valid: stripped}}
}

// SignatureHeader is the header an eeID webhook carries its signature in (I6 in reference/apis.md).
const SignatureHeader = "X-HMAC-Signature"

// Sign is the X-HMAC-Signature of a webhook body: the lower-case hex HMAC-SHA256 of exactly the body's
// bytes, keyed with the service's client_secret (I6, EE-11). The mock sends compact JSON, so a receiver
// that strips whitespace before computing it (the vendor's own) gets the same value (EE-12).
func Sign(body []byte, clientSecret string) string {
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks a webhook's X-HMAC-Signature header the two ways receivers do: raw is whether
// it is the HMAC of the raw body (the seed's receiver); stripped is whether it is the HMAC of the body
// with all whitespace removed, as the vendor's own receiver (internetee/registry, the webhook
// IdentificationRequestsController) computes it: Ruby's `raw_post.gsub(/[\s]+/, "")`, where \s is
// ASCII space, \t, \n, \v, \f and \r, compared with the header stripped of surrounding whitespace.
// Both compare in constant time. A compact body without whitespace in its values passes both; a
// value with a space in it (a reference "A 1") passes only raw, since stripping changes the bytes.
func VerifySignature(body []byte, clientSecret, header string) (raw, stripped bool) {
	raw = hmac.Equal([]byte(Sign(body, clientSecret)), []byte(header))
	stripped = hmac.Equal([]byte(Sign(stripWhitespace(body), clientSecret)), []byte(strings.Trim(header, rubyStrip)))
	return raw, stripped
}

// rubyStrip is what Ruby's String#strip removes from both ends: whitespace and NUL.
const rubyStrip = " \t\n\v\f\r\x00"

// stripWhitespace removes every byte Ruby's /\s/ matches: ASCII space, \t, \n, \v, \f and \r.
func stripWhitespace(body []byte) []byte {
	out := make([]byte, 0, len(body))
	for _, b := range body {
		switch b {
		case ' ', '\t', '\n', '\v', '\f', '\r':
		default:
			out = append(out, b)
		}
	}
	return out
}
