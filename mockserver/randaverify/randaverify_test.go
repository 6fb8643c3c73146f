package randaverify_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// client is a small RandaVerify client over a mocktest.Server.
type client struct {
	t *testing.T
	m *mocktest.Server
}

func newClient(t *testing.T, opts ...mocktest.Option) *client {
	return &client{t: t, m: mocktest.New(t, opts...)}
}

// reply is a RandaVerify answer: its JSON body in JSON.
type reply = mocktest.Reply

// call sends a request to the API (or, for a path starting with /_mock, to the mock's root).
func (c *client) call(method, path, token, contentType, body string) reply {
	c.t.Helper()
	if !strings.HasPrefix(path, "/_mock") {
		path = "/randaverify" + path
	}
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return c.m.Call(c.t, method, path, h, []byte(body))
}

func (c *client) json(method, path, token string, body any) reply {
	b, err := json.Marshal(body)
	require.NoError(c.t, err)
	return c.call(method, path, token, "application/json", string(b))
}

func (c *client) principal(role string) mockapi.Principal {
	c.t.Helper()
	r := c.json(http.MethodPost, "/_mock/principals", "", map[string]string{"role": role})
	require.Equal(c.t, http.StatusCreated, r.Status, string(r.Raw))
	var p mockapi.Principal
	require.NoError(c.t, json.Unmarshal(r.Raw, &p))
	return p
}

func (c *client) login(username, password string) reply {
	c.t.Helper()
	form := url.Values{"username": {username}, "password": {password}}
	return c.call(http.MethodPost, "/login", "", "application/x-www-form-urlencoded", form.Encode())
}

func (c *client) token(p mockapi.Principal) string {
	c.t.Helper()
	r := c.login(p.Username, p.Password)
	require.Equal(c.t, http.StatusOK, r.Status, string(r.Raw))
	return r.JSON["access_token"].(string)
}

func (c *client) verifyNIN(token, nin string) reply {
	return c.json(http.MethodPost, "/verify-nin", token, map[string]string{"nin": nin, "reason": "bankKyc"})
}

func (c *client) balance(token string) float64 {
	c.t.Helper()
	r := c.call(http.MethodGet, "/me", token, "", "")
	require.Equal(c.t, http.StatusOK, r.Status, string(r.Raw))
	return r.JSON["organisation"].(map[string]any)["wallet_balance"].(float64)
}

func (c *client) setWallet(p mockapi.Principal, units int) {
	c.t.Helper()
	r := c.json(http.MethodPut, "/_mock/randaverify/organisations/"+p.Attributes["organisation_id"]+"/wallet", "", map[string]int{"balance": units})
	require.Equal(c.t, http.StatusOK, r.Status, string(r.Raw))
}

// With one unit in the wallet, 200 concurrent verifications give exactly one success, 199 answers of
// 402, and a balance of 0: the debit is one atomic update.
func TestTheLastUnitPaysForExactlyOneOfManyConcurrentVerifications(t *testing.T) {
	c := newClient(t)
	p := c.principal("randaverify.org_admin")
	tok := c.token(p)
	c.setWallet(p, 1)
	var ok, empty, other atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 200 {
		wg.Go(func() {
			<-start
			switch c.verifyNIN(tok, "12345678901").Status {
			case http.StatusOK:
				ok.Add(1)
			case http.StatusPaymentRequired:
				empty.Add(1)
			default:
				other.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.EqualValues(t, 1, ok.Load())
	assert.EqualValues(t, 199, empty.Load())
	assert.Zero(t, other.Load())
	assert.Zero(t, c.balance(tok))
}

// A token revoked while it is in use is refused by every request that starts after the revocation
// returned, however many are in flight around it.
func TestARevokedTokenIsRefusedByEveryLaterRequest(t *testing.T) {
	c := newClient(t)
	p := c.principal("randaverify.org_admin")
	tok := c.token(p)
	var revoked atomic.Bool
	var done, lateSuccesses atomic.Int32
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 16 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				after := revoked.Load()
				if r := c.call(http.MethodGet, "/me", tok, "", ""); r.Status == http.StatusOK && after {
					lateSuccesses.Add(1)
				}
				done.Add(1)
			}
		})
	}
	waitFor := func(n int32) {
		for done.Load() < n {
			runtime.Gosched()
		}
	}
	waitFor(100) // requests in flight on every side of the revocation
	r := c.json(http.MethodPost, "/change-password", tok, map[string]string{"current_password": p.Password, "new_password": "brand-new-password"})
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	revoked.Store(true)
	waitFor(done.Load() + 200)
	close(stop)
	wg.Wait()
	assert.Zero(t, lateSuccesses.Load())
	assert.Equal(t, http.StatusUnauthorized, c.call(http.MethodGet, "/me", tok, "", "").Status)
}

// The 60-minute lifetime at its edge on the mock's clock: valid at 59:59, refused at 60:00 and after.
func TestTokensExpireSixtyMinutesAfterIssue(t *testing.T) {
	c := newClient(t)
	tok := c.token(c.principal("randaverify.org_admin"))
	require.NoError(t, c.m.Advance(59*time.Minute+59*time.Second))
	assert.Equal(t, http.StatusOK, c.call(http.MethodGet, "/me", tok, "", "").Status)
	require.NoError(t, c.m.Advance(time.Second))
	assert.Equal(t, http.StatusUnauthorized, c.call(http.MethodGet, "/me", tok, "", "").Status)
	require.NoError(t, c.m.Advance(time.Second))
	assert.Equal(t, http.StatusUnauthorized, c.call(http.MethodGet, "/me", tok, "", "").Status)
}

// A reset link lives an hour, works once, and sets the password it is given; opening it does not use
// it up.
func TestResetLinkLivesAnHourAndWorksOnce(t *testing.T) {
	for _, c := range []struct {
		name string
		wait time.Duration
		want int
	}{{"just-before", 59*time.Minute + 59*time.Second, http.StatusOK}, {"at-expiry", time.Hour, http.StatusBadRequest}} {
		t.Run(c.name, func(t *testing.T) {
			cl := newClient(t)
			p := cl.principal("randaverify.org_admin")
			require.Equal(t, http.StatusOK, cl.json(http.MethodPost, "/forgot-password", "", map[string]string{"email": p.Email}).Status)
			link := latestLink(t, cl, p.Email)
			require.NoError(t, cl.m.Advance(c.wait))
			page := get(t, cl, link)
			assert.Equal(t, c.want, page.StatusCode)
			r := postForm(t, cl, link, url.Values{"new_password": {"from-the-link"}})
			assert.Equal(t, c.want, r.StatusCode)
			if c.want == http.StatusOK {
				assert.Equal(t, http.StatusOK, cl.login(p.Username, "from-the-link").Status)
				assert.Equal(t, http.StatusUnauthorized, cl.login(p.Username, p.Password).Status)
				assert.Equal(t, http.StatusBadRequest, postForm(t, cl, link, url.Values{"new_password": {"again"}}).StatusCode, "used once")
			}
		})
	}
}

func latestLink(t *testing.T, c *client, to string) string {
	t.Helper()
	r := c.call(http.MethodGet, "/_mock/outbox?kind=password-reset&to="+url.QueryEscape(to), "", "", "")
	items := r.JSON["items"].([]any)
	require.NotEmpty(t, items)
	return items[len(items)-1].(map[string]any)["link"].(string)
}

func get(t *testing.T, c *client, link string) *http.Response {
	resp, err := c.m.Client().Get(link)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

func postForm(t *testing.T, c *client, link string, form url.Values) *http.Response {
	resp, err := c.m.Client().PostForm(link, form)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

// Bad input gets a 4xx in RandaVerify's shapes (422 for what breaks the schema, FastAPI's way) and
// changes nothing: the wallet and the password are as they were.
func TestBadInputIsA4xxAndChangesNothing(t *testing.T) {
	c := newClient(t, mocktest.AllowViolations("*")) // every request here is bad input
	p := c.principal("randaverify.org_admin")
	tok := c.token(p)
	before := c.balance(tok)
	cases := []struct {
		name, method, path, contentType, body string
		want                                  int
	}{
		{"login as json", "POST", "/login", "application/json", `{"username":"a","password":"b"}`, 422},
		{"login empty", "POST", "/login", "application/x-www-form-urlencoded", ``, 422},
		{"login as xml", "POST", "/login", "application/xml", `<login/>`, 422},
		{"verify as form", "POST", "/verify-nin", "application/x-www-form-urlencoded", `nin=12345678901&reason=bankKyc`, 422},
		{"verify without nin", "POST", "/verify-nin", "application/json", `{"reason":"bankKyc"}`, 422},
		{"verify nin a number", "POST", "/verify-nin", "application/json", `{"nin":12345678901,"reason":"bankKyc"}`, 422},
		{"verify broken json", "POST", "/verify-nin", "application/json", `{"nin":`, 422},
		{"verify ten digits", "POST", "/verify-nin", "application/json", `{"nin":"1234567890","reason":"bankKyc"}`, 400},
		{"verify unicode digits", "POST", "/verify-nin", "application/json", `{"nin":"١٢٣٤٥٦٧٨٩٠١","reason":"bankKyc"}`, 400},
		{"change without new", "POST", "/change-password", "application/json", `{"current_password":"x"}`, 422},
		{"requery null", "POST", "/verify-nin/requery", "application/json", `{"reference_id":null}`, 422},
		{"oversized", "POST", "/verify-nin", "application/json", `{"nin":"` + strings.Repeat("1", 2<<20) + `"}`, 413},
		{"unknown path", "GET", "/no-such", "", ``, 404},
		{"wrong method", "DELETE", "/me", "", ``, 405},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			r := c.call(cs.method, cs.path, tok, cs.contentType, cs.body)
			assert.Equal(t, cs.want, r.Status, string(r.Raw))
			require.NotNil(t, r.JSON, string(r.Raw))
			switch detail := r.JSON["detail"].(type) {
			case string:
				assert.NotEmpty(t, detail)
				assert.NotEqual(t, 422, r.Status, "a 422 names its fields")
			case []any:
				assert.Equal(t, 422, r.Status)
				first := detail[0].(map[string]any)
				assert.NotEmpty(t, first["loc"])
				assert.NotEmpty(t, first["msg"])
				assert.NotEmpty(t, first["type"])
			default:
				t.Fatalf("no detail: %s", r.Raw)
			}
		})
	}
	assert.Equal(t, before, c.balance(tok))
	assert.Equal(t, http.StatusOK, c.login(p.Username, p.Password).Status)
}

// A 422 names where the field was: the body, or the header for a parameter there.
func TestValidationErrorsNameTheField(t *testing.T) {
	c := newClient(t, mocktest.AllowViolations("login", "content-type"))
	r := c.call(http.MethodPost, "/login", "", "application/json", `{}`)
	require.Equal(t, 422, r.Status)
	var locs []string
	for _, d := range r.JSON["detail"].([]any) {
		locs = append(locs, fmt.Sprint(d.(map[string]any)["loc"]))
	}
	assert.Equal(t, []string{"[body username]", "[body password]"}, locs)
}

// The API answers under the seed's bare host and under /v1, as outside clients configure it.
func TestServedWithAndWithoutV1(t *testing.T) {
	c := newClient(t)
	p := c.principal("randaverify.org_admin")
	for _, base := range []string{c.m.APIURL("randaverify"), c.m.APIURL("randaverify") + "/v1"} {
		resp, err := c.m.Client().PostForm(base+"/login", url.Values{"username": {p.Username}, "password": {p.Password}})
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, base)
	}
}

// Every fixture principal logs in with the credentials `idvkit serve` prints for it.
func TestFixturePrincipalsLogIn(t *testing.T) {
	c := newClient(t)
	n := 0
	for _, p := range c.m.Principals() {
		if p.API != "randaverify" {
			continue
		}
		n++
		r := c.login(p.Username, p.Password)
		assert.Equal(t, http.StatusOK, r.Status, "%s: %s", p.Role, r.Raw)
		assert.Equal(t, p.Role == "randaverify.first_login_user", r.JSON["require_password_change"], p.Role)
	}
	assert.Equal(t, 3, n)
}

// An unknown user costs what a wrong password costs (password.TestEveryCheckCostsTheSameWhateverItsOutcome
// counts the comparisons); here the answers are the same too.
func TestUnknownUserAndWrongPasswordAnswerAlike(t *testing.T) {
	c := newClient(t)
	p := c.principal("randaverify.org_admin")
	wrong, unknown := c.login(p.Username, "wrong"), c.login("nobody-"+p.Username, "wrong")
	assert.Equal(t, http.StatusUnauthorized, wrong.Status)
	assert.Equal(t, string(wrong.Raw), string(unknown.Raw))
}
