package rambase

import (
	"fmt"
	"net/http"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
)

// getCurrentSession is getCurrentSession (GET /system/sessions/current), RB-05.
func (m *Mock) getCurrentSession(r *http.Request) (int, any, error) {
	s := caller(r)
	tok, err := m.idvToken(r.Context(), s)
	if err != nil {
		return 0, nil, fmt.Errorf("mint the ID verification token: %w", err)
	}
	return http.StatusOK, map[string]any{"session": map[string]any{
		"pid":                 s.UserID,
		"customerId":          s.CustomerID,
		"supplierId":          s.SupplierID,
		"contactId":           nil,
		"database":            s.Database,
		"ramBaseName":         s.System,
		"apiClientId":         s.ClientID,
		"idVerificationToken": tok,
	}}, nil
}

// getIdVerificationToken is getIdVerificationToken (GET /id-verification-token): the newer vendor
// revision's way to the same token.
func (m *Mock) getIdVerificationToken(r *http.Request) (int, any, error) {
	tok, err := m.idvToken(r.Context(), caller(r))
	if err != nil {
		return 0, nil, fmt.Errorf("mint the ID verification token: %w", err)
	}
	return http.StatusOK, map[string]string{"idVerificationToken": tok}, nil
}

// Errors of endRamBaseSession.
var (
	errAccessTokenRequired = mockapi.ControlError(http.StatusBadRequest, "body", "access_token is required")
	errNoSession           = mockapi.ControlError(http.StatusNotFound, "not-found", "No session has that access token")
)

// endRamBaseSession is the control API's endRamBaseSession (POST /_mock/rambase/sessions/end): it
// ends the session of an access token as a logout would, and its ID verification token dies with it
// (RB-11).
func (m *Mock) endRamBaseSession(r *http.Request) (int, any, error) {
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, errAccessTokenRequired
	}
	s, ok, err := m.sessionOf(r.Context(), body.AccessToken)
	if err == nil && ok {
		_, err = m.changeSession(r.Context(), s, func(v *session) error {
			v.Ended = true
			return nil
		})
	}
	switch {
	case err != nil:
		return 0, nil, fmt.Errorf("end session: %w", err)
	case !ok:
		return 0, nil, errNoSession
	}
	return http.StatusNoContent, nil, nil
}
