package mocktest_test

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/journal"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/webhook"
)

var formHeader = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// rambaseToken logs in to RamBase with a form and returns the access token.
func rambaseToken(t *testing.T, m *mocktest.Server, form url.Values) string {
	t.Helper()
	r := m.Call(t, http.MethodPost, "/rambase/oauth2/access_token", formHeader, []byte(form.Encode()))
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	return r.JSON["access_token"].(string)
}

func TestEndRamBaseSession(t *testing.T) {
	m := mocktest.New(t)
	anna := m.Principal(t, "rambase.internal_user")
	user := rambaseToken(t, m, url.Values{"grant_type": {"password"}, "client_id": {anna.ClientID}, "client_secret": {anna.ClientSecret},
		"username": {anna.Username}, "password": {anna.Password}})
	client := rambaseToken(t, m, goodLogin)
	session := m.Call(t, http.MethodGet, "/rambase/system/sessions/current", bearer(user), nil)
	idv := session.JSON["session"].(map[string]any)["idVerificationToken"].(string)
	verify := func() int {
		return m.Call(t, http.MethodGet, "/rambase/id-verification?id_verification_token="+url.QueryEscape(idv), bearer(client), nil).Status
	}
	require.Equal(t, http.StatusOK, verify())
	require.NoError(t, m.EndRamBaseSession(user))
	assert.Equal(t, http.StatusNotFound, verify(), "RB-11: the session's token died with it")
}

func TestRandaVerifyAccounts(t *testing.T) {
	m := mocktest.New(t)
	login := func(username, password string) mocktest.Reply {
		return m.Call(t, http.MethodPost, "/randaverify/login", formHeader, []byte(url.Values{"username": {username}, "password": {password}}.Encode()))
	}
	invited, err := m.InviteRandaVerifyUser(mocktest.RandaVerifyInvite{Email: "new@your-org.com"})
	require.NoError(t, err)
	assert.Equal(t, "new", invited.Username)
	mail, err := m.Outbox("new@your-org.com")
	require.NoError(t, err)
	require.Len(t, mail, 1)
	assert.Equal(t, "one-time-password", mail[0].Kind)
	r := login("new", mail[0].Code)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	assert.Equal(t, true, r.JSON["require_password_change"])

	p := m.Principal(t, "randaverify.org_admin")
	r = login(p.Username, p.Password)
	require.Equal(t, http.StatusOK, r.Status)
	token := r.JSON["access_token"].(string)
	require.Equal(t, http.StatusOK, m.Call(t, http.MethodGet, "/randaverify/me", bearer(token), nil).Status)
	require.NoError(t, m.SuspendRandaVerifyUser(p.ID))
	assert.Equal(t, http.StatusUnauthorized, m.Call(t, http.MethodGet, "/randaverify/me", bearer(token), nil).Status, "RV-08")
	assert.Equal(t, http.StatusForbidden, login(p.Username, p.Password).Status)
	require.NoError(t, m.ReactivateRandaVerifyUser(p.ID))
	assert.Equal(t, http.StatusOK, login(p.Username, p.Password).Status)

	require.NoError(t, m.SetRandaVerifyWallet(p.Attributes["organisation_id"], 3))
	err = m.SetRandaVerifyWallet("999999", 3)
	assert.EqualError(t, err, "mocktest: PUT /randaverify/organisations/999999/wallet: 404 Not Found: No organisation with that id")
	assert.ErrorContains(t, m.SuspendRandaVerifyUser("999999"), "No user with that id")
}

// eeidService is an eeID service as a client under test uses it: a token, and requests.
type eeidService struct {
	t     *testing.T
	m     *mocktest.Server
	token string
}

func newEeidService(t *testing.T, m *mocktest.Server) eeidService {
	p := m.Principal(t, "eeid.service_a")
	req, err := http.NewRequest(http.MethodPost, m.APIURL("eeid")+"/api/auth/v1/token", nil)
	require.NoError(t, err)
	req.SetBasicAuth(p.ClientID, p.ClientSecret)
	resp, err := m.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	return eeidService{t: t, m: m, token: tok.AccessToken}
}

func (s eeidService) create() string {
	h := bearer(s.token)
	h.Set("Content-Type", "application/json")
	r := s.m.Call(s.t, http.MethodPost, "/eeid/api/ident/v1/identification_requests", h, []byte(`{"claims_required": [{"type": "sub", "value": "EE30303039914"}]}`))
	require.Equal(s.t, http.StatusCreated, r.Status, string(r.Raw))
	return r.JSON["id"].(string)
}

func (s eeidService) status(id string) string {
	return s.m.Call(s.t, http.MethodGet, "/eeid/api/ident/v1/identification_requests/"+id, bearer(s.token), nil).JSON["status"].(string)
}

func TestEeidRequestsAndWebhooks(t *testing.T) {
	var mu sync.Mutex
	var got [][]byte
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, body)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	m := mocktest.New(t)
	p := m.Principal(t, "eeid.service_a")
	require.NoError(t, m.SetEeidWebhook(p.ClientID, receiver.URL+"/eeid/webhooks/identification_requests"))
	s := newEeidService(t, m)
	id := s.create()
	require.Equal(t, "pending", s.status(id))
	require.NoError(t, m.AbortEeidRequest(id))
	require.Equal(t, "pending", s.status(id), "an abort leaves it pending")
	require.NoError(t, m.CompleteEeidRequest(id, mocktest.EeidCompletion{}))
	assert.Equal(t, "completed", s.status(id))
	m.Settle()
	mu.Lock()
	require.Len(t, got, 1)
	assert.Contains(t, string(got[0]), id)
	mu.Unlock()

	all, err := m.Deliveries()
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, webhook.Delivered, all[0].State)
	own, err := m.ListEeidDeliveries(p.ClientID)
	require.NoError(t, err)
	assert.Equal(t, all, own)
	replay, err := m.ReplayEeidDelivery(all[0].ID)
	require.NoError(t, err)
	assert.NotEqual(t, all[0].ID, replay)
	m.Settle()
	all, err = m.Deliveries()
	require.NoError(t, err)
	assert.Len(t, all, 2)

	assert.ErrorContains(t, m.CompleteEeidRequest(id, mocktest.EeidCompletion{}), "409 Conflict", "completed already")
	assert.ErrorContains(t, m.ExpireEeidRequest(id), "409 Conflict")
	other := s.create()
	require.NoError(t, m.ExpireEeidRequest(other))
	assert.Equal(t, "expired", s.status(other))
	assert.ErrorContains(t, m.AbortEeidRequest(other), "409 Conflict")
	_, err = m.ListEeidDeliveries("no-such-service")
	assert.ErrorContains(t, err, "404 Not Found")
	assert.ErrorContains(t, m.SetEeidWebhook(p.ClientID, "http://127.0.0.1:1/elsewhere"), "400 Bad Request")
}

// Control reaches any operation by its operationId, a new API's before it has a method of its own,
// with the control token when the mock has one.
func TestControlCallsAnOperationByItsID(t *testing.T) {
	m := mocktest.New(t, mocktest.WithControlToken("s3cret"))
	var caps struct {
		Version string   `json:"version"`
		APIs    []string `json:"apis"`
	}
	require.NoError(t, m.Control("getCapabilities", nil, nil, &caps))
	assert.Equal(t, mocktest.APIs(), caps.APIs)
	var now struct {
		Now time.Time `json:"now"`
	}
	require.NoError(t, m.Control("advanceClock", nil, map[string]int{"seconds": 60}, &now))
	assert.Equal(t, mocktest.DefaultStart.Add(time.Minute), now.Now)
	assert.EqualError(t, m.Control("noSuchOperation", nil, nil, nil), "mocktest: the control API has no operation noSuchOperation")
	assert.EqualError(t, m.Control("suspendRandaVerifyUser", nil, nil, nil), "mocktest: suspendRandaVerifyUser: a path parameter of /randaverify/users/{id}/suspend is missing")
}

func TestTheClockMovesForwardOnly(t *testing.T) {
	m := mocktest.New(t)
	later := mocktest.DefaultStart.Add(48 * time.Hour)
	require.NoError(t, m.Set(later))
	assert.Equal(t, later, m.Now())
	assert.Error(t, m.Set(later.Add(-time.Second)))
	assert.Equal(t, later, m.Now())
}

// A mock serves the APIs it is told to, each with its section of the fixtures.
func TestWithAPIs(t *testing.T) {
	m := mocktest.New(t, mocktest.WithAPIs("eeid"), mocktest.AllowViolations("", "path"))
	assert.Equal(t, http.StatusNotFound, m.Call(t, http.MethodGet, "/rambase/system/sessions/current", nil, nil).Status)
	newEeidService(t, m).create()
	assert.Equal(t, []string{"eeid"}, slices.Sorted(maps.Keys(m.Fixtures())))
	_, err := mocktest.Start(mocktest.WithAPIs("eeid", "nosuch"))
	assert.EqualError(t, err, `mocktest: no API is named "nosuch" (the APIs: `+strings.Join(mocktest.APIs(), ", ")+`)`)
}

// WithTTL sets a lifetime: an eeID token of 30 s works at 29 s and not at 30 s.
func TestWithTTL(t *testing.T) {
	m := mocktest.New(t, mocktest.WithTTL("eeid", "token_ttl", 30*time.Second))
	s := newEeidService(t, m)
	id := s.create()
	get := func() int {
		return m.Call(t, http.MethodGet, "/eeid/api/ident/v1/identification_requests/"+id, bearer(s.token), nil).Status
	}
	require.NoError(t, m.Advance(29*time.Second))
	assert.Equal(t, http.StatusOK, get())
	require.NoError(t, m.Advance(time.Second))
	assert.Equal(t, http.StatusUnauthorized, get())

	for _, c := range []struct {
		opt  mocktest.Option
		want string
	}{
		{mocktest.WithTTL("eeid", "token_ttl", 1500*time.Millisecond), "token_ttl"},
		{mocktest.WithTTL("eeid", "token_ttl", 0), "token_ttl"},
		{mocktest.WithSetting("eeid", "no_such_ttl", 5), "no_such_ttl"},
		{mocktest.WithSetting("widgets", "ttl", 5), "widgets"},
	} {
		_, err := mocktest.Start(c.opt)
		assert.ErrorContains(t, err, c.want)
	}
	m = mocktest.New(t, mocktest.WithSetting("rambase", "otp_max_attempts", 2))
	var f map[string]any
	require.NoError(t, json.Unmarshal(m.Fixtures()["rambase"], &f))
	assert.Equal(t, 2.0, f["settings"].(map[string]any)["otp_max_attempts"])
}

// Tests run in parallel each get a mock of their own: their own clock, state and journal.
func TestParallelTestsAreIsolated(t *testing.T) {
	for i := range 4 {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			m := mocktest.New(t)
			require.NoError(t, m.Advance(time.Duration(i)*time.Hour))
			for range i + 1 {
				login(t, m, goodLogin)
			}
			assert.Equal(t, mocktest.DefaultStart.Add(time.Duration(i)*time.Hour), m.Now())
			assert.Len(t, m.Requests(journal.Filter{}), i+1)
		})
	}
}
