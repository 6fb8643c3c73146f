package rambase

import (
	"net/http"
	"strconv"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/store"
)

// getUser is getUser (GET /system/users/{id}), the target of userLink.
func (m *Mock) getUser(r *http.Request) (int, any, error) {
	u, err := store.Get[user](r.Context(), m.env.Store, kindUser, idParam(r))
	if err != nil {
		return 0, nil, errUserNotFound
	}
	first, last := splitName(u.Name)
	return http.StatusOK, map[string]any{"user": map[string]any{
		"userId": u.UserID, "name": u.Name, "firstName": first, "lastName": last, "email": u.Email, "status": 4,
	}}, nil
}

// getParty is the flow of getCustomer (GET /sales/customers/{id}) and getSupplier (GET
// /procurement/suppliers/{id}), the targets of customerLink and supplierLink: a party of a kind,
// answered under field.
func (m *Mock) getParty(kind, field string, notFound error) func(r *http.Request) (int, any, error) {
	return func(r *http.Request) (int, any, error) {
		p, err := store.Get[Party](r.Context(), m.env.Store, kind, idParam(r))
		if err != nil {
			return 0, nil, notFound
		}
		return http.StatusOK, map[string]any{field: p}, nil
	}
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
