package mockserver_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// tokenAPI is how a test gets an API's token and spends it.
type tokenAPI struct {
	login func(t *testing.T, m *mocktest.Server) string
	// path is an operation the token calls; field is a field of the API's 401 body, and want its value.
	path  string
	field string
	want  any
}

func postTokenForm(t *testing.T, m *mocktest.Server, path string, values url.Values) mocktest.Reply {
	t.Helper()
	return m.Call(t, http.MethodPost, path, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte(values.Encode()))
}

func bearerHeader(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

func basicHeader(id, secret string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))}}
}

func accessTokenOf(t *testing.T, r mocktest.Reply, want int) string {
	t.Helper()
	require.Equal(t, want, r.Status, string(r.Raw))
	return r.JSON["access_token"].(string)
}

var tokenAPIs = map[string]tokenAPI{
	"randaverify": {
		login: func(t *testing.T, m *mocktest.Server) string {
			p := m.Principal(t, "randaverify.org_admin")
			return accessTokenOf(t, postTokenForm(t, m, "/randaverify/login", url.Values{"username": {p.Username}, "password": {p.Password}}), http.StatusOK)
		},
		path: "/randaverify/me", field: "detail", want: "Could not validate credentials",
	},
	"eeid": {
		login: func(t *testing.T, m *mocktest.Server) string {
			p := m.Principal(t, "eeid.service_a")
			return accessTokenOf(t, m.Call(t, http.MethodPost, "/eeid/api/auth/v1/token", basicHeader(p.ClientID, p.ClientSecret), nil), http.StatusCreated)
		},
		path: "/eeid/api/ident/v1/identification_requests", field: "error", want: "Unauthorized",
	},
	"rambase": {
		login: func(t *testing.T, m *mocktest.Server) string {
			p := m.Principal(t, "rambase.api_client")
			v := url.Values{"grant_type": {"client_credentials"}, "client_id": {p.ClientID}, "client_secret": {p.ClientSecret}}
			return accessTokenOf(t, postTokenForm(t, m, "/rambase/oauth2/access_token", v), http.StatusOK)
		},
		path: "/rambase/system/sessions/current", field: "httpStatusCode", want: 401.0,
	},
}

// A token verifies only on the mock that minted it: another mock of the same test binary, seeded
// with the same fixtures, answers it with a 401 in the API's own shape.
func TestATokenIsRefusedByAnotherMock(t *testing.T) {
	minter, other := mocktest.New(t), mocktest.New(t)
	for name, api := range tokenAPIs {
		t.Run(name, func(t *testing.T) {
			tok := api.login(t, minter)
			require.Equal(t, http.StatusOK, minter.Call(t, http.MethodGet, api.path, bearerHeader(tok), nil).Status, "on the mock that minted it")
			require.Equal(t, http.StatusOK, other.Call(t, http.MethodGet, api.path, bearerHeader(api.login(t, other)), nil).Status, "the other mock's own")

			r := other.Call(t, http.MethodGet, api.path, bearerHeader(tok), nil)
			assert.Equal(t, http.StatusUnauthorized, r.Status, string(r.Raw))
			assert.Equal(t, api.want, r.JSON[api.field])
		})
	}
}

// A RandaVerify token, access or reset, is refused by eeID even where its subject is the client_id of
// an eeID service: it reads and creates none of that service's requests.
func TestARandaVerifyTokenIsRefusedByEeID(t *testing.T) {
	f := mockserver.DefaultFixtures()
	// The fixture user randaverify.org_admin is user 12, so its tokens' subject is "12".
	f["eeid"] = json.RawMessage(`{"services": [{"role": "eeid.service_a", "name": "Service Twelve", "client_id": "12", "client_secret": "twelve-secret"}]}`)
	m := mocktest.New(t, mocktest.WithFixtures(f))
	const requests = "/eeid/api/ident/v1/identification_requests"
	create := func(tok string) mocktest.Reply {
		h := bearerHeader(tok)
		h.Set("Content-Type", "application/json")
		return m.Call(t, http.MethodPost, requests, h, []byte(`{"claims_required": [{"type": "sub", "value": "EE30303039914"}], "reference": "binding"}`))
	}
	own := accessTokenOf(t, m.Call(t, http.MethodPost, "/eeid/api/auth/v1/token", basicHeader("12", "twelve-secret"), nil), http.StatusCreated)
	require.Equal(t, http.StatusCreated, create(own).Status, "the service's own token")
	require.Equal(t, http.StatusOK, m.Call(t, http.MethodGet, requests, bearerHeader(own), nil).Status)

	p := m.Principal(t, "randaverify.org_admin")
	require.Equal(t, "12", p.ID)
	access := accessTokenOf(t, postTokenForm(t, m, "/randaverify/login", url.Values{"username": {p.Username}, "password": {p.Password}}), http.StatusOK)
	require.Equal(t, http.StatusOK, m.Call(t, http.MethodGet, "/randaverify/me", bearerHeader(access), nil).Status)
	require.Equal(t, http.StatusOK, m.Call(t, http.MethodPost, "/randaverify/forgot-password", http.Header{"Content-Type": {"application/json"}},
		[]byte(`{"email": "`+p.Email+`"}`)).Status)
	out := m.Call(t, http.MethodGet, "/_mock/outbox?kind=password-reset", nil, nil)
	items := out.JSON["items"].([]any)
	require.Len(t, items, 1)
	link, err := url.Parse(items[0].(map[string]any)["link"].(string))
	require.NoError(t, err)
	reset := link.Query().Get("token")
	require.NotEmpty(t, reset)

	for name, tok := range map[string]string{"access": access, "reset": reset} {
		t.Run(name, func(t *testing.T) {
			r := m.Call(t, http.MethodGet, requests, bearerHeader(tok), nil)
			assert.Equal(t, http.StatusUnauthorized, r.Status, "list: %s", r.Raw)
			assert.Equal(t, "Unauthorized", r.JSON["error"])
			r = create(tok)
			assert.Equal(t, http.StatusUnauthorized, r.Status, "create: %s", r.Raw)
			assert.Equal(t, "Unauthorized", r.JSON["error"])
		})
	}
	list := m.Call(t, http.MethodGet, requests, bearerHeader(own), nil)
	require.Equal(t, http.StatusOK, list.Status)
	assert.Len(t, list.JSON["items"], 1, "the refused tokens created nothing")
}
