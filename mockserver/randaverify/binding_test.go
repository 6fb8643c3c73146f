package randaverify_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mockapi"
)

// reseeds start the mock's next fixture seed: a reset, or a replace of the fixtures by the same set.
var reseeds = map[string]func(*client){
	"reset": func(c *client) {
		c.t.Helper()
		r := c.call(http.MethodPost, "/_mock/reset", "", "", "")
		require.Equal(c.t, http.StatusNoContent, r.Status, string(r.Raw))
	},
	"fixtures replaced": func(c *client) {
		c.t.Helper()
		set, err := json.Marshal(c.m.Fixtures())
		require.NoError(c.t, err)
		r := c.call(http.MethodPut, "/_mock/fixtures", "", "application/json", string(set))
		require.Equal(c.t, http.StatusOK, r.Status, string(r.Raw))
	},
}

// A token revoked by a password change or a suspension stays refused after the mock is seeded anew,
// though the fixture user's token generation starts over; so does a token nobody revoked. A login
// after the new seed works.
func TestTokensOfAnEarlierSeedAreRefused(t *testing.T) {
	revocations := map[string]func(c *client, p mockapi.Principal, tok string){
		"not revoked": func(*client, mockapi.Principal, string) {},
		"password changed": func(c *client, p mockapi.Principal, tok string) {
			r := c.json(http.MethodPost, "/change-password", tok, map[string]string{"current_password": p.Password, "new_password": "changed-password"})
			require.Equal(c.t, http.StatusOK, r.Status, string(r.Raw))
		},
		"suspended": func(c *client, p mockapi.Principal, _ string) {
			r := c.call(http.MethodPost, "/_mock/randaverify/users/"+p.ID+"/suspend", "", "", "")
			require.Equal(c.t, http.StatusNoContent, r.Status, string(r.Raw))
		},
	}
	for reseedName, reseed := range reseeds {
		for revocationName, revoke := range revocations {
			t.Run(reseedName+"/"+revocationName, func(t *testing.T) {
				c := newClient(t)
				p := c.m.Principal(t, "randaverify.org_admin") // a fixture user: the new seed makes it again
				tok := c.token(p)
				require.Equal(t, http.StatusOK, c.call(http.MethodGet, "/me", tok, "", "").Status)
				revoke(c, p, tok)
				reseed(c)
				r := c.call(http.MethodGet, "/me", tok, "", "")
				assert.Equal(t, http.StatusUnauthorized, r.Status, string(r.Raw))
				assert.Equal(t, "Could not validate credentials", r.JSON["detail"])
				assert.Equal(t, http.StatusOK, c.call(http.MethodGet, "/me", c.token(p), "", "").Status, "a login of the new seed")
			})
		}
	}
}

// A reset link, once used, stays used after the mock is seeded anew, though the fixture user's token
// generation starts over; a link asked for after the new seed works.
func TestAUsedResetLinkStaysUsedAfterANewSeed(t *testing.T) {
	for name, reseed := range reseeds {
		t.Run(name, func(t *testing.T) {
			c := newClient(t)
			p := c.m.Principal(t, "randaverify.org_admin")
			forgot := func() string {
				r := c.json(http.MethodPost, "/forgot-password", "", map[string]string{"email": p.Email})
				require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
				return latestLink(t, c, p.Email)
			}
			link := forgot()
			require.Equal(t, http.StatusOK, postForm(t, c, link, url.Values{"new_password": {"from-the-link"}}).StatusCode)
			require.Equal(t, http.StatusBadRequest, postForm(t, c, link, url.Values{"new_password": {"again"}}).StatusCode, "used once")
			reseed(c)
			assert.Equal(t, http.StatusBadRequest, get(t, c, link).StatusCode)
			assert.Equal(t, http.StatusBadRequest, postForm(t, c, link, url.Values{"new_password": {"again"}}).StatusCode)
			assert.Equal(t, http.StatusUnauthorized, c.login(p.Username, "again").Status, "the used link set nothing")
			assert.Equal(t, http.StatusOK, postForm(t, c, forgot(), url.Values{"new_password": {"after-the-seed"}}).StatusCode, "a link of the new seed")
		})
	}
}

// An access token opens no reset page and a reset link's token calls no operation: each verifies
// only for the use it was minted for.
func TestAccessAndResetTokensAreNotInterchangeable(t *testing.T) {
	c := newClient(t)
	p := c.m.Principal(t, "randaverify.org_admin")
	access := c.token(p)
	require.Equal(t, http.StatusOK, c.call(http.MethodGet, "/me", access, "", "").Status)
	require.Equal(t, http.StatusOK, c.json(http.MethodPost, "/forgot-password", "", map[string]string{"email": p.Email}).Status)
	link := latestLink(t, c, p.Email)
	require.Equal(t, http.StatusOK, get(t, c, link).StatusCode)
	u, err := url.Parse(link)
	require.NoError(t, err)
	reset := u.Query().Get("token")

	r := c.call(http.MethodGet, "/me", reset, "", "")
	assert.Equal(t, http.StatusUnauthorized, r.Status, "a reset token as an access token")
	assert.Equal(t, "Could not validate credentials", r.JSON["detail"])
	q := u.Query()
	q.Set("token", access)
	u.RawQuery = q.Encode()
	assert.Equal(t, http.StatusBadRequest, get(t, c, u.String()).StatusCode, "an access token as a reset link")
	assert.Equal(t, http.StatusBadRequest, postForm(t, c, u.String(), url.Values{"new_password": {"from-an-access-token"}}).StatusCode)
	assert.Equal(t, http.StatusOK, c.login(p.Username, p.Password).Status, "the password is unchanged")
}
