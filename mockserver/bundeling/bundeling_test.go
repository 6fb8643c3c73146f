package bundeling_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/store/memory"
)

// client is a small Bundeling client over a mocktest.Server.
type client struct {
	t *testing.T
	m *mocktest.Server
}

func newClient(t *testing.T, opts ...mocktest.Option) *client {
	return &client{t: t, m: mocktest.New(t, opts...)}
}

// The default fixtures' keys and members.
const (
	partnerKey   = "RAegSX8yZfEbqSPM" // bundeling.integration_key
	userKey      = "Uk7pW2cNq9LrT4vX" // bundeling.user_key
	otherClubKey = "Nh3sQ8dLm1ZfB6yR" // bundeling.other_club_key
	jan          = "eeb763c41c054dcc8f6d9362f24ee9b2"
	lotte        = "6d8f0b2c4e6a8d0f2b4c6e8a0d2f4b6c" // of the other club
	clubA        = "5c0e9f1a2b3c4d5e6f708192a3b4c5d6"
)

// call sends a request to the API (or, for a path starting with /_mock, to the mock's root), with
// the headers given as name, value pairs.
func (c *client) call(method, path, body string, headers ...string) mocktest.Reply {
	c.t.Helper()
	if !strings.HasPrefix(path, "/_mock") {
		path = "/bundeling" + path
	}
	h := http.Header{}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	if body != "" && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	return c.m.Call(c.t, method, path, h, b)
}

// mint mints a token for a user through the control API.
func (c *client) mint(uuid string) string {
	c.t.Helper()
	r := c.call(http.MethodPost, "/_mock/bundeling/users/"+uuid+"/tokens", "")
	require.Equal(c.t, http.StatusCreated, r.Status, string(r.Raw))
	return r.JSON["token"].(string)
}

// redeem trades a token with a key (none when key is "").
func (c *client) redeem(key, tok string) mocktest.Reply {
	c.t.Helper()
	body := `{"token": "` + tok + `"}`
	if key == "" {
		return c.call(http.MethodPost, "/V2/user_identity", body)
	}
	return c.call(http.MethodPost, "/V2/user_identity", body, "Api-Key", key)
}

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// yieldingReads is a store whose reads give way to other goroutines once they have read, so that an
// implementation that read a token and then wrote it in a second step would be seen to let two
// redemptions through; one atomic update is unaffected.
type yieldingReads struct{ store.Store }

func (s yieldingReads) Get(ctx context.Context, kind, key string) (store.Record, error) {
	rec, err := s.Store.Get(ctx, kind, key)
	for range 500 {
		runtime.Gosched()
	}
	return rec, err
}

// Of 200 concurrent redemptions of one token exactly one is answered with the user's uuid; every
// other gets the answer any used token gets.
func TestConcurrentRedemptionsOfOneTokenGiveOneUser(t *testing.T) {
	c := newClient(t, mocktest.WithConfig(func(cfg *mockserver.Config) { cfg.Store = yieldingReads{memory.New()} }))
	tok := c.mint(jan)
	const n = 200
	replies := make([]mocktest.Reply, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			replies[i] = c.redeem(partnerKey, tok)
		})
	}
	close(start)
	wg.Wait()
	used := c.redeem(partnerKey, c.mint(jan))
	require.Equal(t, http.StatusOK, used.Status)
	used = c.redeem(partnerKey, tok)
	ok := 0
	for _, r := range replies {
		switch r.Status {
		case http.StatusOK:
			ok++
			assert.Equal(t, jan, r.JSON["user_uuid"])
		default:
			assert.Equal(t, http.StatusBadRequest, r.Status, string(r.Raw))
			assert.Equal(t, used.Raw, r.Raw, "the answer a used token gets")
		}
	}
	assert.Equal(t, 1, ok, "exactly one redemption succeeds")
}

// A token lives its lifetime on the mock's clock: redeemed just before it ends, refused from the
// instant it ends. The lifetime is 5 minutes, or the fixture set's setting.
func TestATokenLivesItsLifetimeOnTheClock(t *testing.T) {
	c := newClient(t)
	first, second, third := c.mint(jan), c.mint(jan), c.mint(jan)
	require.NoError(t, c.m.Advance(5*time.Minute-time.Second))
	r := c.redeem(partnerKey, first)
	require.Equal(t, http.StatusOK, r.Status, "at 4:59")
	assert.Equal(t, jan, r.JSON["user_uuid"])
	require.NoError(t, c.m.Advance(time.Second))
	assert.Equal(t, http.StatusBadRequest, c.redeem(partnerKey, second).Status, "at 5:00")
	require.NoError(t, c.m.Advance(time.Second))
	assert.Equal(t, http.StatusBadRequest, c.redeem(partnerKey, third).Status, "at 5:01")

	f := mockserver.DefaultFixtures()
	var section map[string]any
	require.NoError(t, json.Unmarshal(f["bundeling"], &section))
	section["settings"] = map[string]any{"token_ttl": 60}
	raw, err := json.Marshal(section)
	require.NoError(t, err)
	f["bundeling"] = raw
	c = newClient(t, mocktest.WithFixtures(f))
	first, second = c.mint(jan), c.mint(jan)
	require.NoError(t, c.m.Advance(59*time.Second))
	assert.Equal(t, http.StatusOK, c.redeem(partnerKey, first).Status, "at 0:59 of a minute")
	require.NoError(t, c.m.Advance(time.Second))
	assert.Equal(t, http.StatusBadRequest, c.redeem(partnerKey, second).Status, "at 1:00 of a minute")
}

// A redemption refused for its credentials or its key's environment does not use the token up, and
// a token unknown, used, expired or of another environment gets one and the same answer.
func TestARefusedRedemptionLeavesTheTokenAndTellsNothing(t *testing.T) {
	c := newClient(t, mocktest.AllowViolations("createUserIdentity", "/header/Authorization")) // sent without a key on purpose
	tok := c.mint(jan)
	assert.Equal(t, http.StatusUnauthorized, c.redeem("", tok).Status, "no key")
	assert.Equal(t, http.StatusUnauthorized, c.redeem("not-a-key-of-anyone", tok).Status, "an unknown key")
	assert.Equal(t, http.StatusUnauthorized, c.redeem(userKey, tok).Status, "a key that needs a login, without one")
	foreign := c.redeem(otherClubKey, tok)
	assert.Equal(t, http.StatusBadRequest, foreign.Status, "another club's key")
	r := c.redeem(partnerKey, tok)
	require.Equal(t, http.StatusOK, r.Status, "still redeemable: %s", r.Raw)
	assert.Equal(t, jan, r.JSON["user_uuid"])

	used := c.redeem(partnerKey, tok)
	unknown := c.redeem(partnerKey, strings.Repeat("ab", 64))
	expiring := c.mint(jan)
	require.NoError(t, c.m.Advance(5*time.Minute))
	expired := c.redeem(partnerKey, expiring)
	for _, r := range []mocktest.Reply{used, unknown, expired} {
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.Equal(t, foreign.Raw, r.Raw, "one answer for every refused token")
	}
	assert.JSONEq(t, `{"error": {"code": 400, "message": "The token is invalid or has expired"}}`, string(foreign.Raw))
}

// A token is 128 lower-case hexadecimal characters, and a user's uuid 32, fresh ones too.
func TestTokensAndUUIDsAreLowerCaseHex(t *testing.T) {
	c := newClient(t)
	assert.Regexp(t, `^[0-9a-f]{128}$`, c.mint(jan))
	r := c.call(http.MethodPost, "/_mock/principals", `{"role": "bundeling.member"}`)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Raw))
	assert.Regexp(t, hex32, r.JSON["id"])
	assert.Equal(t, clubA, r.JSON["attributes"].(map[string]any)["environment"], "a fresh member joins its fixture's club")
	fresh := r.JSON["id"].(string)
	got := c.redeem(partnerKey, c.mint(fresh))
	require.Equal(t, http.StatusOK, got.Status)
	assert.Equal(t, fresh, got.JSON["user_uuid"])
}

// A key that needs user authentication logs a user of its club in, and its token works only with that
// key and only for the login's lifetime.
func TestALoginIsBoundToItsKeyAndExpires(t *testing.T) {
	c := newClient(t)
	r := c.call(http.MethodPost, "/V2/login", `{"username": "jan", "password": "jan-password"}`, "Api-Key", userKey)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	tok := r.JSON["token"].(string)
	assert.Regexp(t, `^[0-9a-f]{32}:[0-9a-f]{64}$`, tok)
	auth := "BundelingAuth " + tok
	assert.Equal(t, http.StatusOK, c.call(http.MethodGet, "/V2/users/"+jan, "", "Api-Key", userKey, "Authorization", auth).Status)

	k := c.call(http.MethodPost, "/_mock/bundeling/api_keys", `{"user_authentication": true, "environment": "`+clubA+`"}`)
	require.Equal(t, http.StatusCreated, k.Status, string(k.Raw))
	otherKey := k.JSON["attributes"].(map[string]any)["api_key"].(string)
	assert.Equal(t, http.StatusUnauthorized, c.call(http.MethodGet, "/V2/users/"+jan, "", "Api-Key", otherKey, "Authorization", auth).Status,
		"another key of the same kind and club")

	lotteLogin := c.call(http.MethodPost, "/V2/login", `{"username": "lotte", "password": "lotte-password"}`, "Api-Key", userKey)
	assert.Equal(t, http.StatusUnauthorized, lotteLogin.Status, "a user of another club")
	assert.Equal(t, "The username or password is incorrect", lotteLogin.JSON["error"].(map[string]any)["message"])

	require.NoError(t, c.m.Advance(time.Hour-time.Second))
	assert.Equal(t, http.StatusOK, c.call(http.MethodGet, "/V2/users/"+jan, "", "Api-Key", userKey, "Authorization", auth).Status)
	require.NoError(t, c.m.Advance(time.Second))
	assert.Equal(t, http.StatusUnauthorized, c.call(http.MethodGet, "/V2/users/"+jan, "", "Api-Key", userKey, "Authorization", auth).Status,
		"an hour after the login")
}

// A user is seen only by keys of its club, and a key of a new club sees none.
func TestAKeySeesItsOwnClubOnly(t *testing.T) {
	c := newClient(t)
	assert.Equal(t, http.StatusOK, c.call(http.MethodGet, "/V2/users/"+lotte, "", "Api-Key", otherClubKey).Status)
	assert.Equal(t, http.StatusNotFound, c.call(http.MethodGet, "/V2/users/"+lotte, "", "Api-Key", partnerKey).Status)
	list := c.call(http.MethodGet, "/V2/users", "", "Api-Key", partnerKey)
	require.Equal(t, http.StatusOK, list.Status)
	assert.EqualValues(t, 6, list.JSON["pagination"].(map[string]any)["total"])

	k := c.call(http.MethodPost, "/_mock/bundeling/api_keys", `{"user_authentication": false}`)
	require.Equal(t, http.StatusCreated, k.Status, string(k.Raw))
	attrs := k.JSON["attributes"].(map[string]any)
	assert.Regexp(t, hex32, attrs["environment"])
	assert.NotEqual(t, clubA, attrs["environment"], "a club of its own")
	list = c.call(http.MethodGet, "/V2/users", "", "Api-Key", attrs["api_key"].(string))
	require.Equal(t, http.StatusOK, list.Status)
	assert.JSONEq(t, `{"data": [], "pagination": {"total": 0, "per_page": 100, "current_page": 1, "total_pages": 0}}`, string(list.Raw))
	assert.Equal(t, http.StatusUnauthorized, c.redeem(attrs["api_key"].(string)+"x", c.mint(jan)).Status, "a key is the whole key")
}

// The control API's operations: a link rendered with one token for every placeholder, users and keys
// created, an external reference set, each refusing what it cannot do in its own shape.
func TestControlOperations(t *testing.T) {
	c := newClient(t)
	r := c.call(http.MethodPost, "/_mock/bundeling/links", `{"template": "https://x.example/a?t={{useridentity}}&again={{useridentity}}", "user_uuid": "`+jan+`"}`)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	tok := r.JSON["token"].(string)
	assert.Equal(t, "https://x.example/a?t="+tok+"&again="+tok, r.JSON["link"])
	assert.Equal(t, "2030-01-01T00:05:00Z", r.JSON["expires_at"])
	assert.Equal(t, http.StatusOK, c.redeem(partnerKey, tok).Status)
	r = c.call(http.MethodPost, "/_mock/bundeling/links", `{"template": "https://x.example/?t={{useridentity}}", "user_uuid": "0123456789abcdef0123456789abcdef"}`)
	assert.Equal(t, http.StatusNotFound, r.Status)
	assert.Equal(t, "not-found", r.JSON["error"])
	assert.Equal(t, http.StatusNotFound, c.call(http.MethodPost, "/_mock/bundeling/users/nobody/tokens", "").Status)

	r = c.call(http.MethodPost, "/_mock/bundeling/users", `{"environment": "`+clubA+`", "username": "noor", "firstname": "Noor", "external_reference": "TP-200", "metadata": {"team": "D1"}}`)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Raw))
	noor := r.JSON["id"].(string)
	assert.Equal(t, "bundeling.member", r.JSON["role"])
	assert.NotEmpty(t, r.JSON["password"], "made up")
	got := c.call(http.MethodGet, "/V2/users/"+noor, "", "Api-Key", partnerKey)
	require.Equal(t, http.StatusOK, got.Status)
	assert.Equal(t, "TP-200", got.JSON["external_reference"])
	assert.Equal(t, map[string]any{"team": "D1"}, got.JSON["metadata"])
	assert.Equal(t, []any{}, got.JSON["labels"], "present and empty for an integration key")
	assert.Equal(t, "2030-01-01T01:00:00+0100", got.JSON["creationdate"], "now, in the club's time zone")
	r = c.call(http.MethodPost, "/_mock/bundeling/users", `{"environment": "`+clubA+`", "username": "NOOR"}`)
	assert.Equal(t, http.StatusConflict, r.Status, "a username the club has, in any case")
	r = c.call(http.MethodPost, "/_mock/bundeling/users", `{"environment": "0123456789abcdef0123456789abcdef"}`)
	assert.Equal(t, http.StatusNotFound, r.Status)
	r = c.call(http.MethodPost, "/_mock/bundeling/api_keys", `{"user_authentication": false, "environment": "0123456789abcdef0123456789abcdef"}`)
	assert.Equal(t, http.StatusNotFound, r.Status)

	require.NoError(t, c.m.Advance(time.Hour))
	r = c.call(http.MethodPut, "/_mock/bundeling/users/"+jan+"/external_reference", `{"external_reference": "TP-4711"}`)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	assert.JSONEq(t, `{"uuid": "`+jan+`", "external_reference": "TP-4711"}`, string(r.Raw))
	got = c.call(http.MethodGet, "/V2/users/"+jan, "", "Api-Key", partnerKey)
	assert.Equal(t, "TP-4711", got.JSON["external_reference"])
	assert.Equal(t, "2030-01-01T02:00:00+0100", got.JSON["lastupdate"])
	assert.Equal(t, "2024-01-20T00:00:00+0100", got.JSON["creationdate"])
	assert.Equal(t, http.StatusNotFound, c.call(http.MethodPut, "/_mock/bundeling/users/nobody/external_reference", `{"external_reference": "x"}`).Status)

	// A control character XML 1.0 cannot carry is refused, so the user reads alike in JSON and XML;
	// tab, line feed and carriage return are kept.
	for _, bad := range []string{`a\u0001`, `a\u0000`, `\u001f`, `a\u000b`} {
		r = c.call(http.MethodPut, "/_mock/bundeling/users/"+jan+"/external_reference", `{"external_reference": "`+bad+`"}`)
		assert.Equal(t, http.StatusBadRequest, r.Status, bad)
		r = c.call(http.MethodPost, "/_mock/bundeling/users", `{"environment": "`+clubA+`", "firstname": "`+bad+`"}`)
		assert.Equal(t, http.StatusBadRequest, r.Status, bad)
	}
	assert.Equal(t, "TP-4711", c.call(http.MethodGet, "/V2/users/"+jan, "", "Api-Key", partnerKey).JSON["external_reference"], "unchanged")
	r = c.call(http.MethodPut, "/_mock/bundeling/users/"+jan+"/external_reference", `{"external_reference": "a\tb\nc\r"}`)
	assert.Equal(t, http.StatusOK, r.Status, string(r.Raw))
}

// The app page lists every club's members; as a member, it shows the club's links, each with a fresh
// token of that member's, which a partner's key redeems.
func TestTheAppPageRendersLinksWithFreshTokens(t *testing.T) {
	c := newClient(t)
	r := c.call(http.MethodGet, "/_mock/ui/bundeling/app", "")
	require.Equal(t, http.StatusOK, r.Status)
	page := string(r.Raw)
	assert.Contains(t, page, "Sportclub De Bundeling")
	assert.Contains(t, page, `<a href="?user=`+jan+`">Jan de Vries</a>`)
	assert.Contains(t, page, "Hockeyclub Noord")
	assert.NotContains(t, page, "<script")

	r = c.call(http.MethodGet, "/_mock/ui/bundeling/app?user="+jan, "")
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	links := regexp.MustCompile(`href="(https://[^"]*)"`).FindAllStringSubmatch(string(r.Raw), -1)
	require.Len(t, links, 2, string(r.Raw))
	first := regexp.MustCompile(`bundeling_token=([0-9a-f]{128})"`).FindStringSubmatch(links[0][0])
	require.NotNil(t, first, links[0][1])
	assert.Contains(t, links[1][1], "shop.thirdparty.example/login?club=bundeling&amp;token=")
	got := c.redeem(partnerKey, first[1])
	require.Equal(t, http.StatusOK, got.Status)
	assert.Equal(t, jan, got.JSON["user_uuid"])

	r = c.call(http.MethodGet, "/_mock/ui/bundeling/app?user="+lotte, "")
	require.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, string(r.Raw), "Hockeyclub Noord has no links.")
	r = c.call(http.MethodGet, "/_mock/ui/bundeling/app?user=nobody", "")
	assert.Equal(t, http.StatusNotFound, r.Status)
	assert.Contains(t, string(r.Raw), "No member has that uuid.")
	assert.Contains(t, string(r.Raw), "?user="+jan, "the members to pick from instead")
	r = c.call(http.MethodPost, "/_mock/ui/bundeling/app", "")
	assert.Equal(t, http.StatusMethodNotAllowed, r.Status)
	assert.Equal(t, "GET, HEAD", r.Header.Get("Allow"))
}

// An XML body that declares entities is refused at its document type through the whole mock, in XML,
// and its token is untouched.
func TestEntityExpansionIsRefusedAndTheTokenKept(t *testing.T) {
	c := newClient(t, mocktest.AllowViolations("createUserIdentity", "dtd")) // sent on purpose
	tok := c.mint(jan)
	laughs := `<?xml version="1.0"?><!DOCTYPE user_identity [<!ENTITY a "` + tok + `"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">` +
		`<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><user_identity><token>&d;</token></user_identity>`
	r := c.call(http.MethodPost, "/V2/user_identity", laughs, "Api-Key", partnerKey, "Content-Type", "application/xml", "Accept", "application/xml")
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Equal(t, `<?xml version="1.0" encoding="UTF-8"?><response><error><code>400</code>`+
		`<message>The XML body declares a document type or entities, which are not accepted</message></error></response>`, string(r.Raw))
	assert.Equal(t, http.StatusOK, c.redeem(partnerKey, tok).Status)
}

// The section refuses what does not fit together, naming it: a key or user of no environment, a time
// zone there is none of, a creationdate not written as the vendor writes it.
func TestFixturesThatDoNotFitTogetherAreRefused(t *testing.T) {
	env := `{"uuid": "` + clubA + `", "name": "A"}`
	for _, c := range []struct{ section, want string }{
		{`{"environments": [` + env + `], "api_keys": [{"role": "bundeling.integration_key", "key": "k1234567", "environment": "` + jan + `", "user_authentication": false}]}`,
			"bundeling: key of role bundeling.integration_key: no environment " + jan},
		{`{"environments": [` + env + `], "users": [{"uuid": "` + jan + `", "environment": "` + lotte + `", "username": "j", "password": "p"}]}`,
			"bundeling: user " + jan + ": no environment " + lotte},
		{`{"environments": [{"uuid": "` + clubA + `", "name": "A", "time_zone": "Europe/Atlantis"}]}`,
			`bundeling: environment ` + clubA + `: time zone "Europe/Atlantis"`},
		{`{"environments": [` + env + `], "users": [{"uuid": "` + jan + `", "environment": "` + clubA + `", "username": "j", "password": "p", "creationdate": "2024-01-20T00:00:00+01:00"}]}`,
			`bundeling: user ` + jan + `: creationdate "2024-01-20T00:00:00+01:00"`},
	} {
		_, err := mocktest.Start(mocktest.WithFixtures(mockserver.Fixtures{"bundeling": json.RawMessage(c.section)}))
		require.Error(t, err, c.section)
		assert.Contains(t, err.Error(), c.want)
	}
}

// Members are listed oldest first whatever order the fixtures give them in.
func TestMembersAreListedOldestFirst(t *testing.T) {
	section := `{"environments": [{"uuid": "` + clubA + `", "name": "A"}],
		"api_keys": [{"role": "bundeling.integration_key", "key": "k1234567", "environment": "` + clubA + `", "user_authentication": false}],
		"users": [
			{"uuid": "22222222222222222222222222222222", "environment": "` + clubA + `", "username": "b", "password": "p", "creationdate": "2024-02-01T00:00:00+0000"},
			{"uuid": "33333333333333333333333333333333", "environment": "` + clubA + `", "username": "c", "password": "p", "creationdate": "2024-01-01T00:00:00-0500"},
			{"uuid": "11111111111111111111111111111111", "environment": "` + clubA + `", "username": "a", "password": "p", "creationdate": "2024-01-01T03:00:00+0000"}]}`
	c := newClient(t, mocktest.WithFixtures(mockserver.Fixtures{"bundeling": json.RawMessage(section)}))
	r := c.call(http.MethodGet, "/V2/users", "", "Api-Key", "k1234567")
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	var uuids []string
	for _, u := range r.JSON["data"].([]any) {
		uuids = append(uuids, u.(map[string]any)["uuid"].(string))
	}
	assert.Equal(t, []string{"11111111111111111111111111111111", "33333333333333333333333333333333", "22222222222222222222222222222222"}, uuids,
		"03:00 UTC, then 05:00 UTC, then February")
}

// With a control token, the app page, which lists members and mints their tokens, asks for it (401
// and a Basic challenge a browser prompts with), and opens with it as a Bearer token or as Basic
// authentication's password; without a token it is open, as the control API is.
func TestTheAppPageAsksForTheControlToken(t *testing.T) {
	open := newClient(t)
	assert.Equal(t, http.StatusOK, open.call(http.MethodGet, "/_mock/ui/bundeling/app?user="+jan, "").Status)

	m := mocktest.New(t, mocktest.WithControlToken("s3cret"))
	get := func(set func(*http.Request)) (int, string, http.Header) {
		r, err := http.NewRequest(http.MethodGet, m.URL+"/_mock/ui/bundeling/app?user="+jan, nil)
		require.NoError(t, err)
		set(r)
		resp, err := m.Client().Do(r)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body), resp.Header
	}
	status, body, _ := get(func(r *http.Request) { r.Header.Set("Authorization", "Bearer s3cret") })
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Jan de Vries")
	status, body, _ = get(func(r *http.Request) { r.SetBasicAuth("", "s3cret") })
	assert.Equal(t, http.StatusOK, status, body)

	for name, set := range map[string]func(*http.Request){
		"no token":         func(*http.Request) {},
		"a wrong password": func(r *http.Request) { r.SetBasicAuth("admin", "guess") },
		"a wrong token":    func(r *http.Request) { r.Header.Set("Authorization", "Bearer guess") },
	} {
		status, body, header := get(set)
		assert.Equal(t, http.StatusUnauthorized, status, name)
		assert.Contains(t, header.Get("WWW-Authenticate"), "Basic realm=", name)
		assert.NotContains(t, body, "Jan", name)
		assert.NotRegexp(t, `[0-9a-f]{128}`, body, name)
	}
}
