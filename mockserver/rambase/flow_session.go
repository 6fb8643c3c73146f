package rambase

import (
	"net/http"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
)

// callerToken returns the caller's session and its ID verification token, or writes a 500.
func (m *Mock) callerToken(w http.ResponseWriter, r *http.Request) (session, string, bool) {
	s := caller(r)
	tok, err := m.idvToken(r.Context(), s)
	if err != nil {
		apihttp.Internal(w, r, "mint the ID verification token", err)
		return session{}, "", false
	}
	return s, tok, true
}

// handleCurrentSession is getCurrentSession (GET /system/sessions/current), RB-05.
func (m *Mock) handleCurrentSession(w http.ResponseWriter, r *http.Request) {
	s, tok, ok := m.callerToken(w, r)
	if !ok {
		return
	}
	apihttp.WriteJSON(w, http.StatusOK, map[string]any{"session": map[string]any{
		"pid":                 s.UserID,
		"customerId":          s.CustomerID,
		"supplierId":          s.SupplierID,
		"contactId":           nil,
		"database":            s.Database,
		"ramBaseName":         s.System,
		"apiClientId":         s.ClientID,
		"idVerificationToken": tok,
	}})
}

// handleIdVerificationToken is getIdVerificationToken (GET /id-verification-token): the newer vendor
// revision's way to the same token.
func (m *Mock) handleIdVerificationToken(w http.ResponseWriter, r *http.Request) {
	_, tok, ok := m.callerToken(w, r)
	if !ok {
		return
	}
	apihttp.WriteJSON(w, http.StatusOK, map[string]string{"idVerificationToken": tok})
}

// handleEndSession is the control API's endRamBaseSession (POST /_mock/rambase/sessions/end): it
// ends the session of an access token as a logout would, and its ID verification token dies with it
// (RB-11).
func (m *Mock) handleEndSession(w http.ResponseWriter, r *http.Request) {
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		mockapi.WriteControlError(w, http.StatusBadRequest, "body", "access_token is required")
		return
	}
	s, ok, err := m.sessionOf(r.Context(), body.AccessToken)
	if err == nil && ok {
		_, err = m.changeSession(r.Context(), s, func(v *session) error {
			v.Ended = true
			return nil
		})
	}
	switch {
	case err == nil && !ok:
		mockapi.WriteControlError(w, http.StatusNotFound, "not-found", "No session has that access token")
	case err != nil:
		apihttp.Internal(w, r, "end session", err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
