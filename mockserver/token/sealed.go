package token

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Sealer makes the other kind of token a mock hands out: opaque to clients (no JWT a client could
// be tempted to read), a payload and its HMAC-SHA256 in unpadded base64url. Such a token carries its
// state itself, so a mock that issues one per login keeps nothing per login: a partner's load test
// of a million logins costs the mock no memory. The payload is readable by whoever holds the token
// (it is only encoded); put nothing secret in it.
//
// Each Sealer has a key of its own. An API makes one each time its fixtures are seeded and keeps it
// with them in the store, so a reset, which seeds anew, leaves every earlier token unopenable. A
// Sealer is safe for concurrent use, and copies of a stored value share the one it points to.
type Sealer struct {
	macs *macPool
	// opened remembers the payloads of tokens that opened: a verifier's one token, presented on
	// every call, is opened once.
	opened verifiedCache[string]
}

// NewSealer returns a Sealer with a new random key of 32 bytes, the SHA-256 output size.
func NewSealer() *Sealer {
	key := make([]byte, sha256.Size)
	rand.Read(key) // never fails: it crashes the program if the system's random source does
	return &Sealer{macs: newMACPool(key)}
}

// SealedMax bounds the tokens Open decodes, so a client's oversized token is refused before any
// work: 4 KiB, the token of a payload of about 3 KiB. A caller keeps what it seals under that (a
// RamBase session: 1.1 KiB at most, with a 256-character client ID of 4-byte characters).
const SealedMax = 4096

var sealEncoding = base64.RawURLEncoding.Strict()

// hasLineBreak reports whether a token holds a CR or LF, which Go's base64 decoder skips even in
// strict mode: without this check, a token with line breaks inserted would be another spelling that
// decodes to the same bytes and verifies.
func hasLineBreak(tok string) bool { return strings.ContainsAny(tok, "\r\n") }

// Seal returns the token of payload. payload is left as it is.
func (s *Sealer) Seal(payload []byte) string {
	return sealEncoding.EncodeToString(s.macs.sum(payload[:len(payload):len(payload)], payload))
}

// Open returns the payload of a token this Sealer made, and false for anything else: another key,
// a changed byte, another spelling of the same bytes. The MAC is compared in constant time. The
// payload is a string, so the remembered payload of a token opened before cannot be changed by
// any caller.
func (s *Sealer) Open(tok string) (string, bool) {
	if len(tok) > SealedMax || hasLineBreak(tok) {
		return "", false
	}
	if payload, ok := s.opened.get(tok); ok {
		return payload, true
	}
	b, err := sealEncoding.DecodeString(tok)
	if err != nil || len(b) < sha256.Size {
		return "", false
	}
	raw, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	var want [sha256.Size]byte
	if !hmac.Equal(s.macs.sum(want[:0], raw), sum) {
		return "", false
	}
	payload := string(raw)
	s.opened.put(tok, payload)
	return payload, true
}
