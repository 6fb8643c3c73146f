package mockserver

import (
	"errors"
	"net/http"
	"time"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/provider"
	"github.com/idvkit/idvkit/mockserver/rambase"
	"github.com/idvkit/idvkit/openapi"
)

// ControlVersion is the version of the control API contract (openapi/control.yaml info.version).
const ControlVersion = "1.0.0"

// controlOperations maps every operationId of openapi/control.yaml to its handler.
func (s *Server) controlOperations() map[string]http.Handler {
	return map[string]http.Handler{
		"getHealth":         http.HandlerFunc(s.handleHealth),
		"getCapabilities":   http.HandlerFunc(s.handleCapabilities),
		"getClock":          http.HandlerFunc(s.handleGetClock),
		"setClock":          http.HandlerFunc(s.handleSetClock),
		"advanceClock":      http.HandlerFunc(s.handleAdvanceClock),
		"createPrincipal":   http.HandlerFunc(s.handleCreatePrincipal),
		"endRamBaseSession": http.HandlerFunc(s.handleEndRamBaseSession),
		"listOutbox":        http.HandlerFunc(s.handleListOutbox),
		"getFixtures":       http.HandlerFunc(s.handleGetFixtures),
		"replaceFixtures":   http.HandlerFunc(s.handleReplaceFixtures),
		"reset":             http.HandlerFunc(s.handleReset),
	}
}

// controlError is the control API's error body.
type controlError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func writeControlFailure(w http.ResponseWriter, _ *http.Request, f *openapi.Failure) {
	apihttp.WriteJSON(w, apihttp.Status(f.Kind), controlError{Error: string(f.Kind), Message: f.Message(), Field: f.Field})
}

func writeControlError(w http.ResponseWriter, status int, kind, message string) {
	apihttp.WriteJSON(w, status, controlError{Error: kind, Message: message})
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	apihttp.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Capabilities lists what this mock offers through the control API.
func (s *Server) Capabilities() []string {
	var caps []string
	if _, ok := s.cfg.Clock.(Adjuster); ok {
		caps = append(caps, "clock.advance")
	}
	caps = append(caps, "users.create", "outbox")
	for _, api := range s.served {
		caps = append(caps, api.capabilities...)
	}
	return caps
}

func (s *Server) handleCapabilities(w http.ResponseWriter, _ *http.Request) {
	apihttp.WriteJSON(w, http.StatusOK, map[string]any{"version": ControlVersion, "apis": s.APIs(), "capabilities": s.Capabilities()})
}

func (s *Server) writeClock(w http.ResponseWriter) {
	apihttp.WriteJSON(w, http.StatusOK, map[string]string{"now": s.cfg.Clock.Now().Format(time.RFC3339Nano)})
}

func (s *Server) handleGetClock(w http.ResponseWriter, _ *http.Request) { s.writeClock(w) }

func (s *Server) adjuster(w http.ResponseWriter) (Adjuster, bool) {
	a, ok := s.cfg.Clock.(Adjuster)
	if !ok {
		writeControlError(w, http.StatusNotFound, "not-found", "This mock's clock cannot be moved")
	}
	return a, ok
}

// handleSetClock is setClock (PUT /_mock/clock): forward only.
func (s *Server) handleSetClock(w http.ResponseWriter, r *http.Request) {
	a, ok := s.adjuster(w)
	if !ok {
		return
	}
	var body struct {
		Now time.Time `json:"now"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		writeControlError(w, http.StatusBadRequest, "body", "now must be an RFC 3339 date-time")
		return
	}
	if err := a.Set(body.Now); errors.Is(err, clock.ErrBackwards) {
		writeControlError(w, http.StatusConflict, "conflict", "The clock only moves forward")
		return
	}
	s.writeClock(w)
}

// handleAdvanceClock is advanceClock (POST /_mock/clock/advance).
func (s *Server) handleAdvanceClock(w http.ResponseWriter, r *http.Request) {
	a, ok := s.adjuster(w)
	if !ok {
		return
	}
	var body struct {
		Seconds float64 `json:"seconds"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		writeControlError(w, http.StatusBadRequest, "body", "seconds must be a number")
		return
	}
	_ = a.Advance(time.Duration(body.Seconds * float64(time.Second))) // the schema forbids negatives
	s.writeClock(w)
}

// handleCreatePrincipal is createPrincipal (POST /_mock/principals).
func (s *Server) handleCreatePrincipal(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Role string `json:"role"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		writeControlError(w, http.StatusBadRequest, "body", "role is required")
		return
	}
	p, err := provider.Principal{}, provider.ErrUnknownRole
	if api, ok := s.api(provider.APIOf(body.Role)); ok {
		p, err = api.maker.NewPrincipal(r.Context(), body.Role)
	}
	switch {
	case errors.Is(err, provider.ErrUnknownRole):
		writeControlError(w, http.StatusNotFound, "not-found", "No fixture has role "+body.Role)
	case err != nil:
		s.log.Error("create principal", "role", body.Role, "error", err)
		writeControlError(w, http.StatusInternalServerError, "internal", "Internal error")
	default:
		apihttp.WriteJSON(w, http.StatusCreated, p)
	}
}

// handleEndRamBaseSession is endRamBaseSession (POST /_mock/rambase/sessions/end).
func (s *Server) handleEndRamBaseSession(w http.ResponseWriter, r *http.Request) {
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		writeControlError(w, http.StatusBadRequest, "body", "access_token is required")
		return
	}
	if _, ok := s.api(rambase.API); !ok {
		writeControlError(w, http.StatusNotFound, "not-found", "RamBase is not served here")
		return
	}
	switch err := s.rambase.EndSession(r.Context(), body.AccessToken); {
	case errors.Is(err, provider.ErrNotFound):
		writeControlError(w, http.StatusNotFound, "not-found", "No session has that access token")
	case err != nil:
		s.log.Error("end session", "error", err)
		writeControlError(w, http.StatusInternalServerError, "internal", "Internal error")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// handleListOutbox is listOutbox (GET /_mock/outbox).
func (s *Server) handleListOutbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	msgs, err := s.outbox.List(r.Context(), q.Get("to"), q.Get("kind"))
	if err != nil {
		writeControlError(w, http.StatusInternalServerError, "internal", "Internal error")
		return
	}
	apihttp.WriteJSON(w, http.StatusOK, map[string]any{"items": msgs})
}

func (s *Server) handleGetFixtures(w http.ResponseWriter, _ *http.Request) {
	apihttp.WriteJSON(w, http.StatusOK, s.Fixtures())
}

// handleReplaceFixtures is replaceFixtures (PUT /_mock/fixtures): all state is reset and seeded
// from the new set.
func (s *Server) handleReplaceFixtures(w http.ResponseWriter, r *http.Request) {
	var f Fixtures // the schema (additionalProperties: false) has already refused unknown fields
	if err := apihttp.DecodeJSON(r, &f); err != nil {
		writeControlError(w, http.StatusBadRequest, "body", "The fixtures do not match the Fixtures schema")
		return
	}
	if err := s.reset(r.Context(), &f); err != nil {
		writeControlError(w, http.StatusBadRequest, "body", err.Error())
		return
	}
	apihttp.WriteJSON(w, http.StatusOK, s.Fixtures())
}

func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) {
	if err := s.reset(r.Context(), nil); err != nil {
		s.log.Error("reset", "error", err)
		writeControlError(w, http.StatusInternalServerError, "internal", "Internal error")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
