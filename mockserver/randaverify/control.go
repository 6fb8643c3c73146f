package randaverify

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/store"
)

// invited is inviteRandaVerifyUser's 201 body.
type invited struct {
	ID             string `json:"id"`
	Username       string `json:"username"`
	Email          string `json:"email"`
	OrganisationID string `json:"organisation_id"`
}

// Errors of RandaVerify's control operations.
var (
	errEmailRequired  = mockapi.ControlError(http.StatusBadRequest, "body", "email is required")
	errNoOrganisation = mockapi.ControlError(http.StatusNotFound, "not-found", "No organisation with that id")
	errTaken          = mockapi.ControlError(http.StatusConflict, "conflict", "That username or email is taken")
	errNoUser         = mockapi.ControlError(http.StatusNotFound, "not-found", "No user with that id")
)

// inviteRandaVerifyUser is the control API's inviteRandaVerifyUser (POST /_mock/randaverify/users):
// what RandaVerify Operations do for a new integrator. The user gets a one-time password by email
// (the outbox, kind one-time-password) and must change it after logging in with it.
func (m *Mock) inviteRandaVerifyUser(r *http.Request) (int, any, error) {
	ctx := r.Context()
	var body struct {
		Email          string `json:"email"`
		Username       string `json:"username"`
		OrganisationID string `json:"organisation_id"`
		Roles          string `json:"roles"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, errEmailRequired
	}
	org, err := m.inviteOrganisation(ctx, body.OrganisationID)
	if err != nil {
		return 0, nil, errNoOrganisation
	}
	u := UserFixture{Role: Name + ".invited_user", Email: body.Email, Username: body.Username, Password: rand.Text(),
		OneTimePassword: true, OrganisationID: org, Roles: body.Roles}
	if u.Username == "" {
		u.Username, _, _ = strings.Cut(body.Email, "@")
	}
	if u.Roles == "" {
		u.Roles = "org_member,IDENTITY"
	}
	switch err := mockapi.WithFreshID(&u.ID, func() error { return m.createUser(ctx, m.env.Store, u) }); {
	case errors.Is(err, store.ErrAlreadyExists):
		return 0, nil, errTaken
	case err != nil:
		return 0, nil, fmt.Errorf("invite user: %w", err)
	}
	msg := outbox.Message{API: Name, Kind: "one-time-password", To: u.Email, Code: u.Password, SentAt: m.env.Clock.Now()}
	if err := m.env.Outbox.Send(ctx, msg); err != nil {
		return 0, nil, fmt.Errorf("send one-time password: %w", err)
	}
	return http.StatusCreated, invited{ID: idKey(u.ID), Username: u.Username, Email: u.Email, OrganisationID: idKey(org)}, nil
}

// inviteOrganisation is the organisation an invitation names, or the fixture set's first.
func (m *Mock) inviteOrganisation(ctx context.Context, id string) (int64, error) {
	if id == "" {
		f, _, err := m.Section.Get(ctx)
		if err != nil || len(f.Organisations) == 0 {
			return 0, store.ErrNotFound
		}
		return f.Organisations[0].ID, nil
	}
	o, err := store.Get[organisation](ctx, m.env.Store, kindOrganisation, id)
	return o.ID, err
}

// suspendRandaVerifyUser is suspendRandaVerifyUser (POST /_mock/randaverify/users/{id}/suspend): the
// account can no longer log in (403) and every token it holds is refused at once (RV-08).
func (m *Mock) suspendRandaVerifyUser(r *http.Request) (int, any, error) {
	return m.updateUser(r, func(u *user) {
		u.Active = false
		if !m.env.Broken.Has(ruleRevokeOnSuspend) {
			u.Generation++
		}
	})
}

// reactivateRandaVerifyUser is reactivateRandaVerifyUser (POST
// /_mock/randaverify/users/{id}/reactivate): the account can log in again; the tokens the suspension
// revoked stay revoked.
func (m *Mock) reactivateRandaVerifyUser(r *http.Request) (int, any, error) {
	return m.updateUser(r, func(u *user) { u.Active = true })
}

func (m *Mock) updateUser(r *http.Request, change func(*user)) (int, any, error) {
	if _, err := mockapi.Change(r.Context(), m.env.Store, kindUser, apihttp.PathParam(r, "id"), errNoUser, func(u *user) error {
		change(u)
		return nil
	}); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// setRandaVerifyWallet is setRandaVerifyWallet (PUT /_mock/randaverify/organisations/{id}/wallet).
func (m *Mock) setRandaVerifyWallet(r *http.Request) (int, any, error) {
	// A float64, as the schema's integer is a JSON number (1.0 is one): between 0 and 2^53-1, which
	// the schema holds it to, every integer is exact. So a body that passed validation decodes.
	var body struct {
		Balance float64 `json:"balance"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, fmt.Errorf("decode a validated wallet body: %w", err)
	}
	o, err := mockapi.Change(r.Context(), m.env.Store, kindOrganisation, apihttp.PathParam(r, "id"), errNoOrganisation, func(o *organisation) error {
		o.WalletBalance = int64(body.Balance)
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]int64{"balance": o.WalletBalance}, nil
}
