package store_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/idvkit/idvkit/mockserver/store"
)

// A secret's key is its SHA-256, so the same secret finds its record and no other does, and the key
// is not the secret.
func TestSecretKeyIsTheSecretsDigest(t *testing.T) {
	assert.Equal(t, "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", store.SecretKey("foo"))
	assert.Equal(t, store.SecretKey("acme-key-1"), store.SecretKey("acme-key-1"))
	assert.NotEqual(t, store.SecretKey("acme-key-1"), store.SecretKey("acme-key-2"))
}

// A name is matched without regard to ASCII case only: the Kelvin sign and other letters that fold
// to ASCII under Unicode stay themselves.
func TestFoldedKeyFoldsASCIIOnly(t *testing.T) {
	assert.Equal(t, "ada@example.com", store.FoldedKey("Ada@EXAMPLE.com"))
	assert.Equal(t, "\u212aelvin@x.example", store.FoldedKey("\u212aelvin@x.example"))
	assert.NotEqual(t, store.FoldedKey("kelvin@x.example"), store.FoldedKey("\u212aelvin@x.example"))
	assert.Equal(t, "stra\u00dfe", store.FoldedKey("STRA\u00dfE"))
	assert.Equal(t, "a\xffb", store.FoldedKey("A\xffB"), "a byte that is not UTF-8 stays itself")
	assert.NotEqual(t, store.FoldedKey("\xfe@x"), store.FoldedKey("\xff@x"))
}
