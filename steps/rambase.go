package steps

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
)

// registerRamBaseSteps adds the steps of features/rambase.
func registerRamBaseSteps(sc *godog.ScenarioContext) {
	sc.Step(`^"([^"]*)" logs in to RamBase with client credentials$`, func(ctx context.Context, name string) error {
		return ramBaseClientLogin(ctx, name, nil, false)
	})
	sc.Step(`^"([^"]*)" logs in to RamBase with client credentials for its (customer|supplier)$`, ramBaseBoundLogin)
	sc.Step(`^"([^"]*)" logs in to RamBase with a wrong client secret$`, func(ctx context.Context, name string) error {
		return ramBaseClientLogin(ctx, name, nil, true)
	})
	sc.Step(`^"([^"]*)" logs in to RamBase with a password$`, func(ctx context.Context, name string) error {
		return ramBasePasswordLogin(ctx, name, "")
	})
	sc.Step(`^"([^"]*)" logs in to RamBase with the one-time password from the outbox$`, ramBaseOTPLogin)
	sc.Step(`^"([^"]*)" reads the current RamBase session$`, ramBaseReadSession)
	sc.Step(`^the current RamBase session is read without an access token$`, func(ctx context.Context) error {
		_, err := ramBaseDo(ctx, http.MethodGet, "/system/sessions/current", "")
		return err
	})
	sc.Step(`^the session matches the login of "([^"]*)"$`, ramBaseSessionMatches)
	sc.Step(`^"([^"]*)" asks RamBase for an ID verification token$`, ramBaseAskToken)
	sc.Step(`^"([^"]*)" verifies the ID verification token of "([^"]*)"$`, ramBaseVerifyOf)
	sc.Step(`^"([^"]*)" verifies the ID verification token "([^"]*)"$`, ramBaseVerifyLiteral)
	sc.Step(`^the ID verification token of "([^"]*)" is verified without an access token$`, ramBaseVerifyAnonymously)
	sc.Step(`^the RamBase session of "([^"]*)" is ended$`, ramBaseEndSession)
	sc.Step(`^the access token of "([^"]*)" has (\d+) seconds? left$`, ramBaseTokenHasLeft)
	sc.Step(`^the access token of "([^"]*)" expires$`, func(ctx context.Context, name string) error {
		return ramBaseTokenHasLeft(ctx, name, 0)
	})
	sc.Step(`^the verified user is the session user of "([^"]*)"$`, ramBaseVerifiedUser)
	sc.Step(`^the verified (customer|supplier) is the (?:customer|supplier) of "([^"]*)"$`, ramBaseVerifiedParty)
	sc.Step(`^the verification names no customer and no supplier$`, ramBaseNoParties)
	sc.Step(`^"([^"]*)" opens the link in "([^"]*)"$`, ramBaseOpenLink)
	sc.Step(`^the response field "([^"]*)" is the user id of "([^"]*)"$`, ramBaseFieldIsUserID)
	sc.Step(`^the response is a RamBase error$`, ramBaseIsError)
	sc.Step(`^"([^"]*)" sends "([A-Z]+) ([^"]*)" to RamBase$`, ramBaseSendAs)
	sc.Step(`^a RamBase client sends "([A-Z]+) ([^"]*)"$`, func(ctx context.Context, method, path string) error {
		_, err := ramBaseDo(ctx, method, path, "")
		return err
	})
	sc.Step(`^a RamBase client sends "POST ([^"]*)" with a JSON body$`, func(ctx context.Context, path string) error {
		req, err := http.NewRequest(http.MethodPost, worldFrom(ctx).ep.BaseURL+path, strings.NewReader(`{"grant_type":"client_credentials"}`))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		_, err = worldFrom(ctx).send(ctx, "rambase", req)
		return err
	})
}

// ramBaseLogin posts the token form and keeps the access token on success.
func ramBaseLogin(ctx context.Context, a *actor, form url.Values) error {
	w := worldFrom(ctx)
	req, err := http.NewRequest(http.MethodPost, w.ep.BaseURL+"/oauth2/access_token", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r, err := w.send(ctx, "rambase", req)
	if err != nil {
		return err
	}
	a.accessToken, a.expiresIn = "", 0
	if body, ok := r.body.(map[string]any); ok && r.status == http.StatusOK {
		a.accessToken, _ = body["access_token"].(string)
		if n, ok := body["expires_in"].(float64); ok {
			a.expiresIn = int(n)
		}
	}
	return nil
}

func clientForm(a *actor) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {a.ClientID}, "client_secret": {a.ClientSecret}}
}

func ramBaseClientLogin(ctx context.Context, name string, extra url.Values, wrongSecret bool) error {
	a, err := worldFrom(ctx).actor(name)
	if err != nil {
		return err
	}
	form := clientForm(a)
	if wrongSecret {
		form.Set("client_secret", a.ClientSecret+"-wrong")
	}
	for k, v := range extra {
		form[k] = v
	}
	return ramBaseLogin(ctx, a, form)
}

func ramBaseBoundLogin(ctx context.Context, name, party string) error {
	a, err := worldFrom(ctx).actor(name)
	if err != nil {
		return err
	}
	id := a.CustomerID
	if party == "supplier" {
		id = a.SupplierID
	}
	if id == 0 {
		return fmt.Errorf("principal %q has no %s id", name, party)
	}
	return ramBaseClientLogin(ctx, name, url.Values{party + "id": {strconv.FormatInt(id, 10)}}, false)
}

func ramBasePasswordLogin(ctx context.Context, name, otp string) error {
	a, err := worldFrom(ctx).actor(name)
	if err != nil {
		return err
	}
	form := clientForm(a)
	form.Set("grant_type", "password")
	form.Set("username", a.Username)
	form.Set("password", a.Password)
	if otp != "" {
		form.Set("otp", otp)
	}
	return ramBaseLogin(ctx, a, form)
}

// ramBaseOTPLogin reads the newest one-time password mailed to the user (capability outbox).
func ramBaseOTPLogin(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	if err := w.need("outbox"); err != nil {
		return err
	}
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	to := a.Email
	if to == "" {
		to = a.Username
	}
	var box struct {
		Items []struct{ Code string } `json:"items"`
	}
	if _, err := w.controlJSON(ctx, http.MethodGet, "/outbox?kind=otp&to="+url.QueryEscape(to), nil, &box); err != nil {
		return err
	}
	if len(box.Items) == 0 || box.Items[len(box.Items)-1].Code == "" {
		return fmt.Errorf("no one-time password was mailed to %s", to)
	}
	return ramBasePasswordLogin(ctx, name, box.Items[len(box.Items)-1].Code)
}

// loggedIn returns a named actor with its access token, or says why it has none.
func loggedIn(ctx context.Context, name string) (*actor, string, error) {
	a, err := worldFrom(ctx).actor(name)
	if err != nil {
		return nil, "", err
	}
	tok, err := a.token()
	return a, tok, err
}

// token returns the actor's access token, or says why there is none.
func (a *actor) token() (string, error) {
	if a.accessToken == "" {
		return "", fmt.Errorf("%q has no access token: log in first (the login may have failed)", a.name)
	}
	return a.accessToken, nil
}

// ramBaseDo sends a request without a body to a path of the API or to an absolute URL (a link the
// API handed out), with the access token when one is given.
func ramBaseDo(ctx context.Context, method, target, accessToken string) (*response, error) {
	w := worldFrom(ctx)
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		target = w.ep.BaseURL + target
	}
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		return nil, err
	}
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	return w.send(ctx, "rambase", req)
}

// requestAs sends a request as a named actor, with its access token.
func requestAs(ctx context.Context, name, method, target string) (*actor, *response, error) {
	a, tok, err := loggedIn(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	r, err := ramBaseDo(ctx, method, target, tok)
	return a, r, err
}

func ramBaseReadSession(ctx context.Context, name string) error {
	a, r, err := requestAs(ctx, name, http.MethodGet, "/system/sessions/current")
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("reading the session of %q answered %d: %s", name, r.status, trim(r.raw))
	}
	a.session, _ = r.body.(map[string]any)["session"].(map[string]any)
	a.idvToken, _ = a.session["idVerificationToken"].(string)
	return nil
}

func ramBaseSessionMatches(ctx context.Context, name string) error {
	a, err := worldFrom(ctx).actor(name)
	if err != nil {
		return err
	}
	s := a.session
	checks := []struct {
		field string
		ok    bool
	}{
		{"pid", s["pid"] == float64(a.UserID)},
		{"apiClientId", s["apiClientId"] == a.ClientID},
		{"ramBaseName", s["ramBaseName"] != nil && s["ramBaseName"] != ""},
		{"database", s["database"] != nil && s["database"] != ""},
	}
	for _, c := range checks {
		if !c.ok {
			return fmt.Errorf("session.%s does not match the login of %q (user %d, client %s): %v", c.field, name, a.UserID, a.ClientID, s)
		}
	}
	return nil
}

func ramBaseAskToken(ctx context.Context, name string) error {
	a, r, err := requestAs(ctx, name, http.MethodGet, "/id-verification-token")
	if err != nil {
		return err
	}
	if body, ok := r.body.(map[string]any); ok && r.status == http.StatusOK {
		a.idvToken, _ = body["idVerificationToken"].(string)
	}
	return nil
}

func verify(ctx context.Context, idvToken, accessToken string) error {
	_, err := ramBaseDo(ctx, http.MethodGet, "/id-verification?id_verification_token="+url.QueryEscape(idvToken), accessToken)
	return err
}

func ramBaseVerifyOf(ctx context.Context, verifier, subject string) error {
	s, err := worldFrom(ctx).actor(subject)
	if err != nil {
		return err
	}
	if s.idvToken == "" {
		return fmt.Errorf("%q has no ID verification token: read its session first", subject)
	}
	return ramBaseVerifyLiteral(ctx, verifier, s.idvToken)
}

func ramBaseVerifyLiteral(ctx context.Context, verifier, idvToken string) error {
	_, tok, err := loggedIn(ctx, verifier)
	if err != nil {
		return err
	}
	return verify(ctx, idvToken, tok)
}

func ramBaseVerifyAnonymously(ctx context.Context, subject string) error {
	s, err := worldFrom(ctx).actor(subject)
	if err != nil {
		return err
	}
	return verify(ctx, s.idvToken, "")
}

// ramBaseEndSession ends the session as a logout would (capability rambase.session.end).
func ramBaseEndSession(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	if err := w.need("rambase.session.end"); err != nil {
		return err
	}
	_, tok, err := loggedIn(ctx, name)
	if err != nil {
		return err
	}
	_, err = w.controlJSON(ctx, http.MethodPost, "/rambase/sessions/end", map[string]string{"access_token": tok}, nil)
	return err
}

// ramBaseTokenHasLeft moves the clock to `left` seconds before the access token's expiry, counted
// from the login with the expires_in the login returned, so it holds whatever TTL the target uses.
func ramBaseTokenHasLeft(ctx context.Context, name string, left int) error {
	a, err := worldFrom(ctx).actor(name)
	if err != nil {
		return err
	}
	if a.expiresIn == 0 {
		return fmt.Errorf("%q has no live login with an expires_in", name)
	}
	return advance(ctx, time.Duration(a.expiresIn-left)*time.Second)
}

func ramBaseVerifiedUser(ctx context.Context, name string) error {
	a, err := worldFrom(ctx).actor(name)
	if err != nil {
		return err
	}
	userID, err := mustField(ctx, "idVerification.user.userId")
	if err != nil {
		return err
	}
	system, err := mustField(ctx, "idVerification.ramBaseSystem.name")
	if err != nil {
		return err
	}
	if userID != a.session["pid"] || system != a.session["ramBaseName"] {
		return fmt.Errorf("verified user %v on %v, but the session of %q has pid %v on %v",
			userID, system, name, a.session["pid"], a.session["ramBaseName"])
	}
	return nil
}

func ramBaseVerifiedParty(ctx context.Context, party, name string) error {
	a, err := worldFrom(ctx).actor(name)
	if err != nil {
		return err
	}
	want, other := a.CustomerID, "supplier"
	if party == "supplier" {
		want, other = a.SupplierID, "customer"
	}
	id, err := mustField(ctx, "idVerification."+party+"."+party+"Id")
	if err != nil {
		return err
	}
	if id != float64(want) {
		return fmt.Errorf("expected %sId %d, got %v", party, want, id)
	}
	if link, _, _ := worldFrom(ctx).field("idVerification." + party + "." + party + "Link"); link == nil || link == "" {
		return fmt.Errorf("expected a %sLink", party)
	}
	for _, f := range []string{other + "Id", other + "Link"} {
		if v, _, _ := worldFrom(ctx).field("idVerification." + other + "." + f); v != nil {
			return fmt.Errorf("expected %s.%s to be null, got %v", other, f, v)
		}
	}
	return nil
}

func ramBaseNoParties(ctx context.Context) error {
	for _, f := range []string{"customer.customerId", "customer.customerLink", "supplier.supplierId", "supplier.supplierLink"} {
		v, ok, err := worldFrom(ctx).field("idVerification." + f)
		if err != nil {
			return err
		}
		if !ok || v != nil {
			return fmt.Errorf("expected idVerification.%s to be null, got %v", f, v)
		}
	}
	return nil
}

func ramBaseOpenLink(ctx context.Context, name, path string) error {
	link, err := mustField(ctx, path)
	if err != nil {
		return err
	}
	s, ok := link.(string)
	if !ok || s == "" {
		return fmt.Errorf("%s is not a link: %v", path, link)
	}
	_, _, err = requestAs(ctx, name, http.MethodGet, s)
	return err
}

func ramBaseFieldIsUserID(ctx context.Context, path, name string) error {
	a, err := worldFrom(ctx).actor(name)
	if err != nil {
		return err
	}
	return fieldIsNumber(ctx, path, strconv.FormatInt(a.UserID, 10))
}

// ramBaseIsError checks RamBase's error body: httpStatusCode equal to the status, and a message (RB-13).
func ramBaseIsError(ctx context.Context) error {
	r, err := lastStatus(ctx)
	if err != nil {
		return err
	}
	code, err := mustField(ctx, "httpStatusCode")
	if err != nil {
		return err
	}
	if code != float64(r.status) {
		return fmt.Errorf("httpStatusCode is %v but the status is %d", code, r.status)
	}
	return fieldIsNotEmpty(ctx, "message")
}

func ramBaseSendAs(ctx context.Context, name, method, path string) error {
	_, _, err := requestAs(ctx, name, method, path)
	return err
}
