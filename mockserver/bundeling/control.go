package bundeling

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
)

// Capabilities are the control capabilities Bundeling adds.
func (m *Mock) Capabilities() []string {
	return []string{"bundeling.link.render", "bundeling.token.mint", "bundeling.account.create", "bundeling.external_reference.set"}
}

// ControlOperations are Bundeling's own control operations: what Bundeling does when a user opens the
// app, and what a club's manager does.
func (m *Mock) ControlOperations() map[string]http.Handler {
	return map[string]http.Handler{
		"renderBundelingLink":           apihttp.Flow(m.renderBundelingLink),
		"mintBundelingToken":            apihttp.Flow(m.mintBundelingToken),
		"createBundelingUser":           apihttp.Flow(m.createBundelingUser),
		"createBundelingApiKey":         apihttp.Flow(m.createBundelingAPIKey),
		"setBundelingExternalReference": apihttp.Flow(m.setBundelingExternalReference),
	}
}

// Errors of Bundeling's control operations.
var (
	errControlNoUser        = mockapi.ControlError(http.StatusNotFound, "not-found", "No user with that uuid")
	errControlNoEnvironment = mockapi.ControlError(http.StatusNotFound, "not-found", "No environment with that uuid")
	errUsernameTaken        = mockapi.ControlError(http.StatusConflict, "conflict", "That username is taken in the environment")
)

// placeholder is what Bundeling replaces in an AppCMS link.
const placeholder = "{{useridentity}}"

// linked is renderBundelingLink's 200 body: the link, and the token in it.
type linked struct {
	issued
	Link string `json:"link"`
}

// renderBundelingLink is renderBundelingLink (POST /_mock/bundeling/links): the seed's steps 1 and 2,
// an AppCMS link rendered for a user, with one fresh token in place of every {{useridentity}}.
func (m *Mock) renderBundelingLink(r *http.Request) (int, any, error) {
	var body struct {
		Template string `json:"template"`
		UserUUID string `json:"user_uuid"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, fmt.Errorf("decode a validated link body: %w", err)
	}
	l, err := m.render(r.Context(), body.Template, body.UserUUID)
	if err != nil {
		return 0, nil, controlMintError(err)
	}
	return http.StatusOK, l, nil
}

// render mints a token for a user and writes it into a link's template, as it is: lower-case
// hexadecimal needs no escaping anywhere in a URL.
func (m *Mock) render(ctx context.Context, template, userUUID string) (linked, error) {
	t, err := m.mint(ctx, userUUID)
	if err != nil {
		return linked{}, err
	}
	return linked{issued: t, Link: strings.ReplaceAll(template, placeholder, t.Token)}, nil
}

// controlMintError is a minting error in the control API's shape.
func controlMintError(err error) error {
	if errors.Is(err, errUnknownUser) {
		return errControlNoUser
	}
	return err
}

// mintBundelingToken is mintBundelingToken (POST /_mock/bundeling/users/{uuid}/tokens): a token for a
// user, as rendering a link mints one.
func (m *Mock) mintBundelingToken(r *http.Request) (int, any, error) {
	t, err := m.mint(r.Context(), apihttp.PathParam(r, "uuid"))
	if err != nil {
		return 0, nil, controlMintError(err)
	}
	return http.StatusCreated, t, nil
}

// createBundelingUser is createBundelingUser (POST /_mock/bundeling/users): a new member of an
// environment, with the fields given; a username and password are made up when not given.
func (m *Mock) createBundelingUser(r *http.Request) (int, any, error) {
	var u UserFixture
	if err := apihttp.DecodeJSON(r, &u); err != nil {
		return 0, nil, fmt.Errorf("decode a validated user body: %w", err)
	}
	u.Role = Name + ".member"
	suffix := mockapi.FreshSuffix()
	if u.Username == "" {
		u.Username = "member-" + suffix
	}
	if u.Password == "" {
		u.Password = rand.Text()
	}
	p, err := m.newUser(r.Context(), u)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return 0, nil, errControlNoEnvironment
	case errors.Is(err, store.ErrAlreadyExists):
		return 0, nil, errUsernameTaken
	case err != nil:
		return 0, nil, fmt.Errorf("create user: %w", err)
	}
	return http.StatusCreated, p, nil
}

// createBundelingAPIKey is createBundelingApiKey (POST /_mock/bundeling/api_keys): a new key of
// either kind in an environment, or in a new, empty one of its own (another club's key).
func (m *Mock) createBundelingAPIKey(r *http.Request) (int, any, error) {
	ctx := r.Context()
	var body struct {
		UserAuthentication bool   `json:"user_authentication"`
		Environment        string `json:"environment"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, fmt.Errorf("decode a validated key body: %w", err)
	}
	k := APIKeyFixture{Role: Name + ".integration_key", Key: newAPIKey(), Environment: body.Environment, UserAuthentication: body.UserAuthentication}
	if k.UserAuthentication {
		k.Role = Name + ".user_key"
	}
	if k.Environment == "" {
		k.Environment = newUUID()
		e := environment{UUID: k.Environment, Name: "Environment " + k.Environment[:8]}
		if err := store.Create(ctx, m.env.Store, kindEnvironment, e.UUID, e); err != nil {
			return 0, nil, fmt.Errorf("create environment: %w", err)
		}
	} else if _, err := store.Get[environment](ctx, m.env.Store, kindEnvironment, k.Environment); err != nil {
		return 0, nil, errControlNoEnvironment
	}
	if err := createKey(ctx, m.env.Store, k); err != nil {
		return 0, nil, fmt.Errorf("create key: %w", err)
	}
	return http.StatusCreated, keyPrincipal(k), nil
}

// setBundelingExternalReference is setBundelingExternalReference (PUT
// /_mock/bundeling/users/{uuid}/external_reference): what the third party keys on, as a manager
// would set it; the user's lastupdate moves to now.
func (m *Mock) setBundelingExternalReference(r *http.Request) (int, any, error) {
	ctx := r.Context()
	var body struct {
		ExternalReference string `json:"external_reference"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, fmt.Errorf("decode a validated external reference: %w", err)
	}
	uuid := apihttp.PathParam(r, "uuid")
	u, err := store.Get[user](ctx, m.env.Store, kindUser, uuid)
	if err != nil {
		return 0, nil, errControlNoUser
	}
	e, err := store.Get[environment](ctx, m.env.Store, kindEnvironment, u.Environment)
	if err != nil {
		return 0, nil, fmt.Errorf("the environment of user %s: %w", uuid, err)
	}
	now, err := m.now(e)
	if err != nil {
		return 0, nil, err
	}
	u, err = mockapi.Change(ctx, m.env.Store, kindUser, uuid, errControlNoUser, func(u *user) error {
		u.ExternalReference, u.LastUpdate = body.ExternalReference, now
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, externalReference{UUID: u.UUID, ExternalReference: u.ExternalReference}, nil
}

// externalReference is setBundelingExternalReference's 200 body.
type externalReference struct {
	UUID              string `json:"uuid"`
	ExternalReference string `json:"external_reference"`
}
