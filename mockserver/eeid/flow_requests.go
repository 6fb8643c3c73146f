package eeid

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
)

// requestView is an identification request as the API shows it (IdentificationRequest).
type requestView struct {
	ID                     string                   `json:"id"`
	Link                   string                   `json:"link"`
	LinkExpiresAt          string                   `json:"link_expires_at"`
	ClaimsRequired         []claim                  `json:"claims_required"`
	CompletedAt            *string                  `json:"completed_at"`
	Status                 string                   `json:"status"`
	CreatedAt              string                   `json:"created_at"`
	Result                 resultView               `json:"result"`
	ClientID               string                   `json:"client_id"`
	Reference              *string                  `json:"reference"`
	Reason                 *string                  `json:"reason"`
	ReasonTranslations     *translations            `json:"reason_translations"`
	ClaimsMatched          *bool                    `json:"claims_matched"`
	MismatchedClaims       map[string]mismatchedOne `json:"mismatched_claims"`
	ClaimsComparisonErrors []string                 `json:"claims_comparison_errors"`
}

// resultView is the result of a completed request, {} before.
type resultView struct {
	ACR                string `json:"acr,omitempty"`
	Sub                string `json:"sub,omitempty"`
	AuthTime           int64  `json:"auth_time,omitempty"`
	GivenName          string `json:"given_name,omitempty"`
	FamilyName         string `json:"family_name,omitempty"`
	DateOfBirth        string `json:"date_of_birth,omitempty"`
	ExpirationTime     int64  `json:"expiration_time,omitempty"`
	AuthenticationType string `json:"authentication_type,omitempty"`
	Country            string `json:"country,omitempty"`
	IDNumber           string `json:"id_number,omitempty"`
	DocumentNumber     string `json:"document_number,omitempty"`
}

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// view is how a request reads at now, with its link under the mock's root.
func (m *Mock) view(r *http.Request, req request, now time.Time) requestView {
	v := requestView{ID: req.ID, Link: m.link(r, req), LinkExpiresAt: timestamp(req.LinkExpiresAt), ClaimsRequired: req.Claims,
		Status: req.status(now, m.env.Broken.Has(ruleExpiry)), CreatedAt: timestamp(req.CreatedAt), ClientID: req.ClientID,
		Reference: req.Reference, Reason: req.Reason, ReasonTranslations: req.ReasonTranslations,
		ClaimsMatched: req.Comparison.Matched, MismatchedClaims: req.Comparison.Mismatched, ClaimsComparisonErrors: req.Comparison.Errors}
	if v.MismatchedClaims == nil {
		v.MismatchedClaims = map[string]mismatchedOne{}
	}
	if v.ClaimsComparisonErrors == nil {
		v.ClaimsComparisonErrors = []string{}
	}
	if req.CompletedAt != nil {
		at := timestamp(*req.CompletedAt)
		v.CompletedAt = &at
		v.Result = req.result()
		if m.env.Broken.Has(ruleResult) {
			v.Result.Sub = ""
		}
	}
	return v
}

// result is what a completed request's result says of the person who completed it.
func (req request) result() resultView {
	id := req.Identity
	v := resultView{ACR: id.ACR, Sub: id.Sub, AuthTime: req.CompletedAt.Unix(), GivenName: id.GivenName, FamilyName: id.FamilyName,
		DateOfBirth: id.DateOfBirth, AuthenticationType: id.AuthenticationType, Country: id.Country, IDNumber: id.IDNumber,
		DocumentNumber: id.DocumentNumber}
	if until, err := time.Parse(time.DateOnly, id.ValidUntil); err == nil {
		v.ExpirationTime = until.Unix()
	}
	return v
}

// link is the URL a person opens to identify themselves: the mock's identification page, named by
// the request and a secret only its link carries.
func (m *Mock) link(r *http.Request, req request) string {
	return mockapi.PageURL(r, Name, identifyPage, url.Values{"request": {req.ID}, "key": {req.LinkSecret}})
}

// createIdentificationRequest is createIdentificationRequest (POST
// /api/ident/v1/identification_requests): a pending request for the claims the service needs (EE-04:
// the schema refuses none, an empty list or an unknown type with 422), with a link that lives 7 days
// (EE-05).
func (m *Mock) createIdentificationRequest(r *http.Request) (int, any, error) {
	ctx := r.Context()
	var body struct {
		Reference          *string       `json:"reference"`
		Claims             []claim       `json:"claims_required"`
		Reason             *string       `json:"reason"`
		ReasonTranslations *translations `json:"reason_translations"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, errUndecodable
	}
	if msg := checkClaimValues(body.Claims); msg != "" {
		return 0, nil, eeError(http.StatusUnprocessableEntity, msg)
	}
	if m.env.Broken.Has(ruleSubRequired) && !slices.ContainsFunc(body.Claims, func(c claim) bool { return c.Type == "sub" && c.Value != "" }) {
		return 0, nil, errSubRequired
	}
	f, _, err := m.Section.Get(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("read fixtures: %w", err)
	}
	// Whole seconds, as the API shows them: the link expires at the second link_expires_at says.
	now := m.env.Clock.Now().Truncate(time.Second)
	s := callerOf(r)
	req := request{ID: uuid.NewString(), ClientID: s.ClientID, Reference: body.Reference, Reason: body.Reason,
		ReasonTranslations: body.ReasonTranslations, Claims: body.Claims, CreatedAt: now,
		LinkExpiresAt: now.Add(f.Settings.linkTTL()), LinkSecret: rand.Text()}
	if req.Claims == nil {
		req.Claims = []claim{}
	}
	if err := store.Create(ctx, m.env.Store, kindRequest, req.ID, req, store.OwnedBy(s.ClientID),
		store.RetainUntil(req.LinkExpiresAt.Add(m.env.Retention))); err != nil {
		return 0, nil, fmt.Errorf("store request: %w", err)
	}
	v := m.view(r, req, now)
	if m.env.Broken.Has(ruleEcho) {
		v.Reference = nil
	}
	return http.StatusCreated, v, nil
}

// checkClaimValues says what is wrong with a claim's value, if anything: a birthdate is a date
// written YYYY-MM-DD and a country an ISO 3166-1 alpha-2 code, since both are compared with, and end
// up in, what the result says of the person. An empty value is not compared and always fine.
func checkClaimValues(claims []claim) string {
	for i, c := range claims {
		switch {
		case c.Value == "":
		case c.Type == "birthdate" && !validDate(c.Value):
			return fmt.Sprintf("claims_required[%d]: a birthdate is a date written YYYY-MM-DD", i)
		case c.Type == "country" && !validCountry(c.Value):
			return fmt.Sprintf("claims_required[%d]: a country is an ISO 3166-1 alpha-2 code (EE)", i)
		}
	}
	return ""
}

// maxPageSize caps a list page.
const maxPageSize = 100

// getIdentificationRequests is getIdentificationRequests (GET /api/ident/v1/identification_requests):
// the service's own requests, a page at a time; `total` counts only its own (EE-16). Newest first,
// and the response's page is zero-based (EE-18).
func (m *Mock) getIdentificationRequests(r *http.Request) (int, any, error) {
	q := apihttp.Query(r)
	page, size := intOr(q.Get("page"), 1), min(intOr(q.Get("page_size"), 10), maxPageSize)
	owner := callerOf(r).ClientID
	if m.env.Broken.Has(ruleListOwnership) {
		owner = ""
	}
	order := store.NewestFirst
	if m.env.Broken.Has(ruleListOrder) {
		order = store.OldestFirst
	}
	reqs, total, err := store.List[request](r.Context(), m.env.Store, kindRequest, owner, order,
		store.Page{Offset: (page - 1) * size, Limit: size})
	if err != nil {
		return 0, nil, fmt.Errorf("list requests: %w", err)
	}
	now := m.env.Clock.Now()
	items := make([]requestView, len(reqs))
	for i, req := range reqs {
		items[i] = m.view(r, req, now)
	}
	return http.StatusOK, struct {
		Page     int           `json:"page"`
		PageSize int           `json:"page_size"`
		Total    int           `json:"total"`
		Items    []requestView `json:"items"`
	}{page - 1, size, total, items}, nil
}

// intOr is a query parameter the schema has checked (an integer of at least 1, however written:
// 20, 2e1), or def when it is absent; one beyond what an int holds reads as the largest, which the
// caller caps.
func intOr(v string, def int) int {
	if v == "" {
		return def
	}
	if n, err := strconv.Atoi(v); err == nil {
		return n
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 1 {
		return def
	}
	return int(min(f, math.MaxInt32))
}

// getIdentificationRequest is getIdentificationRequest (GET
// /api/ident/v1/identification_requests/{id}): the service's own request (EE-06), as it reads now
// (EE-15); any other id is 404 (EE-07, EE-17).
func (m *Mock) getIdentificationRequest(r *http.Request) (int, any, error) {
	req, ok := m.ownRequest(r)
	if !ok {
		if m.env.Broken.Has(ruleNotFound) {
			return 0, nil, errRequestLookup500
		}
		return 0, nil, errRequestNotFound
	}
	v := m.view(r, req, m.env.Clock.Now())
	if m.env.Broken.Has(ruleReadBack) {
		v.ClaimsRequired = []claim{}
	}
	return http.StatusOK, v, nil
}

// ownRequest is the request the path names, if it is the calling service's.
func (m *Mock) ownRequest(r *http.Request) (request, bool) {
	return m.requestOf(r.Context(), apihttp.PathParam(r, "id"), callerOf(r).ClientID)
}

func (m *Mock) requestOf(ctx context.Context, id, clientID string) (request, bool) {
	req, err := store.Get[request](ctx, m.env.Store, kindRequest, id)
	if err != nil || (req.ClientID != clientID && !m.env.Broken.Has(ruleIsolation)) {
		return request{}, false
	}
	return req, true
}
