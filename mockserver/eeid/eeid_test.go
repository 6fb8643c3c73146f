package eeid_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/eeid"
	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// A token works until 1 s before its 120 s are up, and on no route from then on.
func TestATokenDiesAt120Seconds(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	tok := s.token()
	id := s.create(tok, "ttl")
	require.NoError(t, m.Advance(119*time.Second))
	assert.Equal(t, http.StatusOK, s.call(http.MethodGet, requestsPath+"/"+id, tok, nil).Status)
	for _, step := range []time.Duration{time.Second, time.Second} {
		require.NoError(t, m.Advance(step))
		for _, path := range []string{requestsPath, requestsPath + "/" + id, requestsPath + "/" + id + "/proof_of_identity"} {
			r := s.call(http.MethodGet, path, tok, nil)
			assert.Equal(t, http.StatusUnauthorized, r.Status, path)
			assert.NotEmpty(t, r.JSON["error"], path)
		}
	}
	assert.Equal(t, http.StatusOK, s.call(http.MethodGet, requestsPath+"/"+id, s.token(), nil).Status, "a new token works")
}

// What eeID's own client sends is accepted: the token POST with no body and no Content-Type (the
// helper's), GETs with Content-Type: application/json and no body; the proof comes as application/pdf
// exactly, which that client dispatches on, with a file name.
func TestTheVendorClientsRequestsAreAccepted(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	tok := s.token()
	id := s.create(tok, "vendor")
	require.Equal(t, http.StatusNoContent, control(t, m, http.MethodPost, "/eeid/identification_requests/"+id+"/complete", nil).Status)
	h := http.Header{"Authorization": {"Bearer " + tok}, "Content-Type": {"application/json"}}
	r := m.Call(t, http.MethodGet, requestsPath+"/"+id, h, nil)
	assert.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	r = m.Call(t, http.MethodGet, requestsPath+"/"+id+"/proof_of_identity", h, nil)
	assert.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	assert.Equal(t, "application/pdf", r.Header.Get("Content-Type"))
	assert.Equal(t, fmt.Sprintf(`attachment; filename="proof_of_identity_%s.pdf"`, id), r.Header.Get("Content-Disposition"))
}

// Every malformed request gets a 4xx in eeID's shape, {"error": "..."} as application/json, never a
// 500; and changes nothing.
func TestBadInputIsA4xxInEeidsShape(t *testing.T) {
	m := mocktest.New(t, mocktest.AllowViolations("*")) // every request here is bad input
	s := serviceOf(t, m, "eeid.service_a")
	tok := s.token()
	id := s.create(tok, "bad-input")
	claims := func(n int, value string) []byte {
		var cs []string
		for range n {
			cs = append(cs, fmt.Sprintf(`{"type": "sub", "value": %q}`, value))
		}
		return []byte(`{"claims_required": [` + strings.Join(cs, ",") + `]}`)
	}
	bearer := http.Header{"Authorization": {"Bearer " + tok}}
	jsonBody := http.Header{"Authorization": {"Bearer " + tok}, "Content-Type": {"application/json"}}
	cases := []struct {
		name         string
		method, path string
		header       http.Header
		body         []byte
		want         int
	}{
		{"no credentials", http.MethodPost, tokenPath, nil, nil, 401},
		{"not base64", http.MethodPost, tokenPath, http.Header{"Authorization": {"Basic %%%"}}, nil, 401},
		{"no colon", http.MethodPost, tokenPath, http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(s.ClientID))}}, nil, 401},
		{"empty id", http.MethodPost, tokenPath, http.Header{"Authorization": {basic("", s.ClientSecret)}}, nil, 401},
		{"empty secret", http.MethodPost, tokenPath, http.Header{"Authorization": {basic(s.ClientID, "")}}, nil, 401},
		{"wrong secret", http.MethodPost, tokenPath, http.Header{"Authorization": {basic(s.ClientID, s.ClientSecret+"x")}}, nil, 401},
		{"unknown client", http.MethodPost, tokenPath, http.Header{"Authorization": {basic("oidc-nobody", s.ClientSecret)}}, nil, 401},
		{"a Bearer token for a token", http.MethodPost, tokenPath, bearer, nil, 401},
		{"a token that is not one", http.MethodGet, requestsPath, http.Header{"Authorization": {"Bearer x.y.z"}}, nil, 401},
		{"Basic credentials on a call", http.MethodGet, requestsPath, http.Header{"Authorization": {basic(s.ClientID, s.ClientSecret)}}, nil, 401},
		{"body not JSON", http.MethodPost, requestsPath, jsonBody, []byte(`{"claims_required": [`), 422},
		{"body not an object", http.MethodPost, requestsPath, jsonBody, []byte(`[]`), 422},
		{"two JSON values", http.MethodPost, requestsPath, jsonBody,
			[]byte(`{"claims_required": [{"type": "sub", "value": "A"}]}{"claims_required": [{"type": "sub", "value": "B"}]}`), 422},
		{"JSON then text", http.MethodPost, requestsPath, jsonBody, []byte(`{"claims_required": [{"type": "sub", "value": "A"}]} xyz`), 422},
		{"a birthdate that is no date", http.MethodPost, requestsPath, jsonBody, []byte(`{"claims_required": [{"type": "birthdate", "value": "1999-99-99"}]}`), 422},
		{"a birthdate in another format", http.MethodPost, requestsPath, jsonBody, []byte(`{"claims_required": [{"type": "birthdate", "value": "03.03.1903"}]}`), 422},
		{"a country that is no ISO code", http.MethodPost, requestsPath, jsonBody, []byte(`{"claims_required": [{"type": "country", "value": "Estonia"}]}`), 422},
		{"no claims", http.MethodPost, requestsPath, jsonBody, []byte(`{"reference": "x"}`), 422},
		{"empty claims", http.MethodPost, requestsPath, jsonBody, []byte(`{"claims_required": []}`), 422},
		{"unknown claim type", http.MethodPost, requestsPath, jsonBody, []byte(`{"claims_required": [{"type": "email", "value": "a@b.c"}]}`), 422},
		{"claim without a type", http.MethodPost, requestsPath, jsonBody, []byte(`{"claims_required": [{"value": "EE30303039914"}]}`), 422},
		{"claim value a number", http.MethodPost, requestsPath, jsonBody, []byte(`{"claims_required": [{"type": "sub", "value": 1}]}`), 422},
		{"17 claims", http.MethodPost, requestsPath, jsonBody, claims(17, "EE30303039914"), 422},
		{"a claim value of 257 characters", http.MethodPost, requestsPath, jsonBody, claims(1, strings.Repeat("a", 257)), 422},
		{"a reference of 257 characters", http.MethodPost, requestsPath, jsonBody,
			[]byte(`{"claims_required": [{"type": "sub", "value": ""}], "reference": "` + strings.Repeat("r", 257) + `"}`), 422},
		{"an unknown reason language", http.MethodPost, requestsPath, jsonBody,
			[]byte(`{"claims_required": [{"type": "sub", "value": ""}], "reason_translations": {"fi": "x"}}`), 422},
		{"a text body", http.MethodPost, requestsPath, http.Header{"Authorization": {"Bearer " + tok}, "Content-Type": {"text/plain"}}, []byte(`claims`), 415},
		{"an oversized body", http.MethodPost, requestsPath, jsonBody, claims(1, strings.Repeat("a", 2<<20)), 413},
		{"page 0", http.MethodGet, requestsPath + "?page=0", bearer, nil, 422},
		{"page -1", http.MethodGet, requestsPath + "?page=-1", bearer, nil, 422},
		{"page 1000001", http.MethodGet, requestsPath + "?page=1000001", bearer, nil, 422},
		{"page not a number", http.MethodGet, requestsPath + "?page=one", bearer, nil, 422},
		{"page 1e400", http.MethodGet, requestsPath + "?page=1e400", bearer, nil, 422},
		{"page_size 0", http.MethodGet, requestsPath + "?page_size=0", bearer, nil, 422},
		{"page_size a fraction", http.MethodGet, requestsPath + "?page_size=0.5", bearer, nil, 422},
		{"an id that is not a UUID", http.MethodGet, requestsPath + "/not-a-uuid", bearer, nil, 404},
		{"an id of 65 characters", http.MethodGet, requestsPath + "/" + strings.Repeat("a", 65), bearer, nil, 404},
		{"an id of 10000 characters", http.MethodGet, requestsPath + "/" + strings.Repeat("a", 10000), bearer, nil, 404},
		{"an unknown UUID's proof", http.MethodGet, requestsPath + "/6f1b0c2e-3d4a-4b5c-9d8e-7f6a5b4c3d2e/proof_of_identity", bearer, nil, 404},
		{"a pending request's proof", http.MethodGet, requestsPath + "/" + id + "/proof_of_identity", bearer, nil, 404},
		{"an unknown path", http.MethodGet, "/eeid/api/ident/v2/identification_requests", bearer, nil, 404},
		{"a method the path has not", http.MethodDelete, requestsPath + "/" + id, bearer, nil, 405},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := m.Call(t, c.method, c.path, c.header, c.body)
			assert.Equal(t, c.want, r.Status, string(r.Raw))
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.NotEmpty(t, r.JSON["error"], string(r.Raw))
		})
	}
	// The edges just inside the limits pass, and nothing above changed the service's requests.
	assert.Equal(t, http.StatusCreated, m.Call(t, http.MethodPost, requestsPath, jsonBody, claims(16, strings.Repeat("a", 256))).Status)
	assert.Equal(t, http.StatusOK, m.Call(t, http.MethodGet, requestsPath+"?page=1000000&page_size=1", bearer, nil).Status)
	r := s.call(http.MethodGet, requestsPath, tok, nil)
	assert.Equal(t, float64(2), r.JSON["total"])
}

// A service never sees another's request, in the list or by id.
func TestAServiceSeesOnlyItsOwnRequests(t *testing.T) {
	m := mocktest.New(t)
	a, b := serviceOf(t, m, "eeid.service_a"), serviceOf(t, m, "eeid.service_b")
	ta, tb := a.token(), b.token()
	id := a.create(ta, "a-1")
	b.create(tb, "b-1")
	b.create(tb, "b-2")
	assert.Equal(t, http.StatusNoContent, control(t, m, http.MethodPost, "/eeid/identification_requests/"+id+"/complete", nil).Status)
	assert.Equal(t, http.StatusOK, a.call(http.MethodGet, requestsPath+"/"+id+"/proof_of_identity", ta, nil).Status)
	for _, path := range []string{requestsPath + "/" + id, requestsPath + "/" + id + "/proof_of_identity"} {
		assert.Equal(t, http.StatusNotFound, b.call(http.MethodGet, path, tb, nil).Status, path)
	}
	r := b.call(http.MethodGet, requestsPath, tb, nil)
	assert.Equal(t, float64(2), r.JSON["total"])
	for _, item := range r.JSON["items"].([]any) {
		assert.Equal(t, b.ClientID, item.(map[string]any)["client_id"])
	}
}

// The link lives 7 days to the second: pending 1 s before, expired at and after, and then it can no
// longer be completed, by the control API or on its page.
func TestTheLinkExpiresAfter7Days(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	id := s.create(s.token(), "week")
	link := s.call(http.MethodGet, requestsPath+"/"+id, s.token(), nil).JSON["link"].(string)
	status := func() string {
		return s.call(http.MethodGet, requestsPath+"/"+id, s.token(), nil).JSON["status"].(string)
	}

	require.NoError(t, m.Advance(7*24*time.Hour-time.Second))
	assert.Equal(t, "pending", status())
	assert.Equal(t, http.StatusOK, m.Call(t, http.MethodGet, strings.TrimPrefix(link, m.URL), nil, nil).Status)
	require.NoError(t, m.Advance(time.Second))
	assert.Equal(t, "expired", status())
	require.NoError(t, m.Advance(time.Second))
	assert.Equal(t, "expired", status())
	assert.Equal(t, http.StatusConflict, control(t, m, http.MethodPost, "/eeid/identification_requests/"+id+"/complete", nil).Status)
	assert.Equal(t, http.StatusGone, m.Call(t, http.MethodGet, strings.TrimPrefix(link, m.URL), nil, nil).Status)
	assert.Equal(t, "expired", status())
}

// The control API can expire a link at once, not a completed one.
func TestTheControlAPIExpiresALink(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	tok := s.token()
	pending, done := s.create(tok, "p"), s.create(tok, "d")
	require.Equal(t, http.StatusNoContent, control(t, m, http.MethodPost, "/eeid/identification_requests/"+done+"/complete", nil).Status)
	assert.Equal(t, http.StatusNoContent, control(t, m, http.MethodPost, "/eeid/identification_requests/"+pending+"/expire", nil).Status)
	assert.Equal(t, "expired", s.call(http.MethodGet, requestsPath+"/"+pending, tok, nil).JSON["status"])
	assert.Equal(t, http.StatusConflict, control(t, m, http.MethodPost, "/eeid/identification_requests/"+done+"/expire", nil).Status)
	assert.Equal(t, http.StatusConflict, control(t, m, http.MethodPost, "/eeid/identification_requests/"+pending+"/abort", nil).Status)
	assert.Equal(t, http.StatusNotFound, control(t, m, http.MethodPost, "/eeid/identification_requests/6f1b0c2e-3d4a-4b5c-9d8e-7f6a5b4c3d2e/expire", nil).Status)
	assert.Equal(t, "completed", s.call(http.MethodGet, requestsPath+"/"+done, tok, nil).JSON["status"])
}

// The control API completes as any identity: one in full, or a matching one with another sub.
func TestTheControlAPICompletesAsAnyIdentity(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	tok := s.token()
	id := s.create(tok, "who")
	r := control(t, m, http.MethodPost, "/eeid/identification_requests/"+id+"/complete", map[string]any{"identity": map[string]string{
		"sub": "LV010190-12345", "given_name": "Anna", "family_name": "Bērziņa", "date_of_birth": "1990-01-01", "country": "LV"}})
	require.Equal(t, http.StatusNoContent, r.Status, string(r.Raw))
	got := s.call(http.MethodGet, requestsPath+"/"+id, tok, nil).JSON
	assert.Equal(t, "Bērziņa", got["result"].(map[string]any)["family_name"])
	assert.Equal(t, false, got["claims_matched"])
	assert.Equal(t, map[string]any{"expected": "EE30303039914", "actual": "LV010190-12345"}, got["mismatched_claims"].(map[string]any)["sub"])

	r = control(t, m, http.MethodPost, "/eeid/identification_requests/"+id+"/complete", nil)
	assert.Equal(t, http.StatusConflict, r.Status, "a completed link is dead")
	other := s.create(tok, "x")
	for _, bad := range []map[string]any{{"sub": 7}, {"identity": map[string]string{"sub": "EE1", "given_name": "A", "family_name": "B",
		"date_of_birth": "2020-13-45", "country": "EE"}}, {"identity": map[string]string{"sub": "EE1", "given_name": "A", "family_name": "B",
		"date_of_birth": "2020-02-30", "country": "EE"}}, {"identity": map[string]string{"sub": "EE1", "given_name": "A", "family_name": "B",
		"date_of_birth": "2020-02-29", "country": "Estonia"}}, {"identity": map[string]string{"sub": "", "given_name": "A", "family_name": "B",
		"date_of_birth": "2020-02-29", "country": "EE"}}} {
		r = control(t, m, http.MethodPost, "/eeid/identification_requests/"+other+"/complete", bad)
		assert.Equal(t, http.StatusBadRequest, r.Status, "%v: %s", bad, r.Raw)
	}
	assert.Equal(t, "pending", s.call(http.MethodGet, requestsPath+"/"+other, tok, nil).JSON["status"], "refused completions change nothing")
	assert.Equal(t, http.StatusOK, s.call(http.MethodGet, requestsPath, tok, nil).Status, "and the list reads")
}

// 200 people completing one request at once: one completes it, the others are refused, and one
// webhook is sent, delivered once.
func TestConcurrentCompletionsCompleteOnceAndDeliverOnce(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	var received atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { received.Add(1) }))
	t.Cleanup(hook.Close)
	setWebhook(t, m, s.ClientID, hook.URL+"/eeid/webhooks/identification_requests")
	tok := s.token()
	id := s.create(tok, "race")
	link := s.call(http.MethodGet, requestsPath+"/"+id, tok, nil).JSON["link"].(string)

	const n = 200
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if i%2 == 0 { // half through the control API, half on the link's page
				statuses[i] = control(t, m, http.MethodPost, "/eeid/identification_requests/"+id+"/complete", nil).Status
				return
			}
			form := url.Values{"identity": {"match"}, "action": {"complete"}}
			statuses[i] = m.Call(t, http.MethodPost, strings.TrimPrefix(link, m.URL),
				http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte(form.Encode())).Status
		})
	}
	wg.Wait()
	m.Settle()
	won := 0
	for _, st := range statuses {
		switch st {
		case http.StatusNoContent, http.StatusOK:
			won++
		case http.StatusConflict, http.StatusGone:
		default:
			t.Errorf("a completion answered %d", st)
		}
	}
	assert.Equal(t, 1, won)
	assert.Equal(t, int32(1), received.Load())
	log := control(t, m, http.MethodGet, "/eeid/services/"+s.ClientID+"/deliveries", nil)
	assert.Len(t, log.JSON["items"], 1)
}

// Creating and listing at once: every list's total counts only what exists, never goes back, and
// ends exact, with every request listed once.
func TestConcurrentCreatesKeepTheTotalExact(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	tok := s.token()
	const creates = 100
	var wg sync.WaitGroup
	for range creates {
		wg.Go(func() { s.create(tok, "load") })
	}
	var listed sync.WaitGroup
	for range 4 {
		listed.Go(func() {
			last := -1.0
			for range 25 {
				total := s.call(http.MethodGet, requestsPath, tok, nil).JSON["total"].(float64)
				assert.GreaterOrEqual(t, total, last)
				assert.LessOrEqual(t, total, float64(creates))
				last = total
			}
		})
	}
	wg.Wait()
	listed.Wait()
	r := s.call(http.MethodGet, requestsPath+"?page_size=100", tok, nil)
	assert.Equal(t, float64(creates), r.JSON["total"])
	seen := map[string]bool{}
	for _, item := range r.JSON["items"].([]any) {
		seen[item.(map[string]any)["id"].(string)] = true
	}
	assert.Len(t, seen, creates)
}

// The link's page: what the service needs and who one can identify as, in the locale asked for;
// cancelling leaves the request pending, identifying as someone else completes it with the
// mismatch, and the link is then dead.
func TestTheLinksPage(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	tok := s.token()
	r := s.call(http.MethodPost, requestsPath, tok, map[string]any{"claims_required": []map[string]string{{"type": "sub", "value": "EE30303039914"}},
		"reason": "Verify the registrant", "reason_translations": map[string]string{"et": "Registreerija tuvastamine"}})
	id, link := r.JSON["id"].(string), strings.TrimPrefix(r.JSON["link"].(string), m.URL)
	page := func(method, suffix string, form url.Values) mocktest.Reply {
		var body []byte
		h := http.Header{}
		if form != nil {
			body = []byte(form.Encode())
			h.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		return m.Call(t, method, link+suffix, h, body)
	}

	got := page(http.MethodGet, "", nil)
	require.Equal(t, http.StatusOK, got.Status)
	assert.Equal(t, "text/html; charset=utf-8", got.Header.Get("Content-Type"))
	assert.Contains(t, string(got.Raw), "Service A")
	assert.Contains(t, string(got.Raw), "Verify the registrant")
	assert.Contains(t, string(got.Raw), "EE38001085718", "the fixture identities are offered")
	et := page(http.MethodGet, "&ui_locales=et", nil)
	assert.Contains(t, string(et.Raw), `lang="et"`)
	assert.Contains(t, string(et.Raw), "Registreerija tuvastamine")
	assert.Contains(t, string(page(http.MethodGet, "&ui_locales=ru", nil).Raw), "Подтвердите личность")
	assert.Contains(t, string(page(http.MethodGet, "&ui_locales=fi", nil).Raw), `lang="en"`)

	assert.Equal(t, http.StatusNotFound, m.Call(t, http.MethodGet, strings.Replace(link, "key=", "key=x", 1), nil, nil).Status, "a wrong key")
	assert.Equal(t, http.StatusMethodNotAllowed, page(http.MethodPut, "", nil).Status)
	for _, bad := range []url.Values{{"identity": {"99"}, "action": {"complete"}}, {"identity": {"-1"}, "action": {"complete"}},
		{"identity": {"+1"}, "action": {"complete"}}, {"identity": {"01"}, "action": {"complete"}},
		{"identity": {"match"}, "action": {"destroy"}}, {"identity": {"match"}}} {
		r := page(http.MethodPost, "", bad)
		assert.Equal(t, http.StatusBadRequest, r.Status, bad)
		assert.Contains(t, string(r.Raw), `role="status"`, "the page says what to choose")
	}
	assert.Equal(t, "pending", s.call(http.MethodGet, requestsPath+"/"+id, tok, nil).JSON["status"], "nothing was completed")

	aborted := page(http.MethodPost, "", url.Values{"action": {"abort"}})
	assert.Equal(t, http.StatusOK, aborted.Status)
	assert.Contains(t, string(aborted.Raw), "The link still works")
	assert.Equal(t, "pending", s.call(http.MethodGet, requestsPath+"/"+id, tok, nil).JSON["status"])

	done := page(http.MethodPost, "", url.Values{"identity": {"1"}, "action": {"complete"}})
	assert.Equal(t, http.StatusOK, done.Status)
	read := s.call(http.MethodGet, requestsPath+"/"+id, tok, nil).JSON
	assert.Equal(t, "completed", read["status"])
	assert.Equal(t, "EE38001085718", read["result"].(map[string]any)["sub"])
	assert.Equal(t, false, read["claims_matched"])
	assert.Equal(t, http.StatusGone, page(http.MethodGet, "", nil).Status)
	assert.Equal(t, http.StatusGone, page(http.MethodPost, "", url.Values{"identity": {"match"}}).Status)
}

// The proof of identity is a valid PDF that an independent parser (Debian's pdftotext) reads: the
// person, the request, the service and the time.
func TestTheProofIsAPDFNamingThePersonTheRequestAndTheTime(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	tok := s.token()
	id := s.create(tok, "contact-4711")
	require.NoError(t, m.Advance(90*time.Second))
	require.Equal(t, http.StatusNoContent, control(t, m, http.MethodPost, "/eeid/identification_requests/"+id+"/complete",
		map[string]any{"identity": map[string]string{"sub": "EE38001085718", "given_name": "JAAK-KRISTJAN", "family_name": "JÕEORG-Bērziņa Ковалёва",
			"date_of_birth": "1980-01-08", "country": "EE", "authentication_type": "SMART_ID", "acr": "high"}}).Status)
	r := s.call(http.MethodGet, requestsPath+"/"+id+"/proof_of_identity", s.token(), nil)
	require.Equal(t, http.StatusOK, r.Status)
	again := s.call(http.MethodGet, requestsPath+"/"+id+"/proof_of_identity", s.token(), nil)
	assert.True(t, bytes.Equal(r.Raw, again.Raw), "the same request renders the same bytes")
	text := pdfText(t, r.Raw)
	for _, want := range []string{"eeID proof of identity", "JAAK-KRISTJAN JÕEORG-Bērziņa Ковалёва", "EE38001085718", "1980-01-08", "SMART_ID",
		id, s.ClientID, "contact-4711", "2030-01-01T00:01:30Z", "false"} {
		assert.Contains(t, text, want)
	}
}

// A request whose reference and claimed name hold characters the proof's font cannot draw (an
// emoji, outside Unicode's Basic Multilingual Plane, on which the PDF's font code panicked: a 500 on
// every read) has its proof all the same, in which they print as U+FFFD and the rest as written.
func TestTheProofOfARequestWithEmojiIsAPDF(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	tok := s.token()
	created := s.call(http.MethodPost, requestsPath, tok, map[string]any{
		"claims_required": []map[string]string{{"type": "name", "value": "Mari 😀 Maasikas"}}, "reference": "order 🧾 42 — Ülle"})
	require.Equal(t, http.StatusCreated, created.Status, string(created.Raw))
	id := created.JSON["id"].(string)
	require.Equal(t, http.StatusNoContent, control(t, m, http.MethodPost, "/eeid/identification_requests/"+id+"/complete", nil).Status)
	read := s.call(http.MethodGet, requestsPath+"/"+id, tok, nil)
	require.Equal(t, http.StatusOK, read.Status)
	assert.Equal(t, "😀 Maasikas", read.JSON["result"].(map[string]any)["family_name"], "the result keeps the name as claimed")

	r := s.call(http.MethodGet, requestsPath+"/"+id+"/proof_of_identity", tok, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	assert.Equal(t, "application/pdf", r.Header.Get("Content-Type"))
	assert.True(t, bytes.HasPrefix(r.Raw, []byte("%PDF-")))
	text := pdfText(t, r.Raw)
	assert.Contains(t, text, "Mari \uFFFD Maasikas")
	assert.Contains(t, text, "order \uFFFD 42 — Ülle")
}

// setWebhook points a service's webhooks at a URL through the control API.
func setWebhook(t *testing.T, m *mocktest.Server, clientID, hookURL string) {
	t.Helper()
	r := control(t, m, http.MethodPut, "/eeid/services/"+clientID+"/webhook", map[string]string{"url": hookURL})
	require.Equal(t, http.StatusNoContent, r.Status, string(r.Raw))
}

// The webhook URL's path must contain eeid/webhooks/identification_requests, as eeID's manager
// requires; an empty URL sends none.
func TestOnlyAWebhookURLOfTheVendorsShapeIsSet(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	const p = "/eeid/webhooks/identification_requests"
	for _, bad := range []string{"http://127.0.0.1:9/hooks", "ftp://127.0.0.1" + p, p, "http://" + p, "http:///" + p[1:],
		"http://user:pass@127.0.0.1:9" + p, "http://127.0.0.1:9@evil.example" + p, "http://127.0.0.1:99999" + p, "http://127.0.0.1:0" + p,
		"http://127.0.0.1:9" + p + "/../../admin", "http://127.0.0.1:9/a/./" + p[1:], "http://127.0.0.1:9" + p + "/a b",
		"http://127.0.0.1:9" + p + "\t", "mailto:x@y.z?" + p} {
		r := control(t, m, http.MethodPut, "/eeid/services/"+s.ClientID+"/webhook", map[string]string{"url": bad})
		assert.Equal(t, http.StatusBadRequest, r.Status, bad)
	}
	r := control(t, m, http.MethodPut, "/eeid/services/oidc-nobody/webhook", map[string]string{"url": "http://127.0.0.1:9/eeid/webhooks/identification_requests"})
	assert.Equal(t, http.StatusNotFound, r.Status)
	setWebhook(t, m, s.ClientID, "https://partner.example/app/eeid/webhooks/identification_requests?x=1")
	setWebhook(t, m, s.ClientID, "")
	id := s.create(s.token(), "none")
	require.Equal(t, http.StatusNoContent, control(t, m, http.MethodPost, "/eeid/identification_requests/"+id+"/complete", nil).Status)
	m.Settle()
	assert.Empty(t, control(t, m, http.MethodGet, "/eeid/services/"+s.ClientID+"/deliveries", nil).JSON["items"])
}

// A receiver that calls the mock back while its delivery is open, as eeID's own does (a new token,
// the request, its proof), gets its answers: a delivery never blocks the API. The log shows the
// delivery, its exact body and signature, and a replay sends the same bytes again.
func TestAReceiverCallsBackDuringItsDeliveryAndTheLogShowsIt(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	type got struct {
		body      []byte
		signature string
		status    string
		proof     int
	}
	deliveries := make(chan got, 4)
	// The handler runs on the receiver's goroutine: it reports with t.Errorf, never t.Fatal.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var payload struct {
			ID string `json:"identification_request_id"`
		}
		_ = json.Unmarshal(body, &payload)
		call := func(method, path string, h http.Header) (*http.Response, []byte) {
			req, _ := http.NewRequest(method, m.URL+path, nil)
			req.Header = h
			resp, err := m.Client().Do(req)
			if err != nil {
				t.Errorf("calling back %s: %v", path, err)
				return &http.Response{}, nil
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			return resp, raw
		}
		_, raw := call(http.MethodPost, tokenPath, http.Header{"Authorization": {basic(s.ClientID, s.ClientSecret)}})
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.Unmarshal(raw, &tok)
		bearer := http.Header{"Authorization": {"Bearer " + tok.AccessToken}, "Content-Type": {"application/json"}}
		_, raw = call(http.MethodGet, requestsPath+"/"+payload.ID, bearer)
		var read struct{ Status string }
		_ = json.Unmarshal(raw, &read)
		_, proof := call(http.MethodGet, requestsPath+"/"+payload.ID+"/proof_of_identity", bearer)
		deliveries <- got{body, r.Header.Get(eeid.SignatureHeader), read.Status, len(proof)}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(hook.Close)
	setWebhook(t, m, s.ClientID, hook.URL+"/eeid/webhooks/identification_requests")
	id := s.create(s.token(), "contact-4711<&>")
	require.Equal(t, http.StatusNoContent, control(t, m, http.MethodPost, "/eeid/identification_requests/"+id+"/complete", nil).Status)

	var first got
	select {
	case first = <-deliveries:
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery")
	}
	wantBody := fmt.Sprintf(`{"identification_request_id":%q,"client_id":%q,"reference":"contact-4711<&>"}`, id, s.ClientID)
	assert.Equal(t, wantBody, string(first.body))
	assert.Equal(t, eeid.Sign(first.body, s.ClientSecret), first.signature)
	assert.Equal(t, "completed", first.status)
	assert.Greater(t, first.proof, 1000)

	m.Settle()
	log := control(t, m, http.MethodGet, "/eeid/services/"+s.ClientID+"/deliveries", nil)
	require.Len(t, log.JSON["items"], 1, string(log.Raw))
	d := log.JSON["items"].([]any)[0].(map[string]any)
	assert.Equal(t, "delivered", d["state"])
	assert.Equal(t, wantBody, d["body"])
	assert.Equal(t, first.signature, d["headers"].(map[string]any)["X-HMAC-Signature"])
	attempts := d["attempts"].([]any)
	require.Len(t, attempts, 1)
	assert.Equal(t, float64(200), attempts[0].(map[string]any)["status"])
	assert.Equal(t, "2030-01-01T00:00:00Z", attempts[0].(map[string]any)["at"])

	r := control(t, m, http.MethodPost, "/eeid/deliveries/"+d["id"].(string)+"/replay", nil)
	require.Equal(t, http.StatusAccepted, r.Status, string(r.Raw))
	select {
	case again := <-deliveries:
		assert.Equal(t, first.body, again.body)
		assert.Equal(t, first.signature, again.signature)
	case <-time.After(10 * time.Second):
		t.Fatal("no replay")
	}
	m.Settle()
	log = control(t, m, http.MethodGet, "/eeid/services/"+s.ClientID+"/deliveries", nil)
	require.Len(t, log.JSON["items"], 2)
	assert.Equal(t, d["id"], log.JSON["items"].([]any)[1].(map[string]any)["replay_of"])
	assert.Equal(t, http.StatusNotFound, control(t, m, http.MethodPost, "/eeid/deliveries/nope/replay", nil).Status)
	assert.Equal(t, http.StatusNotFound, control(t, m, http.MethodGet, "/eeid/services/oidc-nobody/deliveries", nil).Status)
}

// Retries come 1 s, 2 s and 4 s after each failure, to the millisecond on the mock's clock (EE-19):
// not 1 ms before, at once at the second.
func TestRetriesComeAtTheirSecondExactly(t *testing.T) {
	m := mocktest.New(t)
	s := serviceOf(t, m, "eeid.service_a")
	var received atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		received.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(hook.Close)
	setWebhook(t, m, s.ClientID, hook.URL+"/eeid/webhooks/identification_requests")
	id := s.create(s.token(), "retries")
	require.Equal(t, http.StatusNoContent, control(t, m, http.MethodPost, "/eeid/identification_requests/"+id+"/complete", nil).Status)
	m.Settle()
	require.Equal(t, int32(1), received.Load())
	for i, backoff := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		require.NoError(t, m.Advance(backoff-time.Millisecond))
		assert.Equal(t, int32(i+1), received.Load(), "1 ms before retry %d", i+1)
		require.NoError(t, m.Advance(time.Millisecond))
		assert.Equal(t, int32(i+2), received.Load(), "retry %d at its second", i+1)
	}
	require.NoError(t, m.Advance(time.Hour))
	assert.Equal(t, int32(4), received.Load(), "4 attempts in all")
	log := control(t, m, http.MethodGet, "/eeid/services/"+s.ClientID+"/deliveries", nil)
	assert.Equal(t, "failed", log.JSON["items"].([]any)[0].(map[string]any)["state"])
}
