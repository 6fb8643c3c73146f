// Package rambase is the mock of RamBase ID verification: logins (client credentials, or a user's
// password with an emailed one-time password), sessions carrying an ID verification token, and the
// verification call a third party makes with that token. Rules RB-01 ... RB-13 of reference/apis.md.
package rambase

import (
	"net/http"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/otp"
	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/token"
	"github.com/idvkit/idvkit/openapi"
)

// Name is the API's name: its prefix, spec name and role prefix.
const Name = "rambase"

// Mock serves the RamBase operations. Build it with New.
type Mock struct {
	// Section is its section of the fixture set, where the lifetimes, and every token's epoch, live;
	// it answers Fixtures and NewPrincipal.
	*mockapi.Section[Fixtures]
	env mockapi.Env
	idv *token.Issuer // signs ID verification tokens; the mock verifies them by lookup, not by Parse
}

// The interfaces RamBase implements: it has control operations, breaks a rule on purpose and keeps
// the others, and makes fresh principals, but has no end-user pages.
var (
	_ mockapi.API            = (*Mock)(nil)
	_ mockapi.Controller     = (*Mock)(nil)
	_ mockapi.RuleBreaker    = (*Mock)(nil)
	_ mockapi.RuleKeeper     = (*Mock)(nil)
	_ mockapi.PrincipalMaker = (*Mock)(nil)
)

// New returns the RamBase mock (a mockapi.Factory).
func New(env mockapi.Env) mockapi.API {
	m := &Mock{env: env, idv: token.New(Name, token.Verification, token.HS256, env.Clock)}
	m.Section = mockapi.NewSection(Name, env.Store, m.seed, m.roles)
	return m
}

// Name implements mockapi.API.
func (m *Mock) Name() string { return Name }

// Spec implements mockapi.API.
func (m *Mock) Spec() *openapi.Spec { return openapi.MustLoad(Name) }

// Operations maps every operationId of openapi/rambase.yaml to its handler.
func (m *Mock) Operations() map[string]http.Handler {
	return map[string]http.Handler{
		"getAccessToken":            apihttp.Flow(m.getAccessToken),
		"getCurrentSession":         apihttp.Flow(m.getCurrentSession),
		"getIdVerificationToken":    apihttp.Flow(m.getIdVerificationToken),
		"verifyIdVerificationToken": apihttp.Flow(m.verifyIdVerificationToken),
		"getUser":                   apihttp.Flow(m.getUser),
		"getCustomer":               apihttp.Flow(m.getParty(kindCustomer, "customer", errCustomerNotFound)),
		"getSupplier":               apihttp.Flow(m.getParty(kindSupplier, "supplier", errSupplierNotFound)),
	}
}

// Capabilities are the control capabilities RamBase adds: ending a session.
func (m *Mock) Capabilities() []string { return []string{"rambase.session.end"} }

// ControlOperations are RamBase's own control operations.
func (m *Mock) ControlOperations() map[string]http.Handler {
	return map[string]http.Handler{"endRamBaseSession": apihttp.Flow(m.endRamBaseSession)}
}

// ruleDeadTokens is the rule the mock can break: with it broken, a session's ID verification token
// keeps verifying after the session has ended.
const ruleDeadTokens = "RB-11"

// Breakable implements mockapi.RuleBreaker.
func (m *Mock) Breakable() []string { return []string{ruleDeadTokens} }

// Kept implements mockapi.RuleKeeper: RamBase's flows have no broken mode for its other rules, so
// that the suite catches a break of them is not shown (RandaVerify and eeID break every rule).
func (m *Mock) Kept() []string {
	return []string{"RB-01", "RB-02", "RB-03", "RB-04", "RB-05", "RB-06", "RB-07", "RB-08", "RB-09", "RB-10", "RB-12", "RB-13"}
}

// Record kinds.
const (
	kindClient   = "rambase.client"
	kindUser     = "rambase.user" // unique: "username:<name>" for users who log in
	kindCustomer = "rambase.customer"
	kindSupplier = "rambase.supplier"
	kindSession  = "rambase.session" // a session once it has changed (session.go)
	kindOTP      = "rambase.otp"
	kindIDV      = "rambase.idv" // ID verification token -> session key
)

// codes are the one-time passwords emailed to users with OTP on.
func (m *Mock) codes(s Settings) otp.Codes {
	return otp.Codes{Store: m.env.Store, Clock: m.env.Clock, Kind: kindOTP, Length: 6, TTL: s.otpTTL(),
		MaxAttempts: s.otpMaxAttempts(), Retention: m.env.Retention, Source: m.env.Codes, Outbox: m.env.Outbox}
}

// mail sends an OTP message to a user.
func otpMessage(u user) outbox.Message {
	to := u.Email
	if to == "" {
		to = u.Username
	}
	return outbox.Message{API: Name, Kind: "otp", To: to}
}

// accessToken returns the caller's access token from the Authorization header or, as RamBase also
// accepts, the $access_token query parameter.
func accessToken(r *http.Request) string {
	if t, ok := openapi.Credentials(r, "Bearer"); ok {
		return t
	}
	return apihttp.Query(r).Get("$access_token")
}

// Authenticate finds the caller's live session (RB-04, RB-09) before parameters are judged, and
// hands it to the handler.
func (m *Mock) Authenticate(r *http.Request, _ *openapi.Operation) (any, *openapi.Failure) {
	s, ok, err := m.sessionOf(r.Context(), accessToken(r))
	if err != nil {
		m.env.Logger.Error("read session", "error", err)
		return nil, &openapi.Failure{Kind: openapi.KindInternal, Rule: "session"}
	}
	if !ok || !s.aliveAt(m.env.Clock.Now()) {
		return nil, &openapi.Failure{Kind: openapi.KindAuth, Field: "Authorization", Rule: "invalid"}
	}
	return s, nil
}

// caller is the session Authenticate found; every operation but the token endpoint has one.
func caller(r *http.Request) session { return apihttp.Caller(r).(session) }
