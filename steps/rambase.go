package steps

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/cucumber/godog"
)

// RamBase's steps: an access token goes on a request as a Bearer token, and principals log in
// through the token endpoint's form. Everything else its features say with the generic steps.
func init() {
	registerAPI(&apiSteps{
		name:      "rambase",
		authorize: bearerAuth,
		register: func(sc *godog.ScenarioContext) {
			sc.Step(`^"([^"]*)" logs in to RamBase with client credentials$`, func(ctx context.Context, name string) error {
				return ramBaseLogin(ctx, name, "client_credentials", nil)
			})
			sc.Step(`^"([^"]*)" logs in to RamBase with client credentials for its (customer|supplier)$`, ramBaseBoundLogin)
			sc.Step(`^"([^"]*)" logs in to RamBase with a wrong client secret$`, func(ctx context.Context, name string) error {
				return ramBaseLogin(ctx, name, "client_credentials", url.Values{"client_secret": {"${" + name + ".client_secret}-wrong"}})
			})
			sc.Step(`^"([^"]*)" logs in to RamBase with a password$`, func(ctx context.Context, name string) error {
				return ramBaseLogin(ctx, name, "password", nil)
			})
			sc.Step(`^"([^"]*)" logs in to RamBase with the one-time password "([^"]*)"$`, func(ctx context.Context, name, otp string) error {
				return ramBaseLogin(ctx, name, "password", url.Values{"otp": {otp}})
			})
			sc.Step(`^the RamBase session of "([^"]*)" is ended$`, ramBaseEndSession)
		},
	})
}

// ramBaseLogin posts the token form for a principal (client credentials, or its username and
// password through its client) with extra fields, whose values are interpolated, and keeps the
// access token of a 200.
func ramBaseLogin(ctx context.Context, name, grant string, extra url.Values) error {
	w := worldFrom(ctx)
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	form := url.Values{"grant_type": {grant}, "client_id": {a.ClientID}, "client_secret": {a.ClientSecret}}
	if grant == "password" {
		form.Set("username", a.Username)
		form.Set("password", a.Password)
	}
	for k, vs := range extra {
		v, err := w.interpolateText(vs[0])
		if err != nil {
			return err
		}
		form.Set(k, v)
	}
	r, err := w.request(ctx, nil, http.MethodPost, "/oauth2/access_token", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if err != nil {
		return err
	}
	w.keepToken(a, "", 0)
	if body, ok := r.body.(map[string]any); ok && r.status == http.StatusOK {
		tok, _ := body["access_token"].(string)
		expiresIn, _ := body["expires_in"].(float64)
		w.keepToken(a, tok, int(expiresIn))
	}
	return nil
}

// ramBaseBoundLogin logs an API client in for the customer or supplier its principal may act for.
func ramBaseBoundLogin(ctx context.Context, name, party string) error {
	return ramBaseLogin(ctx, name, "client_credentials", url.Values{party + "id": {"${" + name + "." + party + "_id}"}})
}

// ramBaseEndSession ends a principal's session as a logout would (capability rambase.session.end).
func ramBaseEndSession(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	if err := w.need("rambase.session.end"); err != nil {
		return err
	}
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	if a.token == "" {
		return fmt.Errorf("%q has no session to end: log in first", name)
	}
	return w.controlJSON(ctx, http.MethodPost, "/rambase/sessions/end", map[string]string{"access_token": a.token}, nil)
}
