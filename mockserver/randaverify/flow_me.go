package randaverify

import (
	"net/http"

	"github.com/idvkit/idvkit/mockserver/apihttp"
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

// handleMe is getMe (GET /me): the caller and their organisation (RV-10), allowed while a password
// change is required; the token checks (RV-03, RV-06, RV-08, RV-11) are Authenticate's.
func (m *Mock) handleMe(w http.ResponseWriter, r *http.Request) {
	u := callerOf(r).user
	o, err := store.Get[organisation](r.Context(), m.env.Store, kindOrganisation, idKey(u.OrganisationID))
	if err != nil {
		apihttp.Internal(w, r, "read organisation", err)
		return
	}
	if m.env.Broken.Has(ruleMeOrganisation) {
		o.Slug = ""
	}
	apihttp.WriteJSON(w, http.StatusOK, me{ID: u.ID, Username: u.Username, Email: u.Email, Role: u.Roles, IsActive: u.Active,
		Organisation: OrganisationFixture(o)})
}
