package randaverify

import (
	"fmt"
	"net/http"

	"github.com/idvkit/idvkit/mockserver/store"
)

// me is getMe's 200 body (the seed), with the wallet balance the vendor says /me can show.
type me struct {
	ID           int64               `json:"id"`
	Username     string              `json:"username"`
	Email        string              `json:"email"`
	Role         string              `json:"role"`
	IsActive     bool                `json:"is_active"`
	Organisation OrganisationFixture `json:"organisation"`
}

// getMe is getMe (GET /me): the caller and their organisation (RV-10), allowed while a password
// change is required; the token checks (RV-03, RV-06, RV-08, RV-11) are Authenticate's.
func (m *Mock) getMe(r *http.Request) (int, any, error) {
	u := callerOf(r).user
	o, err := store.Get[organisation](r.Context(), m.env.Store, kindOrganisation, idKey(u.OrganisationID))
	if err != nil {
		return 0, nil, fmt.Errorf("read organisation: %w", err)
	}
	if m.env.Broken.Has(ruleMeOrganisation) {
		o.Slug = ""
	}
	return http.StatusOK, me{ID: u.ID, Username: u.Username, Email: u.Email, Role: u.Roles, IsActive: u.Active,
		Organisation: OrganisationFixture(o)}, nil
}
