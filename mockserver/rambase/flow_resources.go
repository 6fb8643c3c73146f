package rambase

import (
	"net/http"
	"strconv"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/store"
)

// handleUser is getUser (GET /system/users/{id}), the target of userLink.
func (m *Mock) handleUser(w http.ResponseWriter, r *http.Request) {
	u, err := store.Get[user](r.Context(), m.env.Store, kindUser, idParam(r))
	if err != nil {
		writeError(w, http.StatusNotFound, "User not found")
		return
	}
	first, last := splitName(u.Name)
	apihttp.WriteJSON(w, http.StatusOK, map[string]any{"user": map[string]any{
		"userId": u.UserID, "name": u.Name, "firstName": first, "lastName": last, "email": u.Email, "status": 4,
	}})
}

// handleCustomer is getCustomer (GET /sales/customers/{id}), the target of customerLink.
func (m *Mock) handleCustomer(w http.ResponseWriter, r *http.Request) {
	m.servePartyAs(w, r, kindCustomer, "customer")
}

// handleSupplier is getSupplier (GET /procurement/suppliers/{id}), the target of supplierLink.
func (m *Mock) handleSupplier(w http.ResponseWriter, r *http.Request) {
	m.servePartyAs(w, r, kindSupplier, "supplier")
}

func (m *Mock) servePartyAs(w http.ResponseWriter, r *http.Request, kind, field string) {
	p, err := store.Get[Party](r.Context(), m.env.Store, kind, idParam(r))
	if err != nil {
		writeError(w, http.StatusNotFound, "The "+field+" was not found")
		return
	}
	apihttp.WriteJSON(w, http.StatusOK, map[string]any{field: p})
}

// idParam returns the {id} path parameter in canonical form ("0666" is user 666); the spec has
// already checked that it is a positive integer.
func idParam(r *http.Request) string {
	id, _ := strconv.ParseInt(apihttp.PathParam(r, "id"), 10, 64)
	return strconv.FormatInt(id, 10)
}

func splitName(name string) (first, last string) {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == ' ' {
			return name[:i], name[i+1:]
		}
	}
	return name, ""
}
