// Package bundeling is the mock of Bundeling's API V2 as a third party's web site uses it: a member
// who follows an app link (an AppCMS link holding {{useridentity}}) arrives with a one-time token,
// which the site trades for the member's uuid with its API key (POST /V2/user_identity), then reads
// the member (GET /V2/users/{uuid}) and logs them in by the external reference it keeps. API keys are
// of two kinds, with and without user authentication (POST /V2/login, then BundelingAuth), and belong
// to one environment (a club). Every operation answers in JSON or XML as Accept asks. Rules BU-01 ...
// BU-11 of reference/apis.md, and our own BU-12 ... BU-16.
package bundeling

import (
	"net/http"

	// Environments write their users' timestamps in their own time zone, and the mock's image
	// (FROM scratch) has no zoneinfo of its own.
	_ "time/tzdata"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/openapi"
)

// Name is the API's name: its prefix, spec name and role prefix.
const Name = "bundeling"

// Mock serves Bundeling's operations. Build it with New.
type Mock struct {
	// Section is its section of the fixture set, where the lifetimes live; it answers Fixtures and
	// NewPrincipal.
	*mockapi.Section[Fixtures]
	env mockapi.Env
	// errorXML is the XML form of an error answered outside every operation (an unknown path).
	errorXML *openapi.XMLBody
}

// The interfaces Bundeling implements: every optional one.
var (
	_ mockapi.API            = (*Mock)(nil)
	_ mockapi.Controller     = (*Mock)(nil)
	_ mockapi.PageServer     = (*Mock)(nil)
	_ mockapi.RuleBreaker    = (*Mock)(nil)
	_ mockapi.PrincipalMaker = (*Mock)(nil)
)

// New returns the Bundeling mock (a mockapi.Factory).
func New(env mockapi.Env) mockapi.API {
	m := &Mock{env: env, errorXML: openapi.MustLoad(Name).SchemaXML("ErrorResponse")}
	m.Section = mockapi.NewSection(Name, env.Store, m.seed, m.roles)
	return m
}

// Name implements mockapi.API.
func (m *Mock) Name() string { return Name }

// Spec implements mockapi.API.
func (m *Mock) Spec() *openapi.Spec { return openapi.MustLoad(Name) }

// The operations of openapi/bundeling.yaml.
const (
	opUserIdentity = "createUserIdentity"
	opGetUser      = "getUser"
	opListUsers    = "listUsers"
	opLogin        = "login"
)

// Operations maps every operationId of openapi/bundeling.yaml to its handler.
func (m *Mock) Operations() map[string]http.Handler {
	return map[string]http.Handler{
		opUserIdentity: apihttp.Flow(m.createUserIdentity),
		opGetUser:      apihttp.Flow(m.getUser),
		opListUsers:    apihttp.Flow(m.listUsers),
		opLogin:        apihttp.Flow(m.login),
	}
}

// The rules the mock can break on purpose, each the way an implementation might get it wrong, so a
// test can show that the suite catches every one of them.
const (
	ruleRightUser       = "BU-01" // a token redeems to another uuid (its user's, reversed)
	ruleOneTime         = "BU-02" // a token is never used up
	ruleTokenTTL        = "BU-03" // a token never expires
	ruleKeyRequired     = "BU-04" // a token is redeemed without an Api-Key
	ruleTokenRequired   = "BU-05" // a body without a token is 401, not 400
	ruleExternalRef     = "BU-06" // a user comes without its external reference
	ruleUnknownUser     = "BU-07" // a user of another environment is found
	ruleSameInXML       = "BU-08" // a user in XML comes without its external reference
	ruleLabels          = "BU-09" // labels are shown to keys that need user authentication too
	ruleTwoUsers        = "BU-10" // a token redeems to the user the environment's last token was for
	rulePages           = "BU-11" // pages count from 0
	ruleEnvironment     = "BU-12" // any environment's key redeems a token
	ruleOlderTokens     = "BU-13" // a newer token retires its user's older ones
	ruleUserAuth        = "BU-14" // a key that needs user authentication is answered without a login
	ruleXML             = "BU-15" // every answer is JSON, whatever Accept asks
	rulePageSizeDefault = "BU-16" // the list's page size is 10 unless asked
)

// Breakable implements mockapi.RuleBreaker: every BU rule.
func (m *Mock) Breakable() []string {
	return []string{ruleRightUser, ruleOneTime, ruleTokenTTL, ruleKeyRequired, ruleTokenRequired, ruleExternalRef, ruleUnknownUser,
		ruleSameInXML, ruleLabels, ruleTwoUsers, rulePages, ruleEnvironment, ruleOlderTokens, ruleUserAuth, ruleXML, rulePageSizeDefault}
}

// caller is the key a request came with, and for a key that needs user authentication, the user
// whose login it carries.
type caller struct {
	key  apiKey
	user string // the uuid of the logged-in user; "" for a key without user authentication
}

// callerOf is the caller Authenticate found; every operation has one.
func callerOf(r *http.Request) caller { return apihttp.Caller(r).(caller) }

// needsNoLogin are the operations a key that needs user authentication calls without BundelingAuth:
// those whose security in the spec is Api-Key alone (it logs in with one; it may not list users, and
// hears so with a 403 rather than a 401).
var needsNoLogin = map[string]bool{opLogin: true, opListUsers: true}

// Authenticate judges the Api-Key (a key of the mock, found by its digest), and for a key that needs
// user authentication the BundelingAuth token: one its login gave that key, not expired (BU-14).
func (m *Mock) Authenticate(r *http.Request, op *openapi.Operation) (any, *openapi.Failure) {
	ctx := r.Context()
	digest := store.SecretKey(r.Header.Get(apiKeyHeader))
	k, err := store.Get[apiKey](ctx, m.env.Store, kindAPIKey, digest)
	if err != nil {
		return nil, &openapi.Failure{Kind: openapi.KindAuth, Field: apiKeyHeader, Rule: "invalid"}
	}
	c := caller{key: k}
	if !k.UserAuthentication || needsNoLogin[op.ID] || m.env.Broken.Has(ruleUserAuth) {
		return c, nil
	}
	invalid := &openapi.Failure{Kind: openapi.KindAuth, Field: "Authorization", Rule: "invalid"}
	tok, ok := openapi.Credentials(r, authScheme)
	if !ok {
		return nil, invalid
	}
	l, err := store.Get[login](ctx, m.env.Store, kindLogin, store.SecretKey(tok))
	if err != nil || l.Key != digest || !m.env.Clock.Now().Before(l.ExpiresAt) {
		return nil, invalid
	}
	c.user = l.User
	return c, nil
}

// The headers credentials come in.
const (
	apiKeyHeader = "Api-Key"
	authScheme   = "BundelingAuth"
)
