package eeid

import "time"

// What the package's external tests, which can import mocktest (this package cannot), need of the
// proof of identity.
var (
	ValueGlyphs = valueGlyphs
	Printable   = printable
)

// ProofWithText is the proof of a completed request with text in every field of it the proof prints.
func ProofWithText(text string) ([]byte, error) {
	at := time.Date(2030, 1, 1, 0, 1, 30, 0, time.UTC)
	return proofOfIdentity(request{ID: "6f1b0c2e-3d4a-4b5c-9d8e-7f6a5b4c3d2e", ClientID: "oidc-client", Reference: &text, CompletedAt: &at,
		Identity: &Identity{Sub: text, GivenName: text, FamilyName: text, DateOfBirth: text, Country: text, AuthenticationType: text, ACR: text}})
}
