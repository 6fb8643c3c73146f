package mockserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"time"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/token"
	"github.com/idvkit/idvkit/openapi"
)

// ControlVersion is the version of the control API contract (openapi/control.yaml info.version).
const ControlVersion = "1.7.0"

// controlOperations maps every operationId of openapi/control.yaml to its handler: the shared ones
// here, and each served API's own. An API's own operations are marked x-api in the spec; those of an
// API that is not served answer 404.
func (s *Server) controlOperations(spec *openapi.Spec) map[string]http.Handler {
	ops := map[string]http.Handler{
		"getHealth":       http.HandlerFunc(s.handleHealth),
		"getCapabilities": http.HandlerFunc(s.handleCapabilities),
		"getClock":        http.HandlerFunc(s.handleGetClock),
		"setClock":        apihttp.Flow(s.setClock),
		"advanceClock":    apihttp.Flow(s.advanceClock),
		"createPrincipal": apihttp.Flow(s.createPrincipal),
		"listOutbox":      apihttp.Flow(s.listOutbox),
		"getJWKS":         http.HandlerFunc(s.handleJWKS),
		"getFixtures":     http.HandlerFunc(s.handleGetFixtures),
		"replaceFixtures": apihttp.Flow(s.replaceFixtures),
		"reset":           apihttp.Flow(s.reset),
		"listRequests":    apihttp.Flow(s.listRequests),
		"listViolations":  apihttp.Flow(s.listViolations),
		"clearRequests":   apihttp.Flow(s.clearJournal),
		"clearViolations": apihttp.Flow(s.clearJournal),
	}
	for _, api := range s.served {
		if c, ok := api.(mockapi.Controller); ok {
			maps.Copy(ops, c.ControlOperations())
		}
	}
	for _, op := range spec.Operations() {
		if api := op.Extension("x-api"); ops[op.ID] == nil && api != "" {
			ops[op.ID] = notServed(api)
		}
	}
	return ops
}

func notServed(api string) http.Handler {
	err := mockapi.ControlError(http.StatusNotFound, "not-found", api+" is not served here")
	return apihttp.Flow(func(*http.Request) (int, any, error) { return 0, nil, err })
}

// authenticateControl checks the control token, when the mock has one, in constant time: the
// digests are compared, so not even the token's length shows in the time a refusal takes.
func (s *Server) authenticateControl(r *http.Request, _ *openapi.Operation) (any, *openapi.Failure) {
	if s.cfg.ControlToken == "" {
		return nil, nil
	}
	tok, ok := openapi.Credentials(r, "Bearer")
	if !ok {
		return nil, &openapi.Failure{Kind: openapi.KindAuth, Field: "Authorization", Rule: "required"}
	}
	got, want := sha256.Sum256([]byte(tok)), sha256.Sum256([]byte(s.cfg.ControlToken))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return nil, &openapi.Failure{Kind: openapi.KindAuth, Field: "Authorization", Rule: "invalid"}
	}
	return nil, nil
}

// guardPage asks for the control token, when the mock has one, before a page that acts for the
// control API: as a Bearer token, or as the password of HTTP Basic authentication (any user name), so
// that a person's browser prompts for it.
func (s *Server) guardPage(page http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.ControlToken != "" {
			if _, password, ok := r.BasicAuth(); ok {
				r = r.Clone(r.Context())
				r.Header.Set("Authorization", "Bearer "+password)
			}
			if _, f := s.authenticateControl(r, nil); f != nil {
				w.Header().Set("WWW-Authenticate", `Basic realm="idvkit control API (the control token as password)", charset="UTF-8"`)
				mockapi.ControlErrors().Answer(w, r, f)
				return
			}
		}
		page.ServeHTTP(w, r)
	})
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
	caps = append(caps, "users.create", "outbox", "jwks")
	for _, api := range s.served {
		if c, ok := api.(mockapi.Controller); ok {
			caps = append(caps, c.Capabilities()...)
		}
	}
	return caps
}

func (s *Server) handleCapabilities(w http.ResponseWriter, _ *http.Request) {
	apihttp.WriteJSON(w, http.StatusOK, map[string]any{"version": ControlVersion, "apis": s.APIs(), "capabilities": s.Capabilities()})
}

// clockNow is the body of every clock operation's answer.
func (s *Server) clockNow() map[string]string {
	return map[string]string{"now": s.cfg.Clock.Now().Format(time.RFC3339Nano)}
}

func (s *Server) handleGetClock(w http.ResponseWriter, _ *http.Request) {
	apihttp.WriteJSON(w, http.StatusOK, s.clockNow())
}

// maxClockMove is how far one call may move the clock: a year, advanceClock's schema maximum.
const maxClockMove = 365 * 24 * time.Hour

// The control API's errors.
var (
	errFixedClock   = mockapi.ControlError(http.StatusNotFound, "not-found", "This mock's clock cannot be moved")
	errRoleRequired = mockapi.ControlError(http.StatusBadRequest, "body", "role is required")
	errNotFixtures  = mockapi.ControlError(http.StatusBadRequest, "body", "The fixtures do not match the Fixtures schema")
	errResetBody    = mockapi.ControlError(http.StatusBadRequest, "body", "The request body cannot be decoded")
	errMoveTooLong  = errors.New("a clock move of more than a year") // a setClock more than maxClockMove ahead
)

// moveClock moves the clock, if it can be moved, and answers with the new time. A refusal names
// field, the body field that asked for the move.
func (s *Server) moveClock(field string, move func(Adjuster) error) (int, any, error) {
	a, ok := s.cfg.Clock.(Adjuster)
	if !ok {
		return 0, nil, errFixedClock
	}
	switch err := move(a); {
	case errors.Is(err, clock.ErrBackwards):
		return 0, nil, mockapi.ControlFieldError(http.StatusConflict, "conflict", field, "The clock only moves forward")
	case errors.Is(err, clock.ErrTooFar):
		return 0, nil, mockapi.ControlFieldError(http.StatusBadRequest, "body", field, "The clock cannot pass "+clock.Max.Format(time.RFC3339)+
			` (POST /_mock/reset {"clock": "restart"} takes it back to where it started)`)
	case errors.Is(err, errMoveTooLong):
		return 0, nil, mockapi.ControlFieldError(http.StatusBadRequest, "body", field, "The clock moves at most a year (31536000 seconds) a call")
	case err != nil:
		return 0, nil, fmt.Errorf("move clock: %w", err)
	}
	s.sweep()
	return http.StatusOK, s.clockNow(), nil
}

// setClock is setClock (PUT /_mock/clock): forward only, at most a year ahead of the clock, up to
// clock.Max. The clock only moves forward, so a call judged within a year stays within it.
func (s *Server) setClock(r *http.Request) (int, any, error) {
	var body struct {
		Now time.Time `json:"now"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, mockapi.ControlFieldError(http.StatusBadRequest, "body", "/now", "now must be an RFC 3339 date-time")
	}
	return s.moveClock("/now", func(a Adjuster) error {
		if now := s.cfg.Clock.Now(); body.Now.Sub(now) > maxClockMove && !body.Now.After(clock.Max) {
			return errMoveTooLong
		}
		return a.Set(body.Now)
	})
}

// advanceClock is advanceClock (POST /_mock/clock/advance). The schema caps seconds at a year
// (maxClockMove), far inside time.Duration's range. Seconds are rounded to the nanosecond, so 0.999 s
// then 0.001 s make exactly one second (a float product truncated would fall a nanosecond short of an
// edge).
func (s *Server) advanceClock(r *http.Request) (int, any, error) {
	var body struct {
		Seconds float64 `json:"seconds"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, mockapi.ControlFieldError(http.StatusBadRequest, "body", "/seconds", "seconds must be a number")
	}
	return s.moveClock("/seconds", func(a Adjuster) error {
		return a.Advance(time.Duration(math.Round(body.Seconds * float64(time.Second))))
	})
}

// createPrincipal is createPrincipal (POST /_mock/principals).
func (s *Server) createPrincipal(r *http.Request) (int, any, error) {
	var body struct {
		Role string `json:"role"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, errRoleRequired
	}
	p, err := mockapi.Principal{}, mockapi.ErrUnknownRole
	if api, ok := s.api(mockapi.APIOf(body.Role)); ok {
		if pm, ok := api.(mockapi.PrincipalMaker); ok {
			p, err = pm.NewPrincipal(r.Context(), body.Role)
		}
	}
	switch {
	case errors.Is(err, mockapi.ErrUnknownRole):
		return 0, nil, mockapi.ControlError(http.StatusNotFound, "not-found", "No fixture has role "+body.Role)
	case err != nil:
		return 0, nil, fmt.Errorf("create principal: %w", err)
	}
	return http.StatusCreated, p, nil
}

// listOutbox is listOutbox (GET /_mock/outbox).
func (s *Server) listOutbox(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	msgs, err := s.outbox.List(r.Context(), q.Get("to"), q.Get("kind"))
	if err != nil {
		return 0, nil, fmt.Errorf("list outbox: %w", err)
	}
	return http.StatusOK, map[string]any{"items": msgs}, nil
}

// handleJWKS is getJWKS (GET /_mock/jwks, capability jwks): the public key of the RS256 tokens the
// mock mints, which every mock publishes whichever APIs it serves.
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	jwks, err := token.JWKS()
	if err != nil {
		apihttp.Fail(w, r, fmt.Errorf("jwks: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(jwks)
}

func (s *Server) handleGetFixtures(w http.ResponseWriter, _ *http.Request) {
	apihttp.WriteJSON(w, http.StatusOK, s.Fixtures())
}

// replaceFixtures is replaceFixtures (PUT /_mock/fixtures): all state is reset and seeded from the
// new set, or, when the set cannot be seeded, nothing changes.
func (s *Server) replaceFixtures(r *http.Request) (int, any, error) {
	var f Fixtures // the schema (additionalProperties: false) has already refused unknown fields
	if err := apihttp.DecodeJSON(r, &f); err != nil || f == nil {
		return 0, nil, errNotFixtures
	}
	if err := s.seed(r.Context(), f); err != nil {
		return 0, nil, mockapi.ControlError(http.StatusBadRequest, "body", err.Error())
	}
	return http.StatusOK, s.Fixtures(), nil
}

// reset is reset (POST /_mock/reset): all state is forgotten and the fixtures seeded again. With
// {"clock": "restart"} the clock goes back to where it started first (Adjuster.Restart), so that
// nothing made at the later time survives: a token, a link or a record made there would otherwise
// live on for as long as the clock went back.
func (s *Server) reset(r *http.Request) (int, any, error) {
	var body struct {
		Clock string `json:"clock"`
	}
	if r.ContentLength > 0 {
		if err := apihttp.DecodeJSON(r, &body); err != nil {
			return 0, nil, errResetBody
		}
	}
	if a, ok := s.cfg.Clock.(Adjuster); ok && body.Clock == "restart" {
		a.Restart() // a clock that cannot be moved never left its start
	}
	if err := s.seed(r.Context(), s.Fixtures()); err != nil {
		return 0, nil, fmt.Errorf("reset: %w", err)
	}
	return http.StatusNoContent, nil, nil
}
