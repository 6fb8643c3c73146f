package mockapi

import (
	"crypto/rand"
	"errors"
	"math/big"
	"strings"

	"github.com/idvkit/idvkit/mockserver/store"
)

// Principal is a user or client of a named role, with credentials a test can log in with: the
// control API's Principal schema. Identifiers are strings so that every API's fit (RamBase's integer
// user ids, eeID's client ids, Bundeling's hex uuids); what only one API has (a customer id, an API
// key, a webhook secret) is an attribute.
type Principal struct {
	Role         string            `json:"role" yaml:"role"`
	API          string            `json:"api" yaml:"api"`
	Kind         string            `json:"kind" yaml:"kind"` // KindUser or KindClient
	ID           string            `json:"id,omitempty" yaml:"id"`
	Username     string            `json:"username,omitempty" yaml:"username"`
	Password     string            `json:"password,omitempty" yaml:"password"`
	Email        string            `json:"email,omitempty" yaml:"email"`
	ClientID     string            `json:"client_id,omitempty" yaml:"client_id"`
	ClientSecret string            `json:"client_secret,omitempty" yaml:"client_secret"`
	Attributes   map[string]string `json:"attributes,omitempty" yaml:"attributes"`
}

// The principal kinds.
const (
	KindUser   = "user"
	KindClient = "client"
)

// Errors of provider-state operations; the control API answers both with 404.
var (
	ErrUnknownRole = errors.New("unknown role")
	ErrNotFound    = errors.New("not found")
)

// APIOf returns the API a role belongs to: "rambase" for "rambase.internal_user".
func APIOf(role string) string {
	api, _, _ := strings.Cut(role, ".")
	return api
}

// WithFreshID sets *id to a random id of nine digits and calls create, again with another id while
// create reports store.ErrAlreadyExists: a fresh principal's id collides with an existing one about
// once in a billion, so a few tries settle it.
func WithFreshID(id *int64, create func() error) error {
	var err error
	for range 5 {
		n, rerr := rand.Int(rand.Reader, big.NewInt(900_000_000))
		if rerr != nil {
			return rerr
		}
		*id = 100_000_000 + n.Int64()
		if err = create(); !errors.Is(err, store.ErrAlreadyExists) {
			return err
		}
	}
	return err
}

// FreshSuffix is what a fresh principal's names (a username, a client id) are made unique with: ten
// random lower-case letters and digits.
func FreshSuffix() string { return strings.ToLower(rand.Text()[:10]) }
