package rambase

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/provider"
	"github.com/idvkit/idvkit/mockserver/store"
)

// accessToken returns the caller's access token from the Authorization header or, as RamBase also
// accepts, the $access_token query parameter.
func accessToken(r *http.Request) string {
	if v := r.Header.Get("Authorization"); len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return r.URL.Query().Get("$access_token")
}

// caller returns the caller's live session, or writes 401 and reports false (RB-04, RB-09).
func (h *Handler) caller(w http.ResponseWriter, r *http.Request, now time.Time) (session, bool) {
	s, err := store.Get[session](r.Context(), h.cfg.Store, kindSession, sessionKey(accessToken(r)))
	if err != nil || !s.aliveAt(now) {
		writeError(w, http.StatusUnauthorized, "The access token is invalid or has expired")
		return session{}, false
	}
	return s, true
}

// callerWithToken returns the caller's live session and its ID verification token, or writes the
// error and reports false.
func (h *Handler) callerWithToken(w http.ResponseWriter, r *http.Request) (session, string, bool) {
	s, ok := h.caller(w, r, h.cfg.Clock.Now())
	if !ok {
		return session{}, "", false
	}
	tok, err := h.idvToken(r.Context(), s)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Internal error")
		return session{}, "", false
	}
	return s, tok, true
}

// handleCurrentSession is getCurrentSession (GET /system/sessions/current), RB-05.
func (h *Handler) handleCurrentSession(w http.ResponseWriter, r *http.Request) {
	s, tok, ok := h.callerWithToken(w, r)
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
func (h *Handler) handleIdVerificationToken(w http.ResponseWriter, r *http.Request) {
	_, tok, ok := h.callerWithToken(w, r)
	if !ok {
		return
	}
	apihttp.WriteJSON(w, http.StatusOK, map[string]string{"idVerificationToken": tok})
}

// EndSession ends the session of an access token, as a logout would: the control API's
// endRamBaseSession. Its ID verification token dies with it (RB-11).
func (h *Handler) EndSession(ctx context.Context, token string) error {
	_, err := store.Update(ctx, h.cfg.Store, kindSession, sessionKey(token), func(s *session) (time.Time, error) {
		s.Ended = true
		return time.Time{}, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return provider.ErrNotFound
	}
	return err
}
