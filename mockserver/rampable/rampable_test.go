package rampable_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/otp"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
)

// client is a small Rampable client over a mocktest.Server.
type client struct {
	t *testing.T
	m *mocktest.Server
}

func newClient(t *testing.T, opts ...mocktest.Option) *client {
	return &client{t: t, m: mocktest.New(t, opts...)}
}

// post sends a JSON body to a path of the API, or of the mock's root for one starting with /_mock.
func (c *client) post(method, path string, body any) mocktest.Reply {
	raw, err := json.Marshal(body)
	require.NoError(c.t, err)
	if !strings.HasPrefix(path, "/_mock") {
		path = "/rampable" + path
	}
	return c.m.Call(c.t, method, path, http.Header{"Content-Type": {"application/json"}}, raw)
}

func (c *client) verifiedUser() mockapi.Principal {
	c.t.Helper()
	r := c.post(http.MethodPost, "/_mock/principals", map[string]string{"role": "rampable.verified_user"})
	require.Equal(c.t, http.StatusCreated, r.Status, string(r.Raw))
	var p mockapi.Principal
	require.NoError(c.t, json.Unmarshal(r.Raw, &p))
	return p
}

func (c *client) login(email, password string) mocktest.Reply {
	return c.post(http.MethodPost, "/v1/auth/login", map[string]string{"email": email, "password": password})
}

// verificationToken logs the principal in and returns its verification token.
func (c *client) verificationToken(p mockapi.Principal) string {
	c.t.Helper()
	r := c.login(p.Email, p.Password)
	require.Equal(c.t, http.StatusOK, r.Status, string(r.Raw))
	return r.JSON["data"].(map[string]any)["verificationToken"].(string)
}

func (c *client) verify(tok, code string) mocktest.Reply {
	return c.post(http.MethodPost, "/v1/auth/verify-login", map[string]string{"verificationToken": tok, "otp": code})
}

// latestCode is the code of the latest mail to an address, from the outbox.
func (c *client) latestCode(to string) string {
	c.t.Helper()
	r := c.m.Call(c.t, http.MethodGet, "/_mock/outbox?kind=otp&to="+to, nil, nil)
	require.Equal(c.t, http.StatusOK, r.Status)
	items := r.JSON["items"].([]any)
	require.NotEmpty(c.t, items, "no code was mailed to %s", to)
	return items[len(items)-1].(map[string]any)["code"].(string)
}

// claims reads a JWT's payload without verifying it.
func claims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c map[string]any
	require.NoError(t, json.Unmarshal(raw, &c))
	return c
}

// Of 200 verify-logins racing with the right code, exactly one gets an access token: the code and
// its verification token are consumed in one atomic update of the user. The others are 401.
func TestTheRightCodeGivesExactlyOneAccessTokenToManyConcurrentCalls(t *testing.T) {
	c := newClient(t)
	p := c.verifiedUser()
	tok := c.verificationToken(p)
	code := c.latestCode(p.Email)
	var ok, dead, other atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 200 {
		wg.Go(func() {
			<-start
			r := c.verify(tok, code)
			switch {
			case r.Status == http.StatusOK && r.JSON["data"].(map[string]any)["accessToken"] != "":
				ok.Add(1)
			case r.Status == http.StatusUnauthorized:
				dead.Add(1)
			default:
				other.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.EqualValues(t, 1, ok.Load())
	assert.EqualValues(t, 199, dead.Load())
	assert.Zero(t, other.Load())
}

// Of 200 wrong codes racing against one verification token, 5 are counted (400 each) and the other
// 195 find it dead (401); the right code then is refused too.
func TestConcurrentWrongCodesNeverCountMoreThanTheLimit(t *testing.T) {
	c := newClient(t, mocktest.WithCodes(otp.Sequence("123456")))
	p := c.verifiedUser()
	tok := c.verificationToken(p)
	var wrong, dead, other atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 200 {
		wg.Go(func() {
			<-start
			switch c.verify(tok, strings.Repeat("0", 3)+strings.Repeat(string(rune('0'+i%10)), 3)).Status {
			case http.StatusBadRequest:
				wrong.Add(1)
			case http.StatusUnauthorized:
				dead.Add(1)
			default:
				other.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.EqualValues(t, 5, wrong.Load())
	assert.EqualValues(t, 195, dead.Load())
	assert.Zero(t, other.Load())
	assert.Equal(t, http.StatusUnauthorized, c.verify(tok, "123456").Status, "dead after the limit, with the right code too")
}

// A verification token and its code work until 10 minutes after issue on the mock's clock: at 9:59
// the code verifies, at 10:00 and 10:01 the token is dead, with the right code too.
func TestAVerificationTokenLivesTenMinutes(t *testing.T) {
	for _, tc := range []struct {
		after time.Duration
		want  int
	}{{599 * time.Second, http.StatusOK}, {600 * time.Second, http.StatusUnauthorized}, {601 * time.Second, http.StatusUnauthorized}} {
		c := newClient(t)
		p := c.verifiedUser()
		tok := c.verificationToken(p)
		code := c.latestCode(p.Email)
		iat := claims(t, tok)["iat"].(float64)
		assert.Equal(t, iat+600, claims(t, tok)["exp"].(float64))
		require.NoError(t, c.m.Advance(tc.after))
		assert.Equal(t, tc.want, c.verify(tok, code).Status, tc.after)
	}
}

// The fixture settings change the lifetimes and the attempt limit: a verification token of 60 s,
// an access token of 120 s, 2 wrong codes.
func TestSettingsChangeLifetimesAndTheAttemptLimit(t *testing.T) {
	f := mockserver.DefaultFixtures()
	section := strings.Replace(string(f["rampable"]), `"settings":{"access_token_ttl":86400,"otp_max_attempts":5,"verification_token_ttl":600}`,
		`"settings":{"access_token_ttl":120,"otp_max_attempts":2,"verification_token_ttl":60}`, 1)
	require.NotEqual(t, string(f["rampable"]), section, "the default settings as the test expects them")
	f["rampable"] = json.RawMessage(section)
	c := newClient(t, mocktest.WithFixtures(f))
	p := c.verifiedUser()

	tok := c.verificationToken(p)
	code := c.latestCode(p.Email)
	assert.Equal(t, 60.0, claims(t, tok)["exp"].(float64)-claims(t, tok)["iat"].(float64))
	r := c.verify(tok, code)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	access := claims(t, r.JSON["data"].(map[string]any)["accessToken"].(string))
	assert.Equal(t, 120.0, access["exp"].(float64)-access["iat"].(float64))

	tok = c.verificationToken(p)
	assert.Equal(t, http.StatusBadRequest, c.verify(tok, "000000").Status)
	assert.Equal(t, http.StatusBadRequest, c.verify(tok, "000001").Status)
	assert.Equal(t, http.StatusUnauthorized, c.verify(tok, c.latestCode(p.Email)).Status, "dead after 2")

	tok = c.verificationToken(p)
	require.NoError(t, c.m.Advance(59*time.Second))
	assert.Equal(t, http.StatusOK, c.verify(tok, c.latestCode(p.Email)).Status, "at 0:59")
	tok = c.verificationToken(p)
	require.NoError(t, c.m.Advance(60*time.Second))
	assert.Equal(t, http.StatusUnauthorized, c.verify(tok, c.latestCode(p.Email)).Status, "at 1:00")
}

// The verification token names its user and its verification, and carries neither the code nor
// anything derived from it: its claims are sub, iat, exp, jti and bnd.
func TestTheVerificationTokenCarriesNoCode(t *testing.T) {
	c := newClient(t, mocktest.WithCodes(otp.Sequence("428571")))
	p := c.verifiedUser()
	tok := c.verificationToken(p)
	got := claims(t, tok)
	assert.ElementsMatch(t, []string{"sub", "iat", "exp", "jti", "bnd"}, keys(got))
	assert.Equal(t, p.ID, got["sub"])
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	require.NoError(t, err)
	assert.NotContains(t, string(payload), "428571")
	header, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	require.NoError(t, err)
	assert.JSONEq(t, `{"alg":"HS256","typ":"JWT"}`, string(header))
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A verification token dies with its fixture seed: after a reset it is refused, its code too.
func TestAResetKillsEveryVerificationToken(t *testing.T) {
	c := newClient(t)
	p := c.m.Principal(t, "rampable.verified_user")
	tok := c.verificationToken(p)
	code := c.latestCode(p.Email)
	require.Equal(t, http.StatusNoContent, c.post(http.MethodPost, "/_mock/reset", map[string]any{}).Status)
	assert.Equal(t, http.StatusUnauthorized, c.verify(tok, code).Status)
	tok = c.verificationToken(p)
	assert.Equal(t, http.StatusOK, c.verify(tok, c.latestCode(p.Email)).Status, "the user logs in again")
}

// A wrong password and an email no account has get the same answer, byte for byte, and no mail.
func TestAWrongPasswordAndAnUnknownEmailAnswerAlike(t *testing.T) {
	c := newClient(t)
	p := c.verifiedUser()
	wrong, unknown := c.login(p.Email, "wrong"), c.login("nobody-"+p.Email, "wrong")
	assert.Equal(t, http.StatusUnauthorized, wrong.Status)
	assert.Equal(t, string(wrong.Raw), string(unknown.Raw))
	r := c.m.Call(t, http.MethodGet, "/_mock/outbox?kind=otp&to="+p.Email, nil, nil)
	assert.Empty(t, r.JSON["items"])
}

// A login with an email no account has costs what one with a wrong password costs, at the mock's
// bcrypt cost: timing must not reveal which emails have accounts. The tries alternate and the fastest
// of each is compared, so that a busy machine can only slow both.
func TestAnUnknownEmailCostsWhatAWrongPasswordCosts(t *testing.T) {
	c := newClient(t, mocktest.WithConfig(func(cfg *mockserver.Config) { cfg.PasswordCost = 8 }))
	p := c.verifiedUser()
	try := func(email string) time.Duration {
		began := time.Now()
		r := c.login(email, "wrong-password")
		took := time.Since(began)
		require.Equal(t, http.StatusUnauthorized, r.Status)
		return took
	}
	wrong, unknown := time.Hour, time.Hour
	for range 7 {
		wrong = min(wrong, try(p.Email))
		unknown = min(unknown, try("nobody-"+p.Email))
	}
	assert.Greater(t, unknown, wrong/2, "unknown email %s, wrong password %s", unknown, wrong)
	assert.Greater(t, wrong, unknown/2, "unknown email %s, wrong password %s", unknown, wrong)
}

// A registration answers the whole user at its first verification: its own organization named after
// it, the vendor's shapes of ids and times, the code this call redeemed as otp_code, and its access
// token lives 24 hours from the mock's clock.
func TestAVerifiedRegistrationShowsTheWholeUser(t *testing.T) {
	c := newClient(t, mocktest.WithCodes(otp.Sequence("314159")))
	r := c.post(http.MethodPost, "/v1/auth/register", map[string]string{"email": "Grace@Example.com", "password": "pw", "fullName": "Grace Hopper",
		"nationalID": "123123", "country": "Singapore", "countryCode": "SG"})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	tok := r.JSON["data"].(map[string]any)["verificationToken"].(string)
	require.NoError(t, c.m.Advance(90*time.Second))
	r = c.verify(tok, "314159")
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	data := r.JSON["data"].(map[string]any)
	u := data["user"].(map[string]any)
	org := u["organizationId"].(map[string]any)
	assert.Equal(t, "Grace@Example.com", u["email"], "as registered")
	assert.Equal(t, "Grace Hopper", u["name"])
	assert.Equal(t, "Grace Hopper", u["legalFullName"])
	assert.Equal(t, "Grace Hopper", org["orgName"])
	assert.Regexp(t, `^[0-9a-f]{24}$`, org["_id"])
	assert.Regexp(t, `^[0-9a-f]{24}$`, u["id"])
	assert.NotEqual(t, org["_id"], u["id"])
	assert.Equal(t, "admin", u["role"])
	assert.Equal(t, "2030-01-01T00:00:00.000Z", u["createdAt"])
	assert.Equal(t, "2030-01-01T00:00:00.000Z", u["invitation_date"])
	assert.Equal(t, "2030-01-02T00:00:00.000Z", u["invitation_expiration_date"])
	assert.Equal(t, "2030-01-01T00:01:30.000Z", u["updatedAt"])
	assert.Equal(t, "314159", u["otp_code"], "the code this call redeemed")
	assert.Regexp(t, `^UX-\d{5}$`, u["transfiId"])
	assert.NotContains(t, u, "nationalID")
	access := claims(t, data["accessToken"].(string))
	assert.Equal(t, u["id"], access["sub"])
	assert.Equal(t, float64(c.m.Now().Unix()), access["iat"])
	assert.Equal(t, float64(c.m.Now().Add(24*time.Hour).Unix()), access["exp"])

	login := c.login("grace@example.COM", "pw")
	assert.Equal(t, http.StatusOK, login.Status, "the email in any case logs in")
}

// The control API fixes the next code mailed to an address, registered or not, once: the mail after
// it has a code of the mock's source again.
func TestAFixedCodeIsMailedOnce(t *testing.T) {
	c := newClient(t, mocktest.WithCodes(otp.Sequence("111111")))
	fix := func(email, code string) {
		r := c.post(http.MethodPut, "/_mock/rampable/emails/"+email+"/next-code", map[string]string{"code": code})
		require.Equal(t, http.StatusNoContent, r.Status, string(r.Raw))
	}
	fix("neo@new-user.example", "999999")
	fix("NEO@new-user.example", "222222") // the same address: replaces it
	r := c.post(http.MethodPost, "/v1/auth/register", map[string]string{"email": "neo@new-user.example", "password": "pw", "fullName": "Neo"})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	tok := r.JSON["data"].(map[string]any)["verificationToken"].(string)
	assert.Equal(t, "222222", c.latestCode("neo@new-user.example"))
	require.Equal(t, http.StatusOK, c.verify(tok, "222222").Status)
	c.verificationToken(mockapi.Principal{Email: "neo@new-user.example", Password: "pw"})
	assert.Equal(t, "111111", c.latestCode("neo@new-user.example"), "fixed once")

	bad := c.post(http.MethodPut, "/_mock/rampable/emails/neo@new-user.example/next-code", map[string]string{"code": "12345"})
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.Equal(t, "/code", bad.JSON["field"])
}

// The access token's signature is RS256 with the key the control API publishes, named by its kid.
func TestTheAccessTokenVerifiesWithThePublishedKey(t *testing.T) {
	c := newClient(t)
	p := c.verifiedUser()
	tok := c.verificationToken(p)
	r := c.verify(tok, c.latestCode(p.Email))
	require.Equal(t, http.StatusOK, r.Status)
	access := r.JSON["data"].(map[string]any)["accessToken"].(string)

	jwks := c.m.Call(t, http.MethodGet, "/_mock/jwks", nil, nil)
	require.Equal(t, http.StatusOK, jwks.Status)
	set, err := jwkSet(jwks.Raw)
	require.NoError(t, err)
	parsed, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(c.m.Now)).Parse(access, func(tk *jwt.Token) (any, error) {
		return set[tk.Header["kid"].(string)], nil
	})
	require.NoError(t, err)
	assert.True(t, parsed.Valid)
}

// An email is matched without regard to ASCII case only: the address in other capitals logs in, and
// one whose Kelvin sign (U+212A) Unicode folds to k is another address, with no account (401), which
// may register.
func TestAnEmailIsMatchedInAnyASCIICaseOnly(t *testing.T) {
	c := newClient(t)
	register := func(email string) mocktest.Reply {
		return c.post(http.MethodPost, "/v1/auth/register", map[string]string{"email": email, "password": "pw", "fullName": "K"})
	}
	require.Equal(t, http.StatusOK, register("kelvin@x.example").Status)
	assert.Equal(t, http.StatusConflict, register("KELVIN@X.example").Status)
	assert.Equal(t, http.StatusForbidden, c.login("KELVIN@x.example", "pw").Status, "the account, not yet verified")
	assert.Equal(t, http.StatusUnauthorized, c.login("\u212aelvin@x.example", "pw").Status)
	assert.Equal(t, http.StatusOK, register("\u212aelvin@x.example").Status)
}

// An email with a control character or a space is refused (400, naming the field) and registers
// nothing: it would reach the outbox, and a mail header, as it is.
func TestAnEmailWithAControlCharacterIsRefused(t *testing.T) {
	c := newClient(t, mocktest.AllowViolations("register", "/body/email")) // sent on purpose
	register := func(email string) mocktest.Reply {
		return c.post(http.MethodPost, "/v1/auth/register", map[string]string{"email": email, "password": "pw", "fullName": "E"})
	}
	for _, email := range []string{"evil@x.example\nX-Injected: 1", "ev\x00il@x.example", "evil@x.example\r", "e vil@x.example", "evil@x.exa\x7fmple"} {
		r := register(email)
		assert.Equal(t, http.StatusBadRequest, r.Status, "%q", email)
		assert.Contains(t, string(r.Raw), "email", "%q", email)
	}
	assert.Empty(t, c.m.Call(t, http.MethodGet, "/_mock/outbox?kind=otp", nil, nil).JSON["items"])
	assert.Equal(t, http.StatusOK, register("evil@x.example").Status)
}

// mailFails is a store whose mail cannot be written once failing is set: the outbox's records.
type mailFails struct {
	store.Store
	failing *atomic.Bool
}

func (s mailFails) Create(ctx context.Context, rec store.Record) (store.Record, error) {
	if rec.Kind == "outbox" && s.failing.Load() {
		return store.Record{}, errors.New("the mail server is down")
	}
	return s.Store.Create(ctx, rec)
}

// A login whose code cannot be mailed is the mock's failure (500), and like any login that fails it
// leaves the earlier verification live: its code still verifies.
func TestALoginWhoseMailFailsKillsNothing(t *testing.T) {
	failing := new(atomic.Bool)
	c := newClient(t, mocktest.WithConfig(func(cfg *mockserver.Config) { cfg.Store = mailFails{memory.New(), failing} }),
		mocktest.WithLogger(slog.New(slog.DiscardHandler)))
	p := c.verifiedUser()
	tok := c.verificationToken(p)
	code := c.latestCode(p.Email)
	failing.Store(true)
	assert.Equal(t, http.StatusInternalServerError, c.login(p.Email, p.Password).Status)
	failing.Store(false)
	assert.Equal(t, http.StatusOK, c.verify(tok, code).Status, "the earlier verification is live")
}

// A body that gives a field twice is valid JSON the mock cannot take: 400 naming the field, where it
// said the body was not valid JSON.
func TestAFieldGivenTwiceIsNamed(t *testing.T) {
	c := newClient(t, mocktest.AllowViolations("login", "repeated"))
	p := c.verifiedUser()
	body := `{"email": "` + p.Email + `", "password": "` + p.Password + `"}`
	r := c.m.Call(t, http.MethodPost, "/rampable/v1/auth/login", http.Header{"Content-Type": {"application/json"}}, []byte(body))
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	twice := `{"email": "` + p.Email + `", "password": "x", "password": "` + p.Password + `"}`
	r = c.m.Call(t, http.MethodPost, "/rampable/v1/auth/login", http.Header{"Content-Type": {"application/json"}}, []byte(twice))
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.JSONEq(t, `{"statusCode": 400, "message": "password is given more than once", "data": null}`, string(r.Raw))
}
