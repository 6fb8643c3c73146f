package rambase

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/token"
)

// verification is the 200 body of verifyIdVerificationToken.
type verification struct {
	IDVerification struct {
		User struct {
			UserID   int64  `json:"userId"`
			UserLink string `json:"userLink"`
		} `json:"user"`
		RamBaseSystem struct {
			Name string `json:"name"`
		} `json:"ramBaseSystem"`
		Customer struct {
			CustomerID   *int64  `json:"customerId"`
			CustomerLink *string `json:"customerLink"`
		} `json:"customer"`
		Supplier struct {
			SupplierID   *int64  `json:"supplierId"`
			SupplierLink *string `json:"supplierLink"`
		} `json:"supplier"`
	} `json:"idVerification"`
}

// errEarlierSeed: the token's session was sealed before the fixtures were last seeded (a reset).
var errEarlierSeed = errors.New("rambase: a session of an earlier fixture seed")

// verifyIdVerificationToken is verifyIdVerificationToken (GET /id-verification). The verifying
// party calls it with its own access token (RB-09, judged by Authenticate). 200 means the token's
// user is signed in right now (RB-06, RB-11), any number of times (RB-12); customer and supplier are
// filled only for portal logins (RB-07, RB-08); anything else about the token is 404 (RB-10).
func (m *Mock) verifyIdVerificationToken(r *http.Request) (int, any, error) {
	ctx := r.Context()
	idx, err := store.Get[idvIndex](ctx, m.env.Store, kindIDV, apihttp.Query(r).Get("id_verification_token"))
	if err != nil {
		return 0, nil, errTokenNotFound
	}
	s, err := store.Get[session](ctx, m.env.Store, kindSession, idx.Session)
	if err == nil {
		var epoch token.Epoch
		if _, epoch, err = m.Section.Get(ctx); err == nil && s.Epoch != epoch {
			err = errEarlierSeed
		}
	}
	if err != nil || (!s.aliveAt(m.env.Clock.Now()) && !m.env.Broken.Has(ruleDeadTokens)) {
		return 0, nil, errTokenNotFound
	}
	base := apihttp.BaseURL(r)
	link := func(path string, id *int64) *string {
		if id == nil {
			return nil
		}
		l := base + path + strconv.FormatInt(*id, 10) + "?$format=json"
		return &l
	}
	var v verification
	iv := &v.IDVerification
	iv.User.UserID, iv.User.UserLink = s.UserID, *link("/system/users/", &s.UserID)
	iv.RamBaseSystem.Name = s.System
	iv.Customer.CustomerID, iv.Customer.CustomerLink = s.CustomerID, link("/sales/customers/", s.CustomerID)
	iv.Supplier.SupplierID, iv.Supplier.SupplierLink = s.SupplierID, link("/procurement/suppliers/", s.SupplierID)
	return http.StatusOK, &v, nil
}
