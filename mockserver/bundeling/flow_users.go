package bundeling

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/store"
)

// userBody is a V2 user as the vendor describes it, in the order of its fields there.
type userBody struct {
	UUID              string   `json:"uuid"`
	CustomerUUID      string   `json:"customer_uuid"`
	Username          string   `json:"username"`
	Firstname         string   `json:"firstname"`
	Surname           string   `json:"surname"`
	Name              string   `json:"name"`
	Gender            string   `json:"gender"`
	Function          string   `json:"function"`
	Birthday          string   `json:"birthday"`
	Email             string   `json:"email"`
	Telephone         string   `json:"telephone"`
	Mobilephone       string   `json:"mobilephone"`
	AdditionalInfo    string   `json:"additional_info"`
	Facebook          string   `json:"facebook"`
	Twitter           string   `json:"twitter"`
	Linkedin          string   `json:"linkedin"`
	Picture           string   `json:"picture"`
	Notes             string   `json:"notes"`
	ExternalReference string   `json:"external_reference"`
	Hidden            bool     `json:"hidden"`
	Deactivated       bool     `json:"deactivated"`
	Labels            []string `json:"labels,omitzero"` // nil: absent, for a key that needs user authentication
	// Metadata is never nil: an object, empty or not.
	Metadata     map[string]string `json:"metadata"`
	CreationDate string            `json:"creationdate"`
	LastUpdate   string            `json:"lastupdate"`
}

// name is the user's whole name, as the vendor writes it beside its parts.
func (u user) name() string { return strings.TrimSpace(u.Firstname + " " + u.Surname) }

// body is the user as a key sees it: labels only for a key without user authentication (BU-09).
func (m *Mock) body(u user, k apiKey) userBody {
	b := userBody{UUID: u.UUID, CustomerUUID: u.Environment, Username: u.Username, Firstname: u.Firstname, Surname: u.Surname,
		Name: u.name(), Gender: u.Gender, Function: u.Function, Birthday: u.Birthday,
		Email: u.Email, Telephone: u.Telephone, Mobilephone: u.Mobilephone, ExternalReference: u.ExternalReference,
		Hidden: u.Hidden, Deactivated: u.Deactivated, Metadata: u.Metadata, CreationDate: u.CreationDate, LastUpdate: u.LastUpdate}
	if b.Metadata == nil {
		b.Metadata = map[string]string{}
	}
	if !k.UserAuthentication || m.env.Broken.Has(ruleLabels) {
		b.Labels = append([]string{}, u.Labels...)
	}
	if m.env.Broken.Has(ruleExternalRef) {
		b.ExternalReference = ""
	}
	return b
}

// getUser is getUser (GET /V2/users/{uuid}): a user of the key's environment, with the external
// reference the third party keys on (BU-06); any other uuid, whatever its form, is 404 (BU-07).
func (m *Mock) getUser(r *http.Request) (int, any, error) {
	c := callerOf(r)
	u, err := store.Get[user](r.Context(), m.env.Store, kindUser, apihttp.PathParam(r, "uuid"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return 0, nil, errNoSuchUser
	case err != nil:
		return 0, nil, fmt.Errorf("get user: %w", err)
	case u.Environment != c.key.Environment && !m.env.Broken.Has(ruleUnknownUser):
		return 0, nil, errNoSuchUser
	}
	b := m.body(u, c.key)
	if m.env.Broken.Has(ruleSameInXML) && apihttp.AnswersXML(r) {
		b.ExternalReference = ""
	}
	return http.StatusOK, m.negotiated(b), nil
}

// userList is listUsers' 200 body.
type userList struct {
	Data       []userBody `json:"data"` // never nil: a page past the end is []
	Pagination pagination `json:"pagination"`
}

type pagination struct {
	Total       int `json:"total"`
	PerPage     int `json:"per_page"`
	CurrentPage int `json:"current_page"`
	TotalPages  int `json:"total_pages"`
}

// Page size: the vendor's example's, and our bound is the spec's.
const (
	defaultPageSize = 100
	brokenPageSize  = 10 // BU-16 broken
)

// listUsers is listUsers (GET /V2/users): a page of the users of the key's environment, oldest first
// (BU-11, BU-16); a key that needs user authentication may not list them (BU-14).
func (m *Mock) listUsers(r *http.Request) (int, any, error) {
	c := callerOf(r)
	if c.key.UserAuthentication && !m.env.Broken.Has(ruleUserAuth) {
		return 0, nil, errKeyKind
	}
	q := apihttp.Query(r)
	page, size := intParam(q.Get("page"), 1), intParam(q.Get("page_size"), defaultPageSize)
	if q.Get("page_size") == "" && m.env.Broken.Has(rulePageSizeDefault) {
		size = brokenPageSize
	}
	offset := (page - 1) * size
	if m.env.Broken.Has(rulePages) {
		offset = page * size
	}
	users, total, err := store.List[user](r.Context(), m.env.Store, kindUser, c.key.Environment, store.OldestFirst, store.Page{Offset: offset, Limit: size})
	if err != nil {
		return 0, nil, fmt.Errorf("list users: %w", err)
	}
	list := userList{Data: make([]userBody, len(users)),
		Pagination: pagination{Total: total, PerPage: size, CurrentPage: page, TotalPages: (total + size - 1) / size}}
	for i, u := range users {
		list.Data[i] = m.body(u, c.key)
	}
	return http.StatusOK, m.negotiated(list), nil
}

// intParam is a query parameter validation has held to an integer in its bounds, or def when absent.
func intParam(v string, def int) int {
	if n, err := strconv.Atoi(v); err == nil {
		return n
	}
	return def
}
