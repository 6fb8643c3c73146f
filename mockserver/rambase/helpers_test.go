package rambase_test

import (
	"bytes"
	"encoding/json"
	"io"
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

type reply struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

func (c *client) do(req *http.Request) reply {
	c.t.Helper()
	resp, err := c.m.Client().Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	r := reply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 {
		require.NoError(c.t, json.Unmarshal(raw, &r.Body), string(raw))
	}
	return r
}

func (c *client) token(form url.Values) reply {
	req, _ := http.NewRequest(http.MethodPost, c.m.APIURL("rambase")+"/oauth2/access_token", bytes.NewBufferString(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) get(path, accessToken string) reply {
	req, _ := http.NewRequest(http.MethodGet, c.m.APIURL("rambase")+path, nil)
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	return c.do(req)
}

func (c *client) control(method, path string, body any) reply {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, c.m.ControlURL()+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
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
	return r.Body["access_token"].(string)
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
	return r.Body["access_token"].(string)
}

// idvToken reads the ID verification token of a session.
func (c *client) idvToken(accessToken string) string {
	c.t.Helper()
	r := c.get("/system/sessions/current", accessToken)
	require.Equal(c.t, http.StatusOK, r.Status, string(r.Raw))
	return r.Body["session"].(map[string]any)["idVerificationToken"].(string)
}

func (c *client) verify(idv, accessToken string) reply {
	return c.get("/id-verification?id_verification_token="+url.QueryEscape(idv), accessToken)
}

// lastOTP returns the newest one-time password mailed to addr.
func (c *client) lastOTP(addr string) string {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.m.ControlURL()+"/outbox?kind=otp&to="+url.QueryEscape(addr), nil)
	r := c.do(req)
	items := r.Body["items"].([]any)
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
