package rambase_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// client is a small RamBase client over a mocktest.Server.
type client struct {
	t *testing.T
	m *mocktest.Server
}

func newClient(t *testing.T, opts ...mocktest.Option) *client {
	return &client{t: t, m: mocktest.New(t, opts...)}
}

// reply is a RamBase answer: its JSON body in JSON.
type reply = mocktest.Reply

func (c *client) token(form url.Values) reply {
	return c.m.Call(c.t, http.MethodPost, "/rambase/oauth2/access_token",
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte(form.Encode()))
}

func (c *client) get(path, accessToken string) reply {
	h := http.Header{}
	if accessToken != "" {
		h.Set("Authorization", "Bearer "+accessToken)
	}
	return c.m.Call(c.t, http.MethodGet, "/rambase"+path, h, nil)
}

// control calls the control API, with body as JSON when it is not nil.
func (c *client) control(method, path string, body any) reply {
	if body == nil {
		return c.m.Call(c.t, method, "/_mock"+path, nil, nil)
	}
	b, err := json.Marshal(body)
	require.NoError(c.t, err)
	return c.m.Call(c.t, method, "/_mock"+path, http.Header{"Content-Type": {"application/json"}}, b)
}

func (c *client) principal(role string) mockapi.Principal {
	c.t.Helper()
	r := c.control(http.MethodPost, "/principals", map[string]string{"role": role})
	require.Equal(c.t, http.StatusCreated, r.Status, string(r.Raw))
	var p mockapi.Principal
	require.NoError(c.t, json.Unmarshal(r.Raw, &p))
	return p
}

// clientToken logs an API client in with the client-credentials grant.
func (c *client) clientToken(p mockapi.Principal, extra url.Values) string {
	c.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {p.ClientID}, "client_secret": {p.ClientSecret}}
	for k, v := range extra {
		form[k] = v
	}
	r := c.token(form)
	require.Equal(c.t, http.StatusOK, r.Status, string(r.Raw))
	return r.JSON["access_token"].(string)
}

func userForm(p mockapi.Principal) url.Values {
	return url.Values{"grant_type": {"password"}, "client_id": {p.ClientID}, "client_secret": {p.ClientSecret},
		"username": {p.Username}, "password": {p.Password}}
}

// userToken logs a user without OTP in with the password grant.
func (c *client) userToken(p mockapi.Principal) string {
	c.t.Helper()
	r := c.token(userForm(p))
	require.Equal(c.t, http.StatusOK, r.Status, string(r.Raw))
	return r.JSON["access_token"].(string)
}

// idvToken reads the ID verification token of a session.
func (c *client) idvToken(accessToken string) string {
	c.t.Helper()
	r := c.get("/system/sessions/current", accessToken)
	require.Equal(c.t, http.StatusOK, r.Status, string(r.Raw))
	return r.JSON["session"].(map[string]any)["idVerificationToken"].(string)
}

func (c *client) verify(idv, accessToken string) reply {
	return c.get("/id-verification?id_verification_token="+url.QueryEscape(idv), accessToken)
}

// lastOTP returns the newest one-time password mailed to addr.
func (c *client) lastOTP(addr string) string {
	c.t.Helper()
	r := c.m.Call(c.t, http.MethodGet, "/_mock/outbox?kind=otp&to="+url.QueryEscape(addr), nil, nil)
	items := r.JSON["items"].([]any)
	require.NotEmpty(c.t, items, "no OTP mailed to %s", addr)
	return items[len(items)-1].(map[string]any)["code"].(string)
}

func field(body map[string]any, path ...string) any {
	var v any = body
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// text writes a JSON number as an id is written.
func text(v any) string {
	if n, ok := v.(float64); ok {
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	return ""
}
