package webhook

import (
	"slices"
	"sync"
)

// Scheme is what a receiver of an API's webhooks needs to know to check one: the path receivers take
// them at, the header their signature travels in, how a body is signed with the secret sender and
// receiver share, and each way receivers check a signature. The API that sends webhooks registers its
// scheme (RegisterScheme), so a receiver (`idvkit webhook listen`) finds it by the API's name and
// never imports the API's package.
type Scheme interface {
	// Path is where receivers take the API's webhooks, as the vendor's own receivers do.
	Path() string
	// Header is the header the signature travels in.
	Header() string
	// Sign is the signature of exactly these body bytes under secret.
	Sign(body []byte, secret string) string
	// Verify checks a signature each way receivers check it (a vendor's own receiver may compute it
	// over other bytes than the raw body), comparing in constant time.
	Verify(body []byte, secret, signature string) []Check
}

// Check is one way receivers check a signature, and whether the signature passed it.
type Check struct {
	Over  string // what the signature is computed over, for a person: "the raw body"
	Valid bool
}

// schemes are the registered schemes by API name. Registration happens in the API packages' init,
// reads any time after.
var schemes = struct {
	sync.RWMutex
	byAPI map[string]Scheme
}{byAPI: map[string]Scheme{}}

// RegisterScheme makes an API's scheme known by the API's name; the API's package calls it from
// init, as a database/sql driver registers itself. It panics when the name has a scheme already: two
// packages claiming one API is a bug to see at start-up.
func RegisterScheme(api string, s Scheme) {
	schemes.Lock()
	defer schemes.Unlock()
	if _, dup := schemes.byAPI[api]; dup {
		panic("webhook: a scheme is registered twice for " + api)
	}
	schemes.byAPI[api] = s
}

// SchemeOf returns the scheme registered for api.
func SchemeOf(api string) (Scheme, bool) {
	schemes.RLock()
	defer schemes.RUnlock()
	s, ok := schemes.byAPI[api]
	return s, ok
}

// SchemeAPIs lists the APIs that registered a scheme, sorted: what a receiver can be asked to check.
func SchemeAPIs() []string {
	schemes.RLock()
	defer schemes.RUnlock()
	apis := make([]string, 0, len(schemes.byAPI))
	for api := range schemes.byAPI {
		apis = append(apis, api)
	}
	slices.Sort(apis)
	return apis
}
