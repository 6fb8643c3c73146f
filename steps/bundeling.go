package steps

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/cucumber/godog"
)

// Bundeling's steps: an API key goes on every request, and a key that needs user authentication adds
// its login's BundelingAuth token; keys log users in; the app renders links and mints tokens, and a
// manager creates users and sets external references, through the control API. Everything else its
// features say with the generic steps.
func init() {
	registerAPI(&apiSteps{
		name:      "bundeling",
		authorize: bundelingAuth,
		register: func(sc *godog.ScenarioContext) {
			sc.Step(`^a Bundeling link for "([^"]*)" is rendered from "([^"]*)" and saved as "([^"]*)"$`, bundelingLink)
			sc.Step(`^a Bundeling token for "([^"]*)" is saved as "([^"]*)"$`, bundelingToken)
			sc.Step(`^"([^"]*)" logs in to Bundeling as "([^"]*)"$`, func(ctx context.Context, key, name string) error {
				return bundelingLogin(ctx, key, name, "")
			})
			sc.Step(`^"([^"]*)" logs in to Bundeling as "([^"]*)" with a wrong password$`, func(ctx context.Context, key, name string) error {
				return bundelingLogin(ctx, key, name, "-wrong")
			})
			sc.Step(`^the external reference of "([^"]*)" is set to "([^"]*)"$`, bundelingExternalReference)
			sc.Step(`^(\d+) Bundeling users are created in the environment of "([^"]*)"$`, bundelingUsers)
		},
	})
}

// bundelingAuth puts a key's Api-Key on a request, and its login's token as BundelingAuth once it has
// logged a user in; a user is no key.
func bundelingAuth(req *http.Request, a *actor) error {
	if a.Kind == KindUser {
		return fmt.Errorf("%q is a user, not a key: a key sends Bundeling's requests", a.name)
	}
	if err := apiKeyAuth("Api-Key", "api_key")(req, a); err != nil {
		return err
	}
	if a.token != "" {
		req.Header.Set("Authorization", "BundelingAuth "+a.token)
	}
	return nil
}

// bundelingLink renders an AppCMS link for a user with a fresh token in place of {{useridentity}}
// (capability bundeling.link.render), as Bundeling does when the user opens the app.
func bundelingLink(ctx context.Context, name, template, saveAs string) error {
	w := worldFrom(ctx)
	if err := w.need("bundeling.link.render"); err != nil {
		return err
	}
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	var out struct {
		Link, Token string
	}
	if err := w.controlJSON(ctx, http.MethodPost, "/bundeling/links", map[string]string{"template": template, "user_uuid": a.ID}, &out); err != nil {
		return err
	}
	w.keepSecret(out.Token)
	w.vars[saveAs] = out.Link
	return nil
}

// bundelingToken mints a user-identity token for a user (capability bundeling.token.mint).
func bundelingToken(ctx context.Context, name, saveAs string) error {
	w := worldFrom(ctx)
	if err := w.need("bundeling.token.mint"); err != nil {
		return err
	}
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	var out struct{ Token string }
	if err := w.controlJSON(ctx, http.MethodPost, "/bundeling/users/"+url.PathEscape(a.ID)+"/tokens", nil, &out); err != nil {
		return err
	}
	w.keepSecret(out.Token)
	w.vars[saveAs] = out.Token
	return nil
}

// bundelingLogin logs a user in with a key (POST /V2/login), with the user's password and a suffix
// (a wrong one): the key keeps the token of a 200, and has none after any other answer.
func bundelingLogin(ctx context.Context, keyName, userName, suffix string) error {
	w := worldFrom(ctx)
	key, err := w.actor(keyName)
	if err != nil {
		return err
	}
	u, err := w.actor(userName)
	if err != nil {
		return err
	}
	body := fmt.Sprintf(`{"username": "%s", "password": "%s"}`, jsonEscape(u.Username), jsonEscape(u.Password+suffix))
	w.keepToken(key, "", 0) // the login is made with the key alone
	r, err := w.request(ctx, key, http.MethodPost, "/V2/login", "application/json", []byte(body))
	if err != nil {
		return err
	}
	if fields, ok := r.body.(map[string]any); ok && r.status == http.StatusOK {
		tok, _ := fields["token"].(string)
		w.keepToken(key, tok, 0)
	}
	return nil
}

// bundelingExternalReference sets a user's external reference, as the third party or a manager would
// (capability bundeling.external_reference.set).
func bundelingExternalReference(ctx context.Context, name, reference string) error {
	w := worldFrom(ctx)
	if err := w.need("bundeling.external_reference.set"); err != nil {
		return err
	}
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	if reference, err = w.interpolateText(reference); err != nil {
		return err
	}
	path := "/bundeling/users/" + url.PathEscape(a.ID) + "/external_reference"
	if err := w.controlJSON(ctx, http.MethodPut, path, map[string]string{"external_reference": reference}, nil); err != nil {
		return err
	}
	if a.Attributes == nil {
		a.Attributes = map[string]string{}
	}
	a.Attributes["external_reference"] = reference
	return nil
}

// bundelingUsers creates users in the environment of a principal (capability
// bundeling.account.create).
func bundelingUsers(ctx context.Context, n int, name string) error {
	w := worldFrom(ctx)
	if err := w.need("bundeling.account.create"); err != nil {
		return err
	}
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	env := a.Attributes["environment"]
	if env == "" {
		return fmt.Errorf("%q has no environment attribute", name)
	}
	for range n {
		if err := w.controlJSON(ctx, http.MethodPost, "/bundeling/users", map[string]string{"environment": env}, nil); err != nil {
			return err
		}
	}
	return nil
}
