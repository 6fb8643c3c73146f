package token_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/token"
)

func TestSealedTokenOpensWithItsKeyOnly(t *testing.T) {
	sealer := token.NewSealer()
	payload := []byte("session 42, client forecast-api")
	tok := sealer.Seal(payload)
	assert.Equal(t, "session 42, client forecast-api", string(payload), "Seal leaves the caller's payload alone")
	assert.NotContains(t, tok, "=", "unpadded")
	assert.Equal(t, tok, base64.RawURLEncoding.EncodeToString(must(base64.RawURLEncoding.DecodeString(tok))), "base64url")

	got, ok := sealer.Open(tok)
	require.True(t, ok)
	assert.Equal(t, payload, got)
	got, ok = sealer.Open(tok)
	require.True(t, ok, "and again, with a MAC used before")
	assert.Equal(t, payload, got)

	_, ok = token.NewSealer().Open(tok)
	assert.False(t, ok, "another key: a reset's new key refuses every earlier token")
}

func TestSealedTokenRefusesEveryChange(t *testing.T) {
	sealer := token.NewSealer()
	tok := sealer.Seal([]byte{1, 2, 3})
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(tok) {
		for _, c := range alphabet {
			changed := tok[:i] + string(c) + tok[i+1:]
			if changed == tok {
				continue
			}
			if _, ok := sealer.Open(changed); ok {
				t.Fatalf("opened with byte %d changed to %q", i, c)
			}
		}
	}
	for name, bad := range map[string]string{
		"empty":            "",
		"shorter than MAC": tok[:20],
		"truncated":        tok[:len(tok)-1],
		"padded":           tok + "=",
		"standard base64":  strings.NewReplacer("-", "+", "_", "/").Replace(tok) + "+/",
		"appended":         tok + "AA",
		"too long":         sealer.Seal(make([]byte, 1024)),
	} {
		_, ok := sealer.Open(bad)
		assert.False(t, ok, name)
	}
	_, ok := sealer.Open(sealer.Seal(make([]byte, 700)))
	assert.True(t, ok, "a long payload under the bound opens")
	_, ok = sealer.Open(sealer.Seal(nil))
	assert.True(t, ok, "an empty payload is a token too")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
