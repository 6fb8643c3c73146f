package eeid

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/store"
)

// completeEeidRequest is the control API's completeEeidRequest (POST
// /_mock/eeid/identification_requests/{id}/complete): what a person does through the link, for tests.
// With no body the person matches every required claim; `identity` names who they are, in full; `sub`
// changes only the personal code of a matching person (a mismatch, EE-10).
func (m *Mock) completeEeidRequest(r *http.Request) (int, any, error) {
	ctx := r.Context()
	var body struct {
		Identity *Identity `json:"identity"`
		Sub      string    `json:"sub"`
	}
	if r.ContentLength != 0 {
		if err := apihttp.DecodeJSON(r, &body); err != nil {
			return 0, nil, errControlBody
		}
	}
	id := apihttp.PathParam(r, "id")
	req, err := store.Get[request](ctx, m.env.Store, kindRequest, id)
	if err != nil {
		return 0, nil, errNoRequest
	}
	f, _, err := m.Section.Get(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("read fixtures: %w", err)
	}
	identity := matchingIdentity(req.Claims, f.Identities)
	if body.Identity != nil {
		identity = *body.Identity
	}
	if body.Sub != "" {
		identity.Sub = body.Sub
	}
	if err := identity.check(); err != nil {
		return 0, nil, mockapi.ControlError(http.StatusBadRequest, "body", err.Error())
	}
	_, err = m.complete(ctx, id, identity)
	return moved(err)
}

// abortEeidRequest is abortEeidRequest (POST .../{id}/abort): the person cancels on the link's page;
// the request stays pending and its link keeps working.
func (m *Mock) abortEeidRequest(r *http.Request) (int, any, error) {
	req, err := store.Get[request](r.Context(), m.env.Store, kindRequest, apihttp.PathParam(r, "id"))
	switch {
	case err != nil:
		return 0, nil, errNoRequest
	case req.CompletedAt != nil:
		return 0, nil, errCompleted
	case req.status(m.env.Clock.Now(), false) == statusExpired:
		return 0, nil, errExpired
	}
	return http.StatusNoContent, nil, nil
}

// expireEeidRequest is expireEeidRequest (POST .../{id}/expire): the link expires now, as if its 7
// days had passed, without moving the clock.
func (m *Mock) expireEeidRequest(r *http.Request) (int, any, error) {
	now := m.env.Clock.Now()
	_, err := mockapi.Change(r.Context(), m.env.Store, kindRequest, apihttp.PathParam(r, "id"), errNoRequest, func(req *request) error {
		if req.CompletedAt != nil {
			return errCompleted
		}
		if now.Before(req.LinkExpiresAt) {
			req.LinkExpiresAt = now
		}
		return nil
	})
	return moved(err)
}

// moved answers a control operation that has moved a request: 204, or why it could not
// (errNoRequest, errCompleted, errExpired, each its own answer), or a bug.
func moved(err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// webhookPath is what every webhook URL's path must contain (the vendor's rule).
const webhookPath = "eeid/webhooks/identification_requests"

// checkWebhookURL accepts an absolute http(s) URL whose path contains webhookPath: no credentials in
// it (the delivery log shows the URL), a port that is one, no blanks or control characters, and no
// dot segments that would take the path somewhere else on the receiver.
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "":
		return errors.New("the webhook URL must be an absolute http:// or https:// URL")
	case u.User != nil:
		return errors.New("the webhook URL must not carry credentials")
	case strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return errors.New("the webhook URL must not hold blanks or control characters")
	case !validPort(u.Port()):
		return errors.New("the webhook URL's port must be 1 to 65535")
	case slices.Contains(strings.Split(u.Path, "/"), "..") || slices.Contains(strings.Split(u.Path, "/"), "."):
		return errors.New("the webhook URL's path must not hold . or .. segments")
	case !strings.Contains(u.Path, webhookPath):
		return errors.New("the webhook URL's path must contain " + webhookPath)
	}
	return nil
}

// validPort reports whether a URL's port is absent or 1 to 65535.
func validPort(p string) bool {
	if p == "" {
		return true
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// setEeidWebhook is setEeidWebhook (PUT /_mock/eeid/services/{client_id}/webhook): where a service's
// completions are sent, as set in the eeID manager; an empty url sends none.
func (m *Mock) setEeidWebhook(r *http.Request) (int, any, error) {
	var body struct {
		URL string `json:"url"`
	}
	if err := apihttp.DecodeJSON(r, &body); err != nil {
		return 0, nil, errWebhookURLMissing
	}
	if body.URL != "" {
		if err := checkWebhookURL(body.URL); err != nil {
			return 0, nil, mockapi.ControlError(http.StatusBadRequest, "body", err.Error())
		}
	}
	if _, err := mockapi.Change(r.Context(), m.env.Store, kindService, apihttp.PathParam(r, "client_id"), errNoService, func(s *service) error {
		s.WebhookURL = body.URL
		return nil
	}); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
