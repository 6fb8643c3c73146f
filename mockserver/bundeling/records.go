package bundeling

import (
	"time"

	"github.com/idvkit/idvkit/mockserver/store"
)

// Record kinds. A record found by a secret (an API key, a token) is kept under the secret's digest
// (store.SecretKey), so no lookup compares the secret itself.
const (
	kindEnvironment = "bundeling.environment" // by uuid
	kindAPIKey      = "bundeling.api_key"     // by the key's digest
	kindUser        = "bundeling.user"        // by uuid, owned by its environment; unique usernameKey
	kindToken       = "bundeling.token"       // a user-identity token, by its digest
	kindLogin       = "bundeling.login"       // a BundelingAuth token, by its digest
)

// usernameKey claims a username within an environment: two clubs may each have a "jan".
func usernameKey(environment, username string) string {
	return "username:" + environment + ":" + store.FoldedKey(username)
}

// environment is a club: its keys and users belong to it, and a key sees only its users.
type environment struct {
	UUID     string
	Name     string
	TimeZone string // IANA; "" is UTC
	Links    []Link
	// LastMinted is the user the environment's last token was minted for; only BU-10 broken on
	// purpose reads it.
	LastMinted string
}

// apiKey is an environment's API key, of one of two kinds.
type apiKey struct {
	Role               string
	Environment        string
	UserAuthentication bool
}

// user is a member of an environment: the fixture's fields (its password as a digest only), and
// when it last changed. Its timestamps are kept as the vendor writes them, in its environment's time
// zone.
type user struct {
	UserFixture
	PasswordDigest []byte
	LastUpdate     string
	// Generation counts the tokens minted for the user; only BU-13 broken on purpose reads it.
	Generation int64
}

// token is a user-identity token: minted for a user of an environment, redeemed once before it
// expires, by a key of that environment (one invariant, one record: Used is set in the same atomic
// update that judges it).
type token struct {
	User        string
	Environment string
	ExpiresAt   time.Time
	Used        bool
	Generation  int64 // the user's Generation once it was minted (BU-13 broken)
}

// login is a BundelingAuth token: a user's login through one API key, valid only with that key.
type login struct {
	User      string
	Key       string // the digest of the key that logged in
	ExpiresAt time.Time
}
