// Package eeid is the mock of eeID, the Estonian Internet Foundation's identification service: a
// service gets a 120-second token with its client credentials, creates identification requests that
// a person completes through a link, reads the result and a proof-of-identity PDF, and learns of each
// completion by an HMAC-signed webhook, retried on the mock's clock. Rules EE-01 ... EE-17 of
// reference/apis.md, and EE-18 and EE-19, our own policy rules (openapi/eeid.yaml).
package eeid

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/token"
	"github.com/idvkit/idvkit/openapi"
)

// Name is the API's name: its prefix, spec name and role prefix.
const Name = "eeid"

// Mock serves the eeID operations. Build it with New.
type Mock struct {
	// Section is its section of the fixture set, where the lifetimes, and every token's epoch, live;
	// it answers Fixtures and NewPrincipal.
	*mockapi.Section[Fixtures]
	env    mockapi.Env
	access *token.Issuer // the Bearer tokens createToken gives
}

// The interfaces eeID implements: every optional one.
var (
	_ mockapi.API            = (*Mock)(nil)
	_ mockapi.Controller     = (*Mock)(nil)
	_ mockapi.PageServer     = (*Mock)(nil)
	_ mockapi.RuleBreaker    = (*Mock)(nil)
	_ mockapi.PrincipalMaker = (*Mock)(nil)
)

// New returns the eeID mock (a mockapi.Factory).
func New(env mockapi.Env) mockapi.API {
	m := &Mock{env: env, access: token.New(Name, token.Access, token.HS256, env.Clock)}
	m.Section = mockapi.NewSection(Name, env.Store, m.seed, m.roles)
	return m
}

// Name implements mockapi.API.
func (m *Mock) Name() string { return Name }

// Spec implements mockapi.API.
func (m *Mock) Spec() *openapi.Spec { return openapi.MustLoad(Name) }

// Operations maps every operationId of openapi/eeid.yaml to its handler.
func (m *Mock) Operations() map[string]http.Handler {
	return map[string]http.Handler{
		"createToken":                 apihttp.Flow(m.createToken),
		"createIdentificationRequest": apihttp.Flow(m.createIdentificationRequest),
		"getIdentificationRequests":   apihttp.Flow(m.getIdentificationRequests),
		"getIdentificationRequest":    apihttp.Flow(m.getIdentificationRequest),
		"getProofOfIdentity":          apihttp.Flow(m.getProofOfIdentity),
	}
}

// Capabilities are the control capabilities eeID adds: completing, aborting and expiring
// identifications as a person would; configuring a service's webhook and reading its deliveries;
// and, for the slow scenario of a silent receiver, real webhook timing.
func (m *Mock) Capabilities() []string {
	return []string{"eeid.request.complete", "eeid.webhook.set", "webhook.timing"}
}

// ControlOperations are eeID's own control operations.
func (m *Mock) ControlOperations() map[string]http.Handler {
	return map[string]http.Handler{
		"completeEeidRequest": apihttp.Flow(m.completeEeidRequest),
		"abortEeidRequest":    apihttp.Flow(m.abortEeidRequest),
		"expireEeidRequest":   apihttp.Flow(m.expireEeidRequest),
		"setEeidWebhook":      apihttp.Flow(m.setEeidWebhook),
		"listEeidDeliveries":  apihttp.Flow(m.listEeidDeliveries),
		"replayEeidDelivery":  apihttp.Flow(m.replayEeidDelivery),
	}
}

// Pages implements mockapi.PageServer: the page a request's link opens.
func (m *Mock) Pages() map[string]http.Handler {
	return map[string]http.Handler{identifyPage: http.HandlerFunc(m.handleIdentifyPage)}
}

// The rules the mock can break on purpose, each the way an implementation might get it wrong.
const (
	ruleTokenLifetime = "EE-01" // the token says it lives an hour
	ruleCredentials   = "EE-02" // any secret of a known client_id gets a token
	ruleSubRequired   = "EE-04" // a request without a sub claim with a value is refused (the old 422 example)
	ruleEcho          = "EE-05" // the created request does not echo the reference
	ruleReadBack      = "EE-06" // a request reads back without its claims
	ruleNotFound      = "EE-07" // an unknown id is a 500, as an unhandled lookup error
	ruleResult        = "EE-09" // a completed request's result has no sub
	ruleTokenTTL      = "EE-03" // tokens never expire
	ruleProofEarly    = "EE-08" // a pending request has a proof
	ruleMismatch      = "EE-10" // a mismatched sub reads as matched
	ruleCompactJSON   = "EE-12" // the webhook body is indented
	ruleNoRetry       = "EE-13" // a failed delivery is not retried
	ruleLinkOnce      = "EE-14" // a completed link completes again
	ruleExpiry        = "EE-15" // a request never expires
	ruleIsolation     = "EE-17" // any service reads any request
	ruleWrongSecret   = "EE-11" // the webhook is signed with another key
	ruleListOwnership = "EE-16" // the list shows every service's requests
	ruleListOrder     = "EE-18" // the list is oldest first
	ruleBackoff       = "EE-19" // retries come 2 s, 4 s and 8 s after each failure
)

// Breakable implements mockapi.RuleBreaker.
func (m *Mock) Breakable() []string {
	return []string{ruleTokenLifetime, ruleCredentials, ruleTokenTTL, ruleSubRequired, ruleEcho, ruleReadBack, ruleNotFound,
		ruleProofEarly, ruleResult, ruleMismatch, ruleWrongSecret, ruleCompactJSON, ruleNoRetry, ruleLinkOnce, ruleExpiry,
		ruleListOwnership, ruleIsolation, ruleListOrder, ruleBackoff}
}

// Record kinds.
const (
	kindService = "eeid.service" // by client_id
	kindRequest = "eeid.request" // by id, owned by the service's client_id
)

// caller is the service whose token a request carries.
type caller struct{ service service }

// Authenticate checks the token endpoint's Basic client credentials, or every other operation's
// Bearer token: an access token of this mock's eeID since its fixtures were last seeded (never
// another API's, whatever its subject), of a service that exists, not past its 120 seconds (EE-03).
// CheckAuth has already held the header to the operation's scheme, so its scheme tells which.
func (m *Mock) Authenticate(r *http.Request, _ *openapi.Operation) (any, *openapi.Failure) {
	invalid := &openapi.Failure{Kind: openapi.KindAuth, Field: "Authorization", Rule: "invalid"}
	if _, ok := openapi.Credentials(r, "Basic"); ok {
		s, ok := m.basicService(r)
		if !ok {
			return nil, invalid
		}
		return caller{s}, nil
	}
	claims, ok := m.Section.Bearer(r, m.access, m.env.Broken.Has(ruleTokenTTL))
	if !ok {
		return nil, invalid
	}
	s, err := store.Get[service](r.Context(), m.env.Store, kindService, claims.Subject)
	if err != nil {
		return nil, invalid
	}
	return caller{s}, nil
}

// basicService is the service whose client credentials a Basic header carries, checked in constant
// time; a header that is not base64 of `id:secret` with both parts is no service.
func (m *Mock) basicService(r *http.Request) (service, bool) {
	v, ok := openapi.Credentials(r, "Basic")
	if !ok {
		return service{}, false
	}
	decoded, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return service{}, false
	}
	id, secret, ok := strings.Cut(string(decoded), ":")
	if !ok || id == "" || secret == "" {
		return service{}, false
	}
	s, err := store.Get[service](r.Context(), m.env.Store, kindService, id)
	if err != nil {
		secretsEqual(secret, "") // the same comparison either way
		return service{}, false
	}
	return s, secretsEqual(secret, s.ClientSecret) || m.env.Broken.Has(ruleCredentials)
}

func callerOf(r *http.Request) service { return apihttp.Caller(r).(caller).service }
