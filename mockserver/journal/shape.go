package journal

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Shape describes a value without showing it: what kind of value it looks like and how long it is,
// enough to see that a client sent a JWT where a code belongs, or an empty token, and nothing a
// reader could use: "<jwt, 312 chars>", "<6 digits>", "<uuid>", "<email, 17 chars>",
// "<hex, 64 chars>", "<base64, 88 chars>", "<12 chars>", "<empty>".
func Shape(v string) string {
	n := utf8.RuneCountInString(v)
	switch {
	case v == "":
		return "<empty>"
	case isJWT(v):
		return "<jwt, " + count(n, "char") + ">"
	case all(v, isDigit):
		return "<" + count(n, "digit") + ">"
	case isUUID(v):
		return "<uuid>"
	case isEmail(v):
		return "<email, " + count(n, "char") + ">"
	case len(v) >= 16 && all(v, isHex):
		return "<hex, " + count(n, "char") + ">"
	case len(v) >= 16 && all(strings.TrimRight(v, "="), isBase64) && mixed(v):
		return "<base64, " + count(n, "char") + ">"
	}
	return "<" + count(n, "char") + ">"
}

// CredentialShape is the shape of an Authorization header: its scheme as sent when it is a registered
// one (Bearer, Basic, ...) or one of schemes (those the spec names), and the shape of what follows
// ("Bearer <jwt, 312 chars>", "Basic <base64, 88 chars>"). A first word that is no known scheme may
// be a secret sent without one, and is a shape too.
func CredentialShape(v string, schemes ...string) string {
	scheme, rest, ok := strings.Cut(v, " ")
	if !ok {
		return Shape(v)
	}
	known := slices.ContainsFunc(append(schemes, registeredSchemes...), func(s string) bool { return strings.EqualFold(s, scheme) })
	if !known {
		scheme = Shape(scheme)
	}
	return scheme + " " + Shape(strings.TrimSpace(rest))
}

// registeredSchemes are the HTTP authentication schemes of IANA's registry, and Token, which APIs
// commonly use.
var registeredSchemes = []string{"Basic", "Bearer", "Digest", "HOBA", "Mutual", "Negotiate", "OAuth", "SCRAM-SHA-1",
	"SCRAM-SHA-256", "vapid", "Token"}

func count(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

func all(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return s != ""
}

// mixed reports whether s has an upper-case letter, a lower-case one and a digit, as random bytes in
// base64 nearly always do and words joined by dashes do not.
func mixed(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return 'A' <= r && r <= 'Z' }) &&
		strings.ContainsFunc(s, func(r rune) bool { return 'a' <= r && r <= 'z' }) &&
		strings.ContainsFunc(s, func(r rune) bool { return '0' <= r && r <= '9' })
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isAlnum(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isBase64(c byte) bool {
	return isAlnum(c) || c == '+' || c == '/' || c == '-' || c == '_'
}
func isBase64URL(c byte) bool    { return isAlnum(c) || c == '-' || c == '_' }
func isEmailLocal(c byte) bool   { return c > ' ' && c < 0x7f && c != '@' }
func isDomainLetter(c byte) bool { return isAlnum(c) || c == '-' || c == '.' }

// isJWT reports whether v is a compact JWS: three base64url parts, the first a JSON object's
// encoding ("eyJ" is how `{"` starts).
func isJWT(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "eyJ") {
		return false
	}
	return all(parts[0], isBase64URL) && all(parts[1], isBase64URL) && (parts[2] == "" || all(parts[2], isBase64URL))
}

func isUUID(v string) bool {
	if len(v) != 36 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if v[i] != '-' {
				return false
			}
		} else if !isHex(v[i]) {
			return false
		}
	}
	return true
}

func isEmail(v string) bool {
	local, domain, ok := strings.Cut(v, "@")
	return ok && all(local, isEmailLocal) && all(domain, isDomainLetter) && strings.Contains(domain, ".") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}
