package steps

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
)

// Rampable's steps: a new user registers itself; a principal logs in for a verification token, which
// it keeps as its attribute verification_token, and verifies with the emailed code for an access
// token, which goes on a request as a Bearer token (the vendor's other /v1 routes take it). A test
// fixes the next code mailed through the control API. Everything else its features say with the
// generic steps.
func init() {
	registerAPI(&apiSteps{
		name:      "rampable",
		authorize: bearerAuth,
		register: func(sc *godog.ScenarioContext) {
			sc.Step(`^"([^"]*)" is a new Rampable user$`, rampableNewUser)
			sc.Step(`^"([^"]*)" registers with Rampable$`, rampableRegister)
			sc.Step(`^"([^"]*)" logs in to Rampable$`, func(ctx context.Context, name string) error {
				return rampableLogin(ctx, name, "")
			})
			sc.Step(`^"([^"]*)" logs in to Rampable with the password "([^"]*)"$`, rampableLogin)
			sc.Step(`^"([^"]*)" verifies the Rampable login with the code "([^"]*)"$`, func(ctx context.Context, name, code string) error {
				return rampableVerify(ctx, name, code, "")
			})
			sc.Step(`^"([^"]*)" verifies the Rampable login with the code "([^"]*)" and isDisableExpire (true|false)$`, rampableVerify)
			sc.Step(`^"([^"]*)" sends (\d+) wrong Rampable codes?, none of them "([^"]*)"$`, rampableWrongCodes)
			sc.Step(`^the Rampable verification token of "([^"]*)" is (\d+) seconds? old$`, rampableTokenAge)
			sc.Step(`^the next Rampable code mailed to "([^"]*)" is "([^"]*)"$`, rampableNextCode)
		},
	})
}

// attrVerificationToken is the attribute a principal keeps its current verification token in, so
// features read it as ${ada.verification_token}.
const attrVerificationToken = "verification_token"

// rampableNewUser introduces a principal that has no account yet, without the control API: a fresh
// email under a reserved example domain, a random password and a full name. Nothing is sent.
func rampableNewUser(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	suffix := strings.ToLower(rand.Text()[:12])
	p := Principal{Role: "rampable.new_user", API: "rampable", Kind: KindUser, Email: name + "-" + suffix + "@new-user.example",
		Password: rand.Text(), Attributes: map[string]string{"full_name": strings.ToUpper(name[:1]) + name[1:] + " Example"}}
	w.keepSecret(p.Password)
	w.actors[name] = &actor{name: name, Principal: p}
	return nil
}

// rampableRegister registers the principal with its email, password and full name, and keeps the
// verification token of a 200; on anything else it keeps the one it had.
func rampableRegister(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	body := map[string]string{"email": a.Email, "password": a.Password, "fullName": a.Attributes["full_name"]}
	r, err := rampablePost(ctx, "/v1/auth/register", body)
	if err != nil {
		return err
	}
	rampableKeepVerification(w, a, r)
	return nil
}

// rampableLogin logs the principal in with its password, or the one given (interpolated), and keeps
// the verification token of a 200, which then makes the password given the principal's; on anything
// else the principal keeps the verification token it had (a refused login supersedes nothing).
func rampableLogin(ctx context.Context, name, password string) error {
	w := worldFrom(ctx)
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	if password, err = w.loginPassword(a, password); err != nil {
		return err
	}
	r, err := rampablePost(ctx, "/v1/auth/login", map[string]string{"email": a.Email, "password": password})
	if err != nil {
		return err
	}
	if rampableKeepVerification(w, a, r) {
		w.adoptPassword(a, password)
	}
	return nil
}

// rampableKeepVerification keeps the verification token of a 200 as the principal's, and when it
// was received, and reports whether there was one.
func rampableKeepVerification(w *World, a *actor, r *response) bool {
	body, ok := r.body.(map[string]any)
	if !ok || r.status != http.StatusOK {
		return false
	}
	data, _ := body["data"].(map[string]any)
	tok, _ := data["verificationToken"].(string)
	if tok == "" {
		return false
	}
	w.keepAttribute(a, attrVerificationToken, tok)
	return true
}

// rampableVerify verifies the principal's verification token with a code (interpolated), with
// isDisableExpire when disableExpire is "true" or "false", and keeps the access token of a 200 with
// its lifetime (0 without exp).
func rampableVerify(ctx context.Context, name, code, disableExpire string) error {
	w := worldFrom(ctx)
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	tok := a.Attributes[attrVerificationToken]
	if tok == "" {
		return fmt.Errorf("%q has no verification token: it must register or log in first (the call may have failed)", name)
	}
	if code, err = w.interpolateText(code); err != nil {
		return err
	}
	body := map[string]any{"verificationToken": tok, "otp": code}
	if disableExpire != "" {
		body["isDisableExpire"] = disableExpire == "true"
	}
	r, err := rampablePost(ctx, "/v1/auth/verify-login", body)
	if err != nil {
		return err
	}
	if m, ok := r.body.(map[string]any); ok && r.status == http.StatusOK {
		data, _ := m["data"].(map[string]any)
		access, _ := data["accessToken"].(string)
		w.keepToken(a, access, jwtLifetime(access))
	}
	return nil
}

// rampableWrongCodes sends n verify-login requests with the principal's verification token and n
// distinct 6-digit codes, none the right one (interpolated): the right code plus 1, 2, ... modulo
// 10^6. Each must be refused with a 4xx; the last answer is the response later steps read.
func rampableWrongCodes(ctx context.Context, name string, n int, right string) error {
	w := worldFrom(ctx)
	right, err := w.interpolateText(right)
	if err != nil {
		return err
	}
	code, err := strconv.Atoi(right)
	if err != nil || len(right) != 6 {
		return fmt.Errorf("the right code is not 6 digits, so wrong ones cannot be made from it")
	}
	for i := 1; i <= n; i++ {
		wrong := fmt.Sprintf("%06d", (code+i)%1_000_000)
		w.keepSecret(wrong)
		if err := rampableVerify(ctx, name, wrong, ""); err != nil {
			return err
		}
		if s := w.last.status; s < 400 || s > 499 {
			return fmt.Errorf("wrong code %d of %d: expected a 4xx, got %d: %s", i, n, s, excerpt(w.last.raw))
		}
	}
	return nil
}

// rampableTokenAge moves the target's clock (capability clock.advance) to the principal's
// verification token's iat plus age seconds, read on the target's clock, so that 599, 600 and 601
// land on 9:59, 10:00 and 10:01 whatever time the steps took. A token without iat is counted from
// when it was received.
func rampableTokenAge(ctx context.Context, name string, age int) error {
	w := worldFrom(ctx)
	if err := w.need("clock.advance"); err != nil {
		return err
	}
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	tok := a.Attributes[attrVerificationToken]
	if tok == "" {
		return fmt.Errorf("%q has no verification token: it must register or log in first (the call may have failed)", name)
	}
	d := time.Duration(age) * time.Second
	if claims, err := jwtClaims(tok); err == nil {
		if iat, ok := claims["iat"].(float64); ok {
			return advanceTo(ctx, time.Unix(int64(iat), 0).Add(d))
		}
	}
	if d -= time.Since(a.keptAt[attrVerificationToken]); d < 0 {
		return fmt.Errorf("the verification token of %q is older than %d s already", name, age)
	}
	return advance(ctx, d)
}

// rampableNextCode fixes the next code the target mails to the principal's email (capability
// rampable.code.set).
func rampableNextCode(ctx context.Context, name, code string) error {
	w := worldFrom(ctx)
	if err := w.need("rampable.code.set"); err != nil {
		return err
	}
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	if code, err = w.interpolateText(code); err != nil {
		return err
	}
	w.keepSecret(code)
	return w.controlJSON(ctx, http.MethodPut, "/rampable/emails/"+url.PathEscape(a.Email)+"/next-code", map[string]string{"code": code}, nil)
}

// rampablePost posts a JSON body to the API anonymously: Rampable's auth calls take no credentials.
func rampablePost(ctx context.Context, path string, body any) (*response, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return worldFrom(ctx).request(ctx, nil, http.MethodPost, path, "application/json", raw)
}
