package rambase

import (
	"net/http"
	"strconv"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/store"
)

// handleVerify is verifyIdVerificationToken (GET /id-verification). The verifying party calls it
// with its own access token (RB-09). 200 means the token's user is signed in right now (RB-06,
// RB-11), any number of times (RB-12); customer and supplier are filled only for portal logins
// (RB-07, RB-08); anything else about the token is 404 (RB-10).
func (h *Handler) handleVerify(w http.ResponseWriter, r *http.Request) {
	now := h.cfg.Clock.Now()
	if _, ok := h.caller(w, r, now); !ok {
		return
	}
	key, ok := h.parseIDVToken(r.URL.Query().Get("id_verification_token"))
	if !ok {
		writeError(w, http.StatusNotFound, "ID verification token not found")
		return
	}
	s, err := store.Get[session](r.Context(), h.cfg.Store, kindSession, key)
	if err != nil || (!s.aliveAt(now) && !h.broken("RB-11")) {
		writeError(w, http.StatusNotFound, "ID verification token not found")
		return
	}
	base := apihttp.BaseURL(r)
	link := func(path string, id *int64) *string {
		if id == nil {
			return nil
		}
		l := base + path + strconv.FormatInt(*id, 10) + "?$format=json"
		return &l
	}
	userID := s.UserID
	apihttp.WriteJSON(w, http.StatusOK, map[string]any{"idVerification": map[string]any{
		"user":          map[string]any{"userId": s.UserID, "userLink": *link("/system/users/", &userID)},
		"ramBaseSystem": map[string]any{"name": s.System},
		"customer":      map[string]any{"customerId": s.CustomerID, "customerLink": link("/sales/customers/", s.CustomerID)},
		"supplier":      map[string]any{"supplierId": s.SupplierID, "supplierLink": link("/procurement/suppliers/", s.SupplierID)},
	}})
}
