package mockapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/token"
	"github.com/idvkit/idvkit/openapi"
)

// Fixtures is an API's section of the fixture set, as the composition seeds it. An API builds it
// with NewSection from the section's Go type, which is the one definition of the section's shape:
// openapi/control.yaml's schema for it is checked against that type by a test.
type Fixtures interface {
	// Seed decodes the API's section of a fixture set (nil: the set has none) and stores it, with its
	// records, in s, which holds no record of this API yet; it returns the principals the section
	// holds, for `idvkit serve` to print. A reset seeds a fresh store and swaps it in whole, so what
	// an API later reads of its section (Section.Get) always goes with the records seeded from it.
	Seed(ctx context.Context, s store.Store, section json.RawMessage) ([]Principal, error)
	// Type is the section's Go type.
	Type() reflect.Type
}

// Section is the Fixtures of an API whose section has the Go type T: it decodes a section strictly,
// keeps it in the store beside the records seeded from it with the token epoch of that seed, lists
// the principals of its roles and makes fresh ones. What is the API's own it is given as two
// functions: seed, which stores the section's records, and roles, which names the section's
// principals. An API embeds its *Section, built in New, which then answers the core's Fixtures and
// PrincipalMaker's NewPrincipal for it.
type Section[T any] struct {
	api   string
	store store.Store // the mock's store, where Get reads and Role.Fresh creates
	seed  func(ctx context.Context, s store.Store, f *T) error
	roles func(f T) []Role
}

var _ Fixtures = (*Section[struct{}])(nil)

// Role is a principal a section holds: a user or client of a named role, with its credentials.
type Role struct {
	Principal Principal
	// Fresh makes a new principal of the same role in the mock's store, with new credentials and ids,
	// so that concurrent tests never share one (PrincipalMaker); nil when the API makes none.
	Fresh func(ctx context.Context) (Principal, error)
}

// RolesOf is the roles of a list of a section's fixtures, one each, as role makes it.
func RolesOf[E any](fixtures []E, role func(E) Role) []Role {
	roles := make([]Role, len(fixtures))
	for i, f := range fixtures {
		roles[i] = role(f)
	}
	return roles
}

// NewSection returns the Fixtures of the API named api, whose section has the Go type T, kept in the
// mock's store s. seed stores the records of a decoded section in the fixture seed's store (it may
// check the section, and fill in what each seed makes anew before the section itself is stored);
// roles lists the principals of a section, in the order they are printed and found by role.
func NewSection[T any](api string, s store.Store, seed func(ctx context.Context, s store.Store, f *T) error, roles func(f T) []Role) *Section[T] {
	return &Section[T]{api: api, store: s, seed: seed, roles: roles}
}

// Seed implements Fixtures.
func (x *Section[T]) Seed(ctx context.Context, s store.Store, section json.RawMessage) ([]Principal, error) {
	if section == nil {
		return nil, nil
	}
	var f T
	dec := json.NewDecoder(bytes.NewReader(section))
	dec.DisallowUnknownFields() // a misspelt key fails at start-up, named, rather than being ignored
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s fixtures: %w", x.api, err)
	}
	if err := x.seed(ctx, s, &f); err != nil {
		return nil, err
	}
	if err := store.Create(ctx, s, kindSections, x.api, seeded[T]{Section: f, Tokens: token.NewEpoch()}); err != nil {
		return nil, err
	}
	var principals []Principal
	for _, r := range x.roles(f) {
		principals = append(principals, r.Principal)
	}
	return principals, nil
}

// Type implements Fixtures.
func (x *Section[T]) Type() reflect.Type { return reflect.TypeFor[T]() }

// Fixtures implements API's Fixtures for the API that embeds the section.
func (x *Section[T]) Fixtures() Fixtures { return x }

// kindSections holds the section each API was last seeded with, keyed by the API's name. It lives in
// the store with the records seeded from it, so a reset, which replaces the store's content whole,
// never pairs one set's records with another set's section.
const kindSections = "fixtures"

// seeded is a section as it was seeded: with what seed filled in, and the token epoch of that seed,
// new on every seed, so that a reset or a fixtures replace refuses every token minted before it.
type seeded[T any] struct {
	Section T
	Tokens  token.Epoch
}

// Get reads back the section the API was last seeded with, with what seed filled in, and the
// seed's token epoch, which the API mints and verifies its tokens in; store.ErrNotFound when the
// fixture set had none for it (and the zero epoch, which mints and verifies nothing).
func (x *Section[T]) Get(ctx context.Context) (T, token.Epoch, error) {
	s, err := store.Get[seeded[T]](ctx, x.store, kindSections, x.api)
	return s.Section, s.Tokens, err
}

// Bearer returns the claims of a request's Bearer token when iss minted it in the epoch of the
// section's seed and it has not expired (expiredOK: an API that breaks its expiry rule on purpose);
// false for a request without one, a token of another mock, seed, API or use, and when the fixture
// set has no section (no principals, so no tokens).
func (x *Section[T]) Bearer(r *http.Request, iss *token.Issuer, expiredOK bool) (*token.Claims, bool) {
	raw, ok := openapi.Credentials(r, "Bearer")
	_, epoch, err := x.Get(r.Context())
	claims := &token.Claims{}
	if !ok || err != nil || !iss.Verifies(epoch, raw, claims, expiredOK) {
		return nil, false
	}
	return claims, true
}

// NewPrincipal makes a fresh principal of a role with the first of the seeded section's roles that
// has it (PrincipalMaker), or returns ErrUnknownRole when none has, or the set has no section.
func (x *Section[T]) NewPrincipal(ctx context.Context, role string) (Principal, error) {
	f, _, err := x.Get(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnknownRole
	}
	if err != nil {
		return Principal{}, err
	}
	for _, r := range x.roles(f) {
		if r.Principal.Role == role && r.Fresh != nil {
			return r.Fresh(ctx)
		}
	}
	return Principal{}, ErrUnknownRole
}

// Seconds is a fixture setting written in seconds as a lifetime, or def when it is not set (zero).
func Seconds(n int, def time.Duration) time.Duration {
	if n > 0 {
		return time.Duration(n) * time.Second
	}
	return def
}
