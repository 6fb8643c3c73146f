package mockserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// pageResetLink asks RandaVerify for a reset link for a principal and returns it, from the mock's root.
func pageResetLink(t *testing.T, m *mocktest.Server, email string) string {
	t.Helper()
	r := m.Call(t, http.MethodPost, "/randaverify/forgot-password", jsonHeader, []byte(`{"email":"`+email+`"}`))
	require.Equal(t, http.StatusOK, r.Status, string(r.Raw))
	r = m.Call(t, http.MethodGet, "/_mock/outbox?kind=password-reset&to="+url.QueryEscape(email), nil, nil)
	items, _ := r.JSON["items"].([]any)
	require.NotEmpty(t, items, string(r.Raw))
	return strings.TrimPrefix(items[len(items)-1].(map[string]any)["link"].(string), m.URL)
}

// A page's form is text: a field whose name or value is not UTF-8 once unescaped, in the body or in
// the link, is refused with a 400 page saying which before the page sees it, and changes nothing. The
// reset page set such a password, which the API's login then refused as not UTF-8: the account was
// locked out.
func TestAPageRefusesAFormFieldThatIsNotUTF8(t *testing.T) {
	m := mocktest.New(t)
	p := m.Principal(t, "randaverify.org_admin")
	login := func(password string) int {
		return m.Call(t, http.MethodPost, "/randaverify/login", formHeader, []byte(url.Values{"username": {p.Username}, "password": {password}}.Encode())).Status
	}
	link := pageResetLink(t, m, p.Email)
	r := m.Call(t, http.MethodPost, link, formHeader, []byte("new_password=p%C3%A4ssword-1"))
	require.Equal(t, http.StatusOK, r.Status, "a UTF-8 password is set: %s", r.Raw)
	require.Equal(t, http.StatusOK, login("pässword-1"))

	link = pageResetLink(t, m, p.Email)
	for _, c := range []struct{ target, form, field string }{
		{link, "new_password=%ff%fe", "field new_password"},
		{link, "new_password=\xff\xfe", "field new_password"},
		{link, "new_password=ok&note=caf%E9", "field note"},
		{link, "%ff=1&new_password=ok", "the name of a field"},
		{link + "&lang=%ff", "new_password=ok", "field lang"},
	} {
		r := m.Call(t, http.MethodPost, c.target, formHeader, []byte(c.form))
		assert.Equal(t, http.StatusBadRequest, r.Status, c.form)
		assert.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"), c.form)
		assert.Contains(t, string(r.Raw), "The form or the link cannot be read: "+c.field+" is not UTF-8 text.", c.form)
	}
	assert.Equal(t, http.StatusOK, login("pässword-1"), "the password is as it was")
	r = m.Call(t, http.MethodPost, link, formHeader, []byte("new_password=p%C3%A4ssword-2"))
	assert.Equal(t, http.StatusOK, r.Status, "the link still works: %s", r.Raw)
	assert.Equal(t, http.StatusOK, login("pässword-2"))

	// eeID's link page, like every page, gets the form only once it is text.
	bearer := eeidToken(t, m)
	r = m.Call(t, http.MethodPost, "/eeid/api/ident/v1/identification_requests", bearer, []byte(`{"claims_required":[{"type":"sub","value":"EE30303039914"}]}`))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Raw))
	id, eeLink := r.JSON["id"].(string), strings.TrimPrefix(r.JSON["link"].(string), m.URL)
	r = m.Call(t, http.MethodPost, eeLink, formHeader, []byte("action=complete&identity=match%ff"))
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, string(r.Raw), "The form or the link cannot be read: field identity is not UTF-8 text.")
	r = m.Call(t, http.MethodGet, "/eeid/api/ident/v1/identification_requests/"+id, bearer, nil)
	assert.Equal(t, "pending", r.JSON["status"], "the request is as it was")
	r = m.Call(t, http.MethodPost, eeLink, formHeader, []byte("action=complete&identity=match"))
	assert.Equal(t, http.StatusOK, r.Status, "the link still works: %s", r.Raw)
	r = m.Call(t, http.MethodGet, "/eeid/api/ident/v1/identification_requests/"+id, bearer, nil)
	assert.Equal(t, "completed", r.JSON["status"])
}
