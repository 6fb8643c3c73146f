package token_test

import (
	"crypto/sha256"
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
	buf := make([]byte, len(payload), 128) // room to append the MAC in place, which Seal must not use
	copy(buf, payload)
	tok := sealer.Seal(buf)
	assert.Equal(t, append(payload, make([]byte, 128-len(payload))...), buf[:cap(buf)], "Seal leaves the caller's payload alone")
	assert.NotContains(t, tok, "=", "unpadded")
	assert.Equal(t, tok, base64.RawURLEncoding.EncodeToString(must(base64.RawURLEncoding.DecodeString(tok))), "base64url")

	got, ok := sealer.Open(tok)
	require.True(t, ok)
	assert.Equal(t, string(payload), got)
	got, ok = sealer.Open(tok)
	require.True(t, ok, "and again, remembered")
	assert.Equal(t, string(payload), got)

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
		"empty":             "",
		"shorter than MAC":  tok[:20],
		"truncated":         tok[:len(tok)-1],
		"padded":            tok + "=",
		"standard base64":   strings.NewReplacer("-", "+", "_", "/").Replace(tok) + "+/",
		"appended":          tok + "AA",
		"a line feed":       tok[:10] + "\n" + tok[10:],
		"a CR LF":           tok[:10] + "\r\n" + tok[10:],
		"a carriage return": tok + "\r",
		"one byte too long": sealer.Seal(make([]byte, token.SealedMax*3/4-sha256.Size+1)),
	} {
		_, ok := sealer.Open(bad)
		assert.False(t, ok, name)
	}
	longest := sealer.Seal(make([]byte, token.SealedMax*3/4-sha256.Size))
	require.Len(t, longest, token.SealedMax)
	_, ok := sealer.Open(longest)
	assert.True(t, ok, "a token of exactly SealedMax characters opens")
	_, ok = sealer.Open(sealer.Seal(nil))
	assert.True(t, ok, "an empty payload is a token too")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
