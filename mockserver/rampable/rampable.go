// Package rampable is the mock of Rampable's email and password authentication: a registration or a
// login mails a 6-digit code and answers an HS256 verification token bound to the user and to that
// code; verify-login with both answers an RS256 access token, which the control API's JWKS verifies,
// and the user. Rules RP-01 ... RP-12 of reference/apis.md, and RP-13 and RP-14 of our own.
package rampable

import (
	"net/http"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/token"
	"github.com/idvkit/idvkit/openapi"
)

// Name is the API's name: its prefix, spec name and role prefix.
const Name = "rampable"

// Mock serves the Rampable operations. Build it with New.
type Mock struct {
	// Section is its section of the fixture set, where the lifetimes, the attempt limit and every
	// token's epoch live; it answers Fixtures and NewPrincipal.
	*mockapi.Section[Fixtures]
	env          mockapi.Env
	verification *token.Issuer // the verificationToken of a registration or a login (HS256)
	access       *token.Issuer // the accessToken of verify-login (RS256, published by the JWKS)
}

// The interfaces Rampable implements: it has a control operation, breaks every rule on purpose and
// makes fresh principals, but has no end-user pages.
var (
	_ mockapi.API            = (*Mock)(nil)
	_ mockapi.Controller     = (*Mock)(nil)
	_ mockapi.RuleBreaker    = (*Mock)(nil)
	_ mockapi.PrincipalMaker = (*Mock)(nil)
)

// New returns the Rampable mock (a mockapi.Factory).
func New(env mockapi.Env) mockapi.API {
	accessAlg := token.RS256
	if env.Broken.Has(ruleAccessToken) {
		accessAlg = token.HS256
	}
	m := &Mock{env: env, verification: token.New(Name, token.Verification, token.HS256, env.Clock),
		access: token.New(Name, token.Access, accessAlg, env.Clock)}
	m.Section = mockapi.NewSection(Name, env.Store, m.seed, m.roles)
	return m
}

// Name implements mockapi.API.
func (m *Mock) Name() string { return Name }

// Spec implements mockapi.API.
func (m *Mock) Spec() *openapi.Spec { return openapi.MustLoad(Name) }

// Operations maps every operationId of openapi/rampable.yaml to its flow.
func (m *Mock) Operations() map[string]http.Handler {
	return map[string]http.Handler{
		"register":    apihttp.Flow(m.register),
		"login":       apihttp.Flow(m.login),
		"verifyLogin": apihttp.Flow(m.verifyLogin),
	}
}

// Capabilities are the control capabilities Rampable adds: fixing the next code mailed to an address.
func (m *Mock) Capabilities() []string { return []string{"rampable.code.set"} }

// ControlOperations are Rampable's own control operations.
func (m *Mock) ControlOperations() map[string]http.Handler {
	return map[string]http.Handler{"setRampableNextCode": apihttp.Flow(m.setRampableNextCode)}
}

// Authenticate implements mockapi.API. No Rampable operation takes credentials (the access token is
// for the vendor's other /v1 routes, which the mock does not serve), so a request that reaches it
// is refused.
func (m *Mock) Authenticate(*http.Request, *openapi.Operation) (any, *openapi.Failure) {
	return nil, &openapi.Failure{Kind: openapi.KindAuth, Field: "Authorization", Rule: "invalid"}
}

// The rules the mock can break on purpose, each the way an implementation might get it wrong, so a
// test can show that the suite catches every one of them.
const (
	ruleOptionalFields  = "RP-01" // a registration that gives nationalID, country or countryCode is refused
	ruleFullNameNeeded  = "RP-02" // a registration without fullName succeeds
	ruleDuplicateEmail  = "RP-03" // a second registration of an email answers 200 with a new token
	ruleLoginMessage    = "RP-04" // a login answers message "success", not "ok"
	rulePasswordChecked = "RP-05" // a login takes any password
	ruleAccessToken     = "RP-06" // access tokens are HS256, which the published JWKS cannot verify
	ruleCodeOnce        = "RP-07" // a code and its verification token work again after a success
	ruleCodeChecked     = "RP-08" // verify-login takes any code
	ruleVerificationTTL = "RP-09" // verification tokens live twice as long
	ruleDisableExpire   = "RP-10" // isDisableExpire is ignored: every access token expires
	ruleSupersede       = "RP-11" // a verification token stays bound to its user after a newer login
	ruleEnvelopes       = "RP-12" // every success carries both statusCode and status
	ruleErrorsNameField = "RP-13" // bad input is refused without saying what is wrong
	ruleVerifiedFirst   = "RP-14" // an account that has never verified logs in
)

// Breakable implements mockapi.RuleBreaker: every rule of the spec.
func (m *Mock) Breakable() []string {
	return []string{ruleOptionalFields, ruleFullNameNeeded, ruleDuplicateEmail, ruleLoginMessage, rulePasswordChecked,
		ruleAccessToken, ruleCodeOnce, ruleCodeChecked, ruleVerificationTTL, ruleDisableExpire, ruleSupersede, ruleEnvelopes,
		ruleErrorsNameField, ruleVerifiedFirst}
}

// envelope is a success body. The vendor's keys differ by operation (RP-12): register answers
// statusCode, login and verify-login status; the other key is left out.
type envelope struct {
	StatusCode int    `json:"statusCode,omitempty"`
	Status     int    `json:"status,omitempty"`
	Message    string `json:"message"`
	Data       any    `json:"data"`
}

// ok answers a success in the envelope of a registration or of the other operations.
func (m *Mock) ok(registration bool, message string, data any) (int, any, error) {
	e := envelope{Message: message, Data: data}
	both := m.env.Broken.Has(ruleEnvelopes)
	if registration || both {
		e.StatusCode = http.StatusOK
	}
	if !registration || both {
		e.Status = http.StatusOK
	}
	return http.StatusOK, e, nil
}

// verificationData is the data of a registration's and a login's answer.
type verificationData struct {
	VerificationToken string `json:"verificationToken"`
}
