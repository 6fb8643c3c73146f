package eeid_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
)

const (
	tokenPath    = "/eeid/api/auth/v1/token"
	requestsPath = "/eeid/api/ident/v1/identification_requests"
)

// service is a service of the fixture set and the mock it is a service of.
type service struct {
	t *testing.T
	m *mocktest.Server
	mockapi.Principal
}

func serviceOf(t *testing.T, m *mocktest.Server, role string) *service {
	return &service{t: t, m: m, Principal: m.Principal(t, role)}
}

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// token gets a Bearer token as eeID's own client does: POST, Basic, no body, no Content-Type.
func (s *service) token() string {
	s.t.Helper()
	r := s.m.Call(s.t, http.MethodPost, tokenPath, http.Header{"Authorization": {basic(s.ClientID, s.ClientSecret)}}, nil)
	require.Equal(s.t, http.StatusCreated, r.Status, string(r.Raw))
	return r.JSON["access_token"].(string)
}

// call sends a request with a Bearer token, and a JSON body when body is not nil.
func (s *service) call(method, path, token string, body any) mocktest.Reply {
	s.t.Helper()
	h := http.Header{"Authorization": {"Bearer " + token}}
	var raw []byte
	if body != nil {
		var err error
		raw, err = json.Marshal(body)
		require.NoError(s.t, err)
		h.Set("Content-Type", "application/json")
	}
	return s.m.Call(s.t, method, path, h, raw)
}

// create creates a request for the sub of eeID's examples, with a reference, and returns its id.
func (s *service) create(token, reference string) string {
	s.t.Helper()
	r := s.call(http.MethodPost, requestsPath, token, map[string]any{
		"claims_required": []map[string]string{{"type": "sub", "value": "EE30303039914"}}, "reference": reference})
	require.Equal(s.t, http.StatusCreated, r.Status, string(r.Raw))
	return r.JSON["id"].(string)
}

// control calls the mock's control API.
func control(t *testing.T, m *mocktest.Server, method, path string, body any) mocktest.Reply {
	t.Helper()
	var raw []byte
	h := http.Header{}
	if body != nil {
		var err error
		raw, err = json.Marshal(body)
		require.NoError(t, err)
		h.Set("Content-Type", "application/json")
	}
	return m.Call(t, method, "/_mock"+path, h, raw)
}
