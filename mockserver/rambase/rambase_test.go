package rambase_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/otp"
	"github.com/idvkit/idvkit/mockserver/rambase"
	"github.com/idvkit/idvkit/mockserver/store/memory"
)

func TestClientCredentialsLogin(t *testing.T) {
	c := newClient(t)
	p := c.principal("rambase.api_client")
	r := c.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {p.ClientID}, "client_secret": {p.ClientSecret}})
	require.Equal(t, http.StatusOK, r.Status)
	assert.NotEmpty(t, r.JSON["access_token"])
	assert.EqualValues(t, 3600, r.JSON["expires_in"])

	bad := c.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {p.ClientID}, "client_secret": {"wrong"}})
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.EqualValues(t, 1, bad.JSON["error_code"])
	assert.NotContains(t, bad.JSON, "access_token")
}

// A login stores nothing: its access token carries the session. The session is stored when it
// first changes (it reads its ID verification token, or it ends), and only then.
func TestALoginStoresNothingUntilItsSessionChanges(t *testing.T) {
	st := memory.New()
	c := newClient(t, mocktest.WithConfig(func(cfg *mockserver.Config) { cfg.Store = st }))
	sessions := func() int {
		n := 0
		for _, rec := range st.Records() {
			if rec.Kind == "rambase.session" {
				n++
			}
		}
		return n
	}
	verifierP, userP := c.principal("rambase.api_client"), c.principal("rambase.internal_user")
	var users []string
	for range 50 {
		c.clientToken(verifierP, nil)
		users = append(users, c.userToken(userP))
	}
	assert.Equal(t, 0, sessions(), "100 logins")
	verifier := c.clientToken(verifierP, nil)
	assert.Equal(t, http.StatusOK, c.get("/system/users/"+text(field(c.get("/system/sessions/current", users[0]).JSON, "session", "pid")), verifier).Status)
	assert.Equal(t, 1, sessions(), "the session that read its ID verification token; the verifier's, which only called, is not")
	c.idvToken(users[0])
	assert.Equal(t, 1, sessions(), "read again: the same record")
	require.Equal(t, http.StatusNoContent, c.control(http.MethodPost, "/rambase/sessions/end", map[string]string{"access_token": users[1]}).Status)
	assert.Equal(t, 2, sessions(), "the session that ended")
	assert.Equal(t, http.StatusUnauthorized, c.get("/system/sessions/current", users[1]).Status, "its record wins over its token")
	assert.Equal(t, http.StatusOK, c.get("/system/sessions/current", users[2]).Status, "the others live on")
}

// The mock knows a session until its retention ends, a day after it expires, as if its record were
// swept then: ending it a second before is 204, at that instant 404.
func TestEndingASessionPastItsRetentionIs404(t *testing.T) {
	c := newClient(t)
	p := c.principal("rambase.internal_user")
	before, at := c.userToken(p), c.userToken(p)
	end := func(tok string) int {
		return c.control(http.MethodPost, "/rambase/sessions/end", map[string]string{"access_token": tok}).Status
	}
	require.NoError(t, c.m.Advance(time.Hour+24*time.Hour-time.Second))
	assert.Equal(t, http.StatusNoContent, end(before))
	require.NoError(t, c.m.Advance(time.Second))
	assert.Equal(t, http.StatusNotFound, end(at))
}

// An access token is the mock's only as sealed: change any one character of it and it is refused.
func TestAlteredAccessTokenIsRefused(t *testing.T) {
	c := newClient(t)
	tok := c.clientToken(c.principal("rambase.api_client"), nil)
	require.Equal(t, http.StatusOK, c.get("/id-verification-token", tok).Status)
	for _, i := range []int{0, len(tok) / 2, len(tok) - 1} {
		altered := []byte(tok)
		altered[i] = map[bool]byte{true: 'B', false: 'A'}[altered[i] == 'A']
		assert.Equal(t, http.StatusUnauthorized, c.get("/id-verification-token", string(altered)).Status, "character %d", i)
	}
	assert.Equal(t, http.StatusUnauthorized, c.get("/id-verification-token", tok+"A").Status)
	assert.Equal(t, http.StatusUnauthorized, c.get("/id-verification-token", strings.Repeat("A", 2000)).Status)
}

func TestVerificationFlowOfAnInternalUser(t *testing.T) {
	c := newClient(t)
	verifier := c.clientToken(c.principal("rambase.api_client"), nil)
	user := c.principal("rambase.internal_user")
	userToken := c.userToken(user)

	sess := c.get("/system/sessions/current", userToken)
	require.Equal(t, http.StatusOK, sess.Status)
	assert.Equal(t, user.ID, text(field(sess.JSON, "session", "pid")))
	assert.Equal(t, "HATTELAND", field(sess.JSON, "session", "ramBaseName"))
	assert.Equal(t, user.ClientID, field(sess.JSON, "session", "apiClientId"))

	idv := c.idvToken(userToken)
	newer := c.get("/id-verification-token", userToken)
	assert.Equal(t, idv, newer.JSON["idVerificationToken"], "both doc revisions give the same token")

	for range 2 { // RB-12: any number of times
		v := c.verify(idv, verifier)
		require.Equal(t, http.StatusOK, v.Status, string(v.Raw))
		assert.Equal(t, user.ID, text(field(v.JSON, "idVerification", "user", "userId")))
		assert.Nil(t, field(v.JSON, "idVerification", "customer", "customerId"))
		assert.Nil(t, field(v.JSON, "idVerification", "supplier", "supplierLink"))
	}

	// userLink points at the mock and answers.
	link := field(c.verify(idv, verifier).JSON, "idVerification", "user", "userLink").(string)
	require.True(t, strings.HasPrefix(link, c.m.APIURL("rambase")+"/system/users/"), link)
	u := c.get(strings.TrimPrefix(link, c.m.APIURL("rambase")), verifier)
	assert.Equal(t, http.StatusOK, u.Status)
	assert.Equal(t, user.ID, text(field(u.JSON, "user", "userId")))
}

func TestVerificationRequiresTheVerifiersOwnToken(t *testing.T) {
	c := newClient(t, mocktest.AllowViolations("verifyIdVerificationToken", "required"))
	idv := c.idvToken(c.userToken(c.principal("rambase.internal_user")))
	r := c.verify(idv, "")
	assert.Equal(t, http.StatusUnauthorized, r.Status)
	assert.EqualValues(t, 401, r.JSON["httpStatusCode"])
	r = c.verify(idv, "not-a-token")
	assert.Equal(t, http.StatusUnauthorized, r.Status)
}

func TestUnknownTokenIs404(t *testing.T) {
	c := newClient(t)
	verifier := c.clientToken(c.principal("rambase.api_client"), nil)
	for _, tok := range []string{"q6SD0ZhQ0k6DO9-abcdefghijklmn", "a.b.c"} {
		r := c.verify(tok, verifier)
		assert.Equal(t, http.StatusNotFound, r.Status)
		assert.EqualValues(t, 404, r.JSON["httpStatusCode"])
		assert.NotEmpty(t, r.JSON["message"])
	}
}

// RB-11 at its edge: a session lives exactly AccessTokenTTL; at that instant it is dead.
func TestVerificationTokenDiesWithItsAccessTokenAtTheEdge(t *testing.T) {
	for _, tc := range []struct {
		after time.Duration
		want  int
	}{{3599 * time.Second, 200}, {3600 * time.Second, 404}, {3601 * time.Second, 404}} {
		t.Run(tc.after.String(), func(t *testing.T) {
			c := newClient(t)
			verifierP := c.principal("rambase.api_client")
			idv := c.idvToken(c.userToken(c.principal("rambase.internal_user")))
			require.NoError(t, c.m.Advance(tc.after))
			verifier := c.clientToken(verifierP, nil)
			assert.Equal(t, tc.want, c.verify(idv, verifier).Status)
		})
	}
}

func TestAccessTokenExpiresAtTheEdge(t *testing.T) {
	c := newClient(t)
	tok := c.userToken(c.principal("rambase.internal_user"))
	require.NoError(t, c.m.Advance(3599*time.Second))
	assert.Equal(t, http.StatusOK, c.get("/system/sessions/current", tok).Status)
	require.NoError(t, c.m.Advance(time.Second))
	assert.Equal(t, http.StatusUnauthorized, c.get("/system/sessions/current", tok).Status)
}

func TestEndedSessionKillsItsVerificationToken(t *testing.T) {
	c := newClient(t)
	verifier := c.clientToken(c.principal("rambase.api_client"), nil)
	userToken := c.userToken(c.principal("rambase.internal_user"))
	idv := c.idvToken(userToken)
	other := c.idvToken(c.userToken(c.principal("rambase.internal_user")))

	r := c.control(http.MethodPost, "/rambase/sessions/end", map[string]string{"access_token": userToken})
	require.Equal(t, http.StatusNoContent, r.Status)
	assert.Equal(t, http.StatusNotFound, c.verify(idv, verifier).Status)
	assert.Equal(t, http.StatusOK, c.verify(other, verifier).Status, "other sessions live on")
	assert.Equal(t, http.StatusNotFound, c.control(http.MethodPost, "/rambase/sessions/end", map[string]string{"access_token": "nope"}).Status)
}

// With RB-11 broken on purpose, a token outlives its ended session (and the same steps without it
// stop verifying, TestEndedSessionKillsItsVerificationToken).
func TestBrokenRuleRB11KeepsDeadTokensAlive(t *testing.T) {
	c := newClient(t, mocktest.WithBrokenRules("RB-11"))
	verifier := c.clientToken(c.principal("rambase.api_client"), nil)
	userToken := c.userToken(c.principal("rambase.internal_user"))
	idv := c.idvToken(userToken)
	require.Equal(t, http.StatusOK, c.verify(idv, verifier).Status)
	r := c.control(http.MethodPost, "/rambase/sessions/end", map[string]string{"access_token": userToken})
	require.Equal(t, http.StatusNoContent, r.Status, string(r.Raw))
	assert.Equal(t, http.StatusUnauthorized, c.get("/system/sessions/current", userToken).Status, "the session has ended")
	assert.Equal(t, http.StatusOK, c.verify(idv, verifier).Status, "yet its token verifies: the broken rule")
}

func TestOnlyRB11CanBeBroken(t *testing.T) {
	_, err := mocktest.Start(mocktest.WithBrokenRules("RB-05"))
	assert.ErrorContains(t, err, "RB-05 cannot be broken")
}

func TestBindings(t *testing.T) {
	c := newClient(t)
	verifier := c.clientToken(c.principal("rambase.api_client"), nil)
	portal := c.principal("rambase.portal_client")

	cust := c.verify(c.idvToken(c.clientToken(portal, url.Values{"customerid": {portal.Attributes["customer_id"]}})), verifier)
	require.Equal(t, http.StatusOK, cust.Status)
	assert.EqualValues(t, 100234, field(cust.JSON, "idVerification", "customer", "customerId"))
	assert.Nil(t, field(cust.JSON, "idVerification", "supplier", "supplierId"))
	link := field(cust.JSON, "idVerification", "customer", "customerLink").(string)
	assert.Equal(t, http.StatusOK, c.get(strings.TrimPrefix(link, c.m.APIURL("rambase")), verifier).Status)

	sup := c.verify(c.idvToken(c.clientToken(portal, url.Values{"supplierid": {portal.Attributes["supplier_id"]}})), verifier)
	assert.EqualValues(t, 200871, field(sup.JSON, "idVerification", "supplier", "supplierId"))
	assert.Nil(t, field(sup.JSON, "idVerification", "customer", "customerLink"))

	for _, extra := range []url.Values{
		{"customerid": {"999"}},
		{"customerid": {"100234"}, "supplierid": {"200871"}},
	} {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {portal.ClientID}, "client_secret": {portal.ClientSecret}}
		for k, v := range extra {
			form[k] = v
		}
		r := c.token(form)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.EqualValues(t, 11, r.JSON["error_code"])
	}

	for role, want := range map[string][2]any{
		"rambase.customer_portal_user": {float64(100234), nil},
		"rambase.supplier_portal_user": {nil, float64(200871)},
	} {
		v := c.verify(c.idvToken(c.userToken(c.principal(role))), verifier)
		assert.Equal(t, want[0], field(v.JSON, "idVerification", "customer", "customerId"), role)
		assert.Equal(t, want[1], field(v.JSON, "idVerification", "supplier", "supplierId"), role)
	}
}

func TestOTPLogin(t *testing.T) {
	c := newClient(t, mocktest.WithCodes(otp.Sequence("482913")))
	p := c.principal("rambase.otp_user")
	first := c.token(userForm(p))
	require.Equal(t, http.StatusBadRequest, first.Status)
	assert.EqualValues(t, 5, first.JSON["error_code"])
	assert.Equal(t, true, first.JSON["otp_required"])
	code := c.lastOTP(p.Email)
	require.Equal(t, "482913", code, "the code mailed is the one the source made")

	wrong := userForm(p)
	wrong.Set("otp", "000000")
	assert.EqualValues(t, 6, c.token(wrong).JSON["error_code"])

	right := userForm(p)
	right.Set("otp", code)
	assert.Equal(t, http.StatusOK, c.token(right).Status, "a wrong try under the limit leaves the code usable")
	again := c.token(right)
	assert.Equal(t, http.StatusBadRequest, again.Status, "a code is used once")
	assert.EqualValues(t, 6, again.JSON["error_code"])
}

func TestOTPExpiresAtTheEdge(t *testing.T) {
	for _, tc := range []struct {
		after time.Duration
		want  int
	}{{rambase.DefaultOTPTTL - time.Second, 200}, {rambase.DefaultOTPTTL, 400}, {rambase.DefaultOTPTTL + time.Second, 400}} {
		t.Run(tc.after.String(), func(t *testing.T) {
			c := newClient(t)
			p := c.principal("rambase.otp_user")
			c.token(userForm(p))
			form := userForm(p)
			form.Set("otp", c.lastOTP(p.Email))
			require.NoError(t, c.m.Advance(tc.after))
			assert.Equal(t, tc.want, c.token(form).Status)
		})
	}
}

// The fourth wrong code leaves the right one usable; the fifth locks it.
func TestOTPLocksAtTheFifthWrongCode(t *testing.T) {
	for _, wrongTries := range []int{rambase.DefaultOTPMaxAttempts - 1, rambase.DefaultOTPMaxAttempts} {
		c := newClient(t, mocktest.WithCodes(otp.Sequence("482913")))
		p := c.principal("rambase.otp_user")
		c.token(userForm(p))
		wrong := userForm(p)
		wrong.Set("otp", "000000")
		for range wrongTries {
			require.EqualValues(t, 6, c.token(wrong).JSON["error_code"])
		}
		right := userForm(p)
		right.Set("otp", "482913")
		want := http.StatusOK
		if wrongTries == rambase.DefaultOTPMaxAttempts {
			want = http.StatusBadRequest
		}
		assert.Equal(t, want, c.token(right).Status, "after %d wrong codes", wrongTries)
	}
}

// The OTP lifetime and the access token's are settings of the fixture section.
func TestSettingsChangeLifetimes(t *testing.T) {
	f := mockserver.DefaultFixtures()
	var section map[string]any
	require.NoError(t, json.Unmarshal(f["rambase"], &section))
	section["settings"] = map[string]int{"access_token_ttl": 60, "otp_ttl": 30, "otp_max_attempts": 1}
	f["rambase"], _ = json.Marshal(section)
	c := newClient(t, mocktest.WithFixtures(f), mocktest.WithCodes(otp.Sequence("482913")))

	tok := c.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {"forecast-api"}, "client_secret": {"forecast-secret"}})
	assert.EqualValues(t, 60, tok.JSON["expires_in"])
	p := c.principal("rambase.otp_user")
	c.token(userForm(p))
	wrong := userForm(p)
	wrong.Set("otp", "000000")
	c.token(wrong)
	right := userForm(p)
	right.Set("otp", "482913")
	assert.Equal(t, http.StatusBadRequest, c.token(right).Status, "one wrong try locks at otp_max_attempts 1")
}

// A one-time password is redeemed exactly once, however many logins race for it.
func TestOTPRedeemedExactlyOnceUnderContention(t *testing.T) {
	c := newClient(t)
	p := c.principal("rambase.otp_user")
	c.token(userForm(p))
	form := userForm(p)
	form.Set("otp", c.lastOTP(p.Email))
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			if c.token(form).Status == http.StatusOK {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, wins.Load())
}

func TestFixtureUsersLogInWithPrintedCredentials(t *testing.T) {
	c := newClient(t)
	require.NotEmpty(t, c.m.Principals())
	for _, p := range c.m.Principals() {
		if p.API != "rambase" {
			continue
		}
		if p.Kind == "client" {
			c.clientToken(p, nil)
		} else if p.Role != "rambase.otp_user" {
			c.userToken(p)
		}
	}
}

func TestUnknownTargetNamesTheTargets(t *testing.T) {
	c := newClient(t)
	p := c.principal("rambase.api_client")
	r := c.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {p.ClientID}, "client_secret": {p.ClientSecret}, "target": {"OTHER"}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.EqualValues(t, 10, r.JSON["error_code"])
	assert.Equal(t, []any{"HATTELAND"}, r.JSON["targets"])
	assert.Equal(t, false, r.JSON["otp_required"])
}
