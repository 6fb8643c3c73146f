package steps

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cucumber/godog"
)

// RandaVerify's steps: the access token goes on a request as a Bearer token; principals log in with
// the OAuth2 password form and change their password; operations invite users, suspend accounts and
// fill wallets through the control API. Everything else its features say with the generic steps.
func init() {
	registerAPI(&apiSteps{
		name:      "randaverify",
		authorize: bearerAuth,
		register: func(sc *godog.ScenarioContext) {
			sc.Step(`^"([^"]*)" logs in to RandaVerify$`, func(ctx context.Context, name string) error {
				return randaVerifyLogin(ctx, name, "")
			})
			sc.Step(`^"([^"]*)" logs in to RandaVerify with the password "([^"]*)"$`, randaVerifyLogin)
			sc.Step(`^"([^"]*)" changes the RandaVerify password to "([^"]*)"$`, randaVerifyChangePassword)
			sc.Step(`^"([^"]*)" is invited to RandaVerify by operations$`, randaVerifyInvite)
			sc.Step(`^the RandaVerify account of "([^"]*)" is (suspended|reactivated)$`, randaVerifySuspend)
			sc.Step(`^the RandaVerify wallet of "([^"]*)" holds (\d+) units?$`, randaVerifyWallet)
		},
	})
}

// randaVerifyLogin posts the login form with the principal's username and its password, or the
// password given (interpolated), and keeps the token of a 200 with its lifetime from the JWT. A login
// with a given password that succeeds makes it the principal's password.
func randaVerifyLogin(ctx context.Context, name, password string) error {
	w := worldFrom(ctx)
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	if password, err = w.loginPassword(a, password); err != nil {
		return err
	}
	form := url.Values{"username": {a.Username}, "password": {password}}
	r, err := w.request(ctx, nil, http.MethodPost, "/login", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if err != nil {
		return err
	}
	w.keepToken(a, "", 0)
	if body, ok := r.body.(map[string]any); ok && r.status == http.StatusOK {
		tok, _ := body["access_token"].(string)
		w.keepToken(a, tok, jwtLifetime(tok))
		w.adoptPassword(a, password)
	}
	return nil
}

// randaVerifyChangePassword changes the principal's password from the one it has to a new one
// (interpolated); on a 200 the new one is the principal's.
func randaVerifyChangePassword(ctx context.Context, name, newPassword string) error {
	w := worldFrom(ctx)
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	if newPassword, err = w.interpolateText(newPassword); err != nil {
		return err
	}
	w.keepSecret(newPassword)
	body := fmt.Sprintf(`{"current_password": "%s", "new_password": "%s"}`, jsonEscape(a.Password), jsonEscape(newPassword))
	r, err := w.request(ctx, a, http.MethodPost, "/change-password", "application/json", []byte(body))
	if err != nil {
		return err
	}
	if r.status == http.StatusOK {
		a.Password = newPassword
	}
	return nil
}

// randaVerifyInvite has operations create a user with a one-time password (capability
// randaverify.user.invite), in the organisation of the scenario's first principal that has one, and
// introduces it as a principal without a password: the password arrives by email (the outbox).
func randaVerifyInvite(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	if err := w.need("randaverify.user.invite"); err != nil {
		return err
	}
	email := strings.ToLower(rand.Text()[:10]) + "@invited.example"
	var created struct {
		ID, Username, Email string
	}
	if err := w.controlJSON(ctx, http.MethodPost, "/randaverify/users", map[string]string{"email": email}, &created); err != nil {
		return err
	}
	w.actors[name] = &actor{name: name, Principal: Principal{Role: "randaverify.invited_user", API: "randaverify",
		Kind: KindUser, ID: created.ID, Username: created.Username, Email: created.Email}}
	return nil
}

// randaVerifySuspend suspends or reactivates the principal's account (capability
// randaverify.account.suspend).
func randaVerifySuspend(ctx context.Context, name, change string) error {
	w := worldFrom(ctx)
	if err := w.need("randaverify.account.suspend"); err != nil {
		return err
	}
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	action := map[string]string{"suspended": "suspend", "reactivated": "reactivate"}[change]
	return w.controlJSON(ctx, http.MethodPost, "/randaverify/users/"+url.PathEscape(a.ID)+"/"+action, nil, nil)
}

// randaVerifyWallet sets the balance of the principal's organisation (capability
// randaverify.wallet.set).
func randaVerifyWallet(ctx context.Context, name string, units int) error {
	w := worldFrom(ctx)
	if err := w.need("randaverify.wallet.set"); err != nil {
		return err
	}
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	org := a.Attributes["organisation_id"]
	if org == "" {
		return fmt.Errorf("%q has no organisation_id attribute", name)
	}
	return w.controlJSON(ctx, http.MethodPut, "/randaverify/organisations/"+url.PathEscape(org)+"/wallet", map[string]int{"balance": units}, nil)
}
