package mockapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/mockserver/token"
)

// gadgets is a section of the tests' own: makers, who log in, and viewers, of whom no fresh one can
// be made; seed stamps the section, as RamBase's gives it a new key for its sessions.
type gadgets struct {
	Makers  []string `json:"makers"`
	Viewers []string `json:"viewers,omitempty"`
	Stamp   string   `json:"-"`
}

func newGadgets(st store.Store, seedErr error) *mockapi.Section[gadgets] {
	seed := func(_ context.Context, _ store.Store, f *gadgets) error {
		f.Stamp = "seeded"
		return seedErr
	}
	roles := func(f gadgets) []mockapi.Role {
		makers := mockapi.RolesOf(f.Makers, func(name string) mockapi.Role {
			return mockapi.Role{Principal: mockapi.Principal{Role: "gadgets.maker", Username: name},
				Fresh: func(context.Context) (mockapi.Principal, error) {
					return mockapi.Principal{Role: "gadgets.maker", Username: name + "-fresh"}, nil
				}}
		})
		return append(makers, mockapi.RolesOf(f.Viewers, func(name string) mockapi.Role {
			return mockapi.Role{Principal: mockapi.Principal{Role: "gadgets.viewer", Username: name}}
		})...)
	}
	return mockapi.NewSection("gadgets", st, seed, roles)
}

func TestSectionSeedsDecodesStoresAndListsItsPrincipals(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	g := newGadgets(st, nil)
	assert.Equal(t, reflect.TypeFor[gadgets](), g.Type())
	embedding := struct{ *mockapi.Section[gadgets] }{g}
	assert.Equal(t, mockapi.Fixtures(g), embedding.Fixtures(), "an API that embeds its section has it as its Fixtures")
	assert.Implements(t, (*mockapi.PrincipalMaker)(nil), embedding, "and makes fresh principals through it")

	ps, err := g.Seed(ctx, st, json.RawMessage(`{"makers": ["ann", "bob"], "viewers": ["cy"]}`))
	require.NoError(t, err)
	var names []string
	for _, p := range ps {
		names = append(names, p.Role+":"+p.Username)
	}
	assert.Equal(t, []string{"gadgets.maker:ann", "gadgets.maker:bob", "gadgets.viewer:cy"}, names)
	f, epoch, err := g.Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, gadgets{Makers: []string{"ann", "bob"}, Viewers: []string{"cy"}, Stamp: "seeded"}, f, "stored with what seed filled in")
	assert.NotZero(t, epoch, "a seed has a token epoch")

	p, err := g.NewPrincipal(ctx, "gadgets.maker")
	require.NoError(t, err)
	assert.Equal(t, "ann-fresh", p.Username, "the first fixture of the role")
	_, err = g.NewPrincipal(ctx, "gadgets.viewer")
	assert.ErrorIs(t, err, mockapi.ErrUnknownRole, "a role no fresh one is made of")
	_, err = g.NewPrincipal(ctx, "gadgets.owner")
	assert.ErrorIs(t, err, mockapi.ErrUnknownRole)
}

// A key the section's type does not have is refused with its name, and nothing is stored.
func TestSectionRefusesAnUnknownKeyByName(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	g := newGadgets(st, nil)
	_, err := g.Seed(ctx, st, json.RawMessage(`{"makers": ["ann"]}`))
	require.NoError(t, err, "the known keys first")
	st = memory.New()
	g = newGadgets(st, nil)
	_, err = g.Seed(ctx, st, json.RawMessage(`{"makers": ["ann"], "makres": ["bob"]}`))
	assert.EqualError(t, err, `gadgets fixtures: json: unknown field "makres"`)
	_, _, err = g.Get(ctx)
	assert.ErrorIs(t, err, store.ErrNotFound)
}

// A set without the section seeds nothing, and no role is known; a section that seed refuses is not
// stored.
func TestSectionAbsentOrRefusedHasNoRoles(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	g := newGadgets(st, nil)
	ps, err := g.Seed(ctx, st, nil)
	require.NoError(t, err)
	assert.Empty(t, ps)
	_, err = g.NewPrincipal(ctx, "gadgets.maker")
	assert.ErrorIs(t, err, mockapi.ErrUnknownRole)

	refused := errors.New("a maker needs a name")
	g = newGadgets(st, refused)
	_, err = g.Seed(ctx, st, json.RawMessage(`{"makers": [""]}`))
	assert.ErrorIs(t, err, refused)
	_, _, err = g.Get(ctx)
	assert.ErrorIs(t, err, store.ErrNotFound)
}

// Each seed has a token epoch of its own, so that what an API minted before a reset or a fixtures
// replace, or on another mock, is refused; a set without the section has none (the zero epoch, which
// mints and verifies nothing).
func TestEverySeedHasATokenEpochOfItsOwn(t *testing.T) {
	ctx := context.Background()
	issuer := token.New("gadgets", token.Access, token.HS256, clock.NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
	st := memory.New()
	g := newGadgets(st, nil)
	_, err := g.Seed(ctx, st, json.RawMessage(`{"makers": ["ann"]}`))
	require.NoError(t, err)
	_, first, err := g.Get(ctx)
	require.NoError(t, err)
	minted, err := issuer.Mint(first, &token.Claims{})
	require.NoError(t, err)
	require.NoError(t, issuer.Parse(first, minted, &token.Claims{}), "verifies in the seed it was minted in")

	reseeded := memory.New()
	g = newGadgets(reseeded, nil)
	_, err = g.Seed(ctx, reseeded, json.RawMessage(`{"makers": ["ann"]}`))
	require.NoError(t, err)
	_, second, err := g.Get(ctx)
	require.NoError(t, err)
	assert.Error(t, issuer.Parse(second, minted, &token.Claims{}), "the same section seeded again refuses it")

	g = newGadgets(memory.New(), nil)
	_, none, err := g.Get(ctx)
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.Zero(t, none)
}

// A request's Bearer token verifies when the API minted it in the seed's epoch and it has not
// expired; not without the header, after the section is seeded again, once expired (unless the API
// breaks its expiry rule on purpose), nor at a mock whose set has no section.
func TestBearerIsATokenOfTheSeedNotExpired(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	issuer := token.New("gadgets", token.Access, token.HS256, clk)
	st := memory.New()
	g := newGadgets(st, nil)
	_, err := g.Seed(ctx, st, json.RawMessage(`{"makers": ["ann"]}`))
	require.NoError(t, err)
	_, epoch, err := g.Get(ctx)
	require.NoError(t, err)
	c := &token.Claims{}
	c.Subject, c.ExpiresAt = "ann", jwt.NewNumericDate(clk.Now().Add(time.Minute))
	minted, err := issuer.Mint(epoch, c)
	require.NoError(t, err)
	request := func(authorization string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/gadgets", nil)
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		return r
	}

	claims, ok := g.Bearer(request("Bearer "+minted), issuer, false)
	require.True(t, ok)
	assert.Equal(t, "ann", claims.Subject)
	_, ok = g.Bearer(request(""), issuer, false)
	assert.False(t, ok, "no header")
	_, ok = g.Bearer(request("Basic "+minted), issuer, false)
	assert.False(t, ok, "another scheme")

	require.NoError(t, clk.Advance(2*time.Minute))
	_, ok = g.Bearer(request("Bearer "+minted), issuer, false)
	assert.False(t, ok, "expired")
	_, ok = g.Bearer(request("Bearer "+minted), issuer, true)
	assert.True(t, ok, "expired, where the API breaks its expiry rule")

	reseeded := memory.New()
	again := newGadgets(reseeded, nil)
	_, err = again.Seed(ctx, reseeded, json.RawMessage(`{"makers": ["ann"]}`))
	require.NoError(t, err)
	_, ok = again.Bearer(request("Bearer "+minted), issuer, true)
	assert.False(t, ok, "the same section seeded again")
	_, ok = newGadgets(memory.New(), nil).Bearer(request("Bearer "+minted), issuer, true)
	assert.False(t, ok, "no section")
}
