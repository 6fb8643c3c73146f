// Package randaverify is the mock of RandaVerify: a login with a username and password (or an
// operations-issued one-time password that forces a password change), JWT access tokens revoked at
// once by a password change, a reset or a suspension, password resets by email, and the paid NIN
// verification calls the login gates, debited from the organisation's wallet. Rules RV-01 ... RV-15
// of reference/apis.md.
package randaverify

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/token"
	"github.com/idvkit/idvkit/openapi"
)

// Name is the API's name: its prefix, spec name and role prefix.
const Name = "randaverify"

// Mock serves the RandaVerify operations. Build it with New.
type Mock struct {
	// Section is its section of the fixture set, where the lifetimes, and every token's epoch, live;
	// it answers Fixtures and NewPrincipal.
	*mockapi.Section[Fixtures]
	env    mockapi.Env
	access *token.Issuer // the tokens login gives
	reset  *token.Issuer // the tokens of password-reset links
}

// The interfaces RandaVerify implements: every optional one.
var (
	_ mockapi.API            = (*Mock)(nil)
	_ mockapi.Controller     = (*Mock)(nil)
	_ mockapi.PageServer     = (*Mock)(nil)
	_ mockapi.RuleBreaker    = (*Mock)(nil)
	_ mockapi.PrincipalMaker = (*Mock)(nil)
)

// New returns the RandaVerify mock (a mockapi.Factory).
func New(env mockapi.Env) mockapi.API {
	m := &Mock{env: env, access: token.New(Name, token.Access, token.HS256, env.Clock),
		reset: token.New(Name, token.Reset, token.HS256, env.Clock)}
	m.Section = mockapi.NewSection(Name, env.Store, m.seed, m.roles)
	return m
}

// Name implements mockapi.API.
func (m *Mock) Name() string { return Name }

// Spec implements mockapi.API.
func (m *Mock) Spec() *openapi.Spec { return openapi.MustLoad(Name) }

// Operations maps every operationId of openapi/randaverify.yaml to its handler.
func (m *Mock) Operations() map[string]http.Handler {
	return map[string]http.Handler{
		"login":           apihttp.Flow(m.login),
		"changePassword":  apihttp.Flow(m.changePassword),
		"forgotPassword":  apihttp.Flow(m.forgotPassword),
		"getMe":           apihttp.Flow(m.getMe),
		"listNimcReasons": m.verification(listNimcReasons),
		"verifyNin":       m.verification(m.verifyNin),
		"requeryNin":      m.verification(m.requeryNin),
	}
}

// Capabilities are the control capabilities RandaVerify adds.
func (m *Mock) Capabilities() []string {
	return []string{"randaverify.user.invite", "randaverify.account.suspend", "randaverify.wallet.set"}
}

// ControlOperations are RandaVerify's own control operations: what its operations team does.
func (m *Mock) ControlOperations() map[string]http.Handler {
	return map[string]http.Handler{
		"inviteRandaVerifyUser":     apihttp.Flow(m.inviteRandaVerifyUser),
		"suspendRandaVerifyUser":    apihttp.Flow(m.suspendRandaVerifyUser),
		"reactivateRandaVerifyUser": apihttp.Flow(m.reactivateRandaVerifyUser),
		"setRandaVerifyWallet":      apihttp.Flow(m.setRandaVerifyWallet),
	}
}

// Pages implements mockapi.PageServer: the page a reset link opens.
func (m *Mock) Pages() map[string]http.Handler {
	return map[string]http.Handler{resetPage: http.HandlerFunc(m.handleResetPage)}
}

// The rules the mock can break on purpose, each the way an implementation might get it wrong, so a
// test can show that the suite catches every one of them.
const (
	ruleTokenLifetime   = "RV-01" // tokens live two hours
	ruleFormOnly        = "RV-02" // a JSON login is refused with 400, not FastAPI's 422
	ruleTokenTTL        = "RV-03" // tokens never expire
	ruleNoRefresh       = "RV-04" // POST /refresh answers
	ruleForcedChange    = "RV-05" // verification calls accept a token that must change its password
	ruleRevokeOnChange  = "RV-06" // a password change revokes nothing
	ruleOldPassword     = "RV-07" // the old password keeps working after a change
	ruleRevokeOnSuspend = "RV-08" // a suspension revokes nothing
	ruleForgotLeaks     = "RV-09" // an unknown email is told so
	ruleMeOrganisation  = "RV-10" // /me leaves the organisation's slug empty
	ruleNoTokenIs401    = "RV-11" // a missing or malformed token is 403
	ruleNINDigits       = "RV-12" // a NIN of any length is looked up
	ruleWallet          = "RV-13" // an empty wallet still pays
	ruleRequeryFree     = "RV-14" // a requery costs a unit
	ruleCaseSensitive   = "RV-15" // references match in any case
)

// ruleForcedChangeStatus breaks only our part of RV-05: verification calls refuse the token of a user
// who must change their password with 401 instead of our 403, as an implementation may that follows
// the seed and chose another status. A run that does not count policy forgives it.
const ruleForcedChangeStatus = "RV-05:401"

// Breakable implements mockapi.RuleBreaker: every RV rule, and RV-05:401.
func (m *Mock) Breakable() []string {
	return []string{ruleTokenLifetime, ruleFormOnly, ruleTokenTTL, ruleNoRefresh, ruleForcedChange, ruleForcedChangeStatus, ruleRevokeOnChange, ruleOldPassword,
		ruleRevokeOnSuspend, ruleForgotLeaks, ruleMeOrganisation, ruleNoTokenIs401, ruleNINDigits, ruleWallet, ruleRequeryFree, ruleCaseSensitive}
}

// Record kinds.
const (
	kindUser         = "randaverify.user" // by id; unique "username:<name>" and "email:<email>"
	kindOrganisation = "randaverify.organisation"
	kindPerson       = "randaverify.person"       // fixture people, by NIN
	kindVerification = "randaverify.verification" // by reference id, owned by the organisation
)

func idKey(id int64) string { return strconv.FormatInt(id, 10) }

func usernameKey(name string) string { return "username:" + strings.ToLower(name) }

func emailKey(email string) string { return "email:" + strings.ToLower(email) }

// caller is who an access token belongs to, as Authenticate found them.
type caller struct {
	user  user
	token *token.Claims
}

// Authenticate checks the access token: an access token of this mock's RandaVerify since its fixtures
// were last seeded, not expired on the mock's clock (RV-03), of a user who exists, is active (RV-08)
// and whose token generation it carries (RV-06, RV-08).
func (m *Mock) Authenticate(r *http.Request, _ *openapi.Operation) (any, *openapi.Failure) {
	invalid := &openapi.Failure{Kind: openapi.KindAuth, Field: "Authorization", Rule: "invalid"}
	claims, ok := m.Section.Bearer(r, m.access, m.env.Broken.Has(ruleTokenTTL))
	if !ok {
		return nil, invalid
	}
	u, err := store.Get[user](r.Context(), m.env.Store, kindUser, claims.Subject)
	switch {
	case err != nil, claims.IssuedBefore(u.Generation):
		return nil, invalid
	case !u.Active && !m.env.Broken.Has(ruleRevokeOnSuspend):
		return nil, invalid
	}
	return caller{user: u, token: claims}, nil
}

// callerOf is the caller Authenticate found; every operation but login and forgot-password has one.
func callerOf(r *http.Request) caller { return apihttp.Caller(r).(caller) }

// verification gates the verification calls: they refuse the token of a user who must change their
// password first (RV-05), with 403.
func (m *Mock) verification(flow func(r *http.Request) (int, any, error)) http.Handler {
	return apihttp.Flow(func(r *http.Request) (int, any, error) {
		if callerOf(r).user.RequirePasswordChange && !m.env.Broken.Has(ruleForcedChange) {
			if m.env.Broken.Has(ruleForcedChangeStatus) {
				return 0, nil, errForcedChange401
			}
			return 0, nil, errForcedChange
		}
		return flow(r)
	})
}
