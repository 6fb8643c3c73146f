package steps

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cucumber/godog"
)

// eeID's steps: a service gets its 120-second Bearer token with its client credentials (Basic, no
// body, as the vendor's own client sends it); the person's side of an identification (completing it,
// possibly as someone else, or cancelling it) goes through the control API, as does where a service's
// webhooks go; a delivery's signature is checked both ways receivers check it.
func init() {
	registerAPI(&apiSteps{
		name:      "eeid",
		authorize: bearerAuth,
		register: func(sc *godog.ScenarioContext) {
			sc.Step(`^"([^"]*)" gets an eeID access token$`, func(ctx context.Context, name string) error {
				return eeidToken(ctx, name, "")
			})
			sc.Step(`^"([^"]*)" gets an eeID access token with the secret "([^"]*)"$`, eeidToken)
			sc.Step(`^"([^"]*)" creates (\d+) eeID identification requests?$`, eeidCreateMany)
			sc.Step(`^the person completes the eeID identification "([^"]*)"$`, func(ctx context.Context, id string) error {
				return eeidComplete(ctx, id, "", http.StatusNoContent)
			})
			sc.Step(`^the person completes the eeID identification "([^"]*)" as "([^"]*)"$`, func(ctx context.Context, id, sub string) error {
				return eeidComplete(ctx, id, sub, http.StatusNoContent)
			})
			sc.Step(`^the person cannot complete the eeID identification "([^"]*)"$`, func(ctx context.Context, id string) error {
				return eeidComplete(ctx, id, "", http.StatusConflict)
			})
			sc.Step(`^the person cancels the eeID identification "([^"]*)"$`, eeidAbort)
			sc.Step(`^the eeID webhooks of "([^"]*)" go to the webhook receiver$`, eeidWebhookToReceiver)
			sc.Step(`^the latest webhook delivery is signed with the client secret of "([^"]*)"$`, func(ctx context.Context, name string) error {
				return eeidSignature(ctx, name, false)
			})
			sc.Step(`^the latest webhook delivery verifies as eeID's own receiver checks it, with the client secret of "([^"]*)"$`, func(ctx context.Context, name string) error {
				return eeidSignature(ctx, name, true)
			})
		},
	})
}

// eeidToken asks for a token with the service's client credentials, or with the secret given
// (interpolated), and keeps the token of a 201 with the lifetime its expires_in says.
func eeidToken(ctx context.Context, name, secret string) error {
	w := worldFrom(ctx)
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	if secret == "" {
		secret = a.ClientSecret
	} else if secret, err = w.interpolateText(secret); err != nil {
		return err
	}
	w.keepSecret(secret)
	basic := base64.StdEncoding.EncodeToString([]byte(a.ClientID + ":" + secret))
	r, err := w.requestWith(ctx, nil, http.MethodPost, "/api/auth/v1/token", "", nil, http.Header{"Authorization": {"Basic " + basic}})
	if err != nil {
		return err
	}
	w.keepToken(a, "", 0)
	if body, ok := r.body.(map[string]any); ok && r.status == http.StatusCreated {
		tok, _ := body["access_token"].(string)
		expiresIn, _ := body["expires_in"].(float64)
		w.keepToken(a, tok, int(expiresIn))
	}
	return nil
}

// eeidCreateMany has the service create n requests for the sub of eeID's examples, each of which
// must be created (201).
func eeidCreateMany(ctx context.Context, name string, n int) error {
	w := worldFrom(ctx)
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	for i := range n {
		body := fmt.Sprintf(`{"claims_required": [{"type": "sub", "value": "EE30303039914"}], "reference": "bulk-%d"}`, i+1)
		r, err := w.request(ctx, a, http.MethodPost, "/api/ident/v1/identification_requests", "application/json", []byte(body))
		if err != nil {
			return err
		}
		if r.status != http.StatusCreated {
			return fmt.Errorf("request %d of %d: expected 201, got %d: %s", i+1, n, r.status, excerpt(r.raw))
		}
	}
	return nil
}

// eeidComplete completes a request (its id interpolated) as the person would, matching every claim
// or with another personal code (sub), and checks the control API's status: 204 done, 409 refused.
func eeidComplete(ctx context.Context, id, sub string, want int) error {
	var body any
	if sub != "" {
		sub, err := worldFrom(ctx).interpolateText(sub)
		if err != nil {
			return err
		}
		body = map[string]string{"sub": sub}
	}
	return eeidPersonActs(ctx, id, "complete", body, want)
}

// eeidAbort cancels an identification on the link's page, as the person would.
func eeidAbort(ctx context.Context, id string) error {
	return eeidPersonActs(ctx, id, "abort", nil, http.StatusNoContent)
}

// eeidPersonActs does what the person does with a request (its id interpolated) through the control
// API (capability eeid.request.complete): complete or abort it; the control API must answer want.
func eeidPersonActs(ctx context.Context, id, action string, body any, want int) error {
	w := worldFrom(ctx)
	if err := w.need("eeid.request.complete"); err != nil {
		return err
	}
	id, err := w.interpolate(id, url.PathEscape)
	if err != nil {
		return err
	}
	r, err := w.control(ctx, http.MethodPost, "/eeid/identification_requests/"+id+"/"+action, body)
	if err != nil {
		return err
	}
	if r.status != want {
		return fmt.Errorf("%s the identification: expected %d, got %d: %s", action, want, r.status, excerpt(r.raw))
	}
	return nil
}

// eeidWebhookPath is the path the suite's receiver takes eeID webhooks at; a webhook URL's path must
// contain eeid/webhooks/identification_requests.
const eeidWebhookPath = "/eeid/webhooks/identification_requests"

// eeidWebhookToReceiver points the service's webhooks at the scenario's receiver, as the eeID manager
// would (capability eeid.webhook.set).
func eeidWebhookToReceiver(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	if err := w.need("eeid.webhook.set"); err != nil {
		return err
	}
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	r, err := w.webhookReceiver(ctx)
	if err != nil {
		return err
	}
	return w.controlJSON(ctx, http.MethodPut, "/eeid/services/"+url.PathEscape(a.ClientID)+"/webhook",
		map[string]string{"url": r.URL(eeidWebhookPath)}, nil)
}

// eeidSignatureHeader is the header an eeID webhook carries its signature in.
const eeidSignatureHeader = "X-HMAC-Signature"

// eeidSignature checks the latest delivery's X-HMAC-Signature with the service's client secret:
// the lower-case hex HMAC-SHA256 of the raw body (the seed's receiver), or (stripped) of the body with
// every ASCII whitespace byte removed, the header trimmed, as eeID's own receiver computes it
// (internetee/registry: raw_post.gsub with the pattern [\s]+ and an empty string). The suite has its
// own implementation, so that the mock's signing is judged, not compared with itself.
func eeidSignature(ctx context.Context, name string, stripped bool) error {
	w := worldFrom(ctx)
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	d, err := w.latestWebhookDelivery(ctx)
	if err != nil {
		return err
	}
	header := d.Header.Get(eeidSignatureHeader)
	if header == "" {
		return fmt.Errorf("the delivery has no %s header", eeidSignatureHeader)
	}
	body, how := d.Body, "the body"
	if stripped {
		body = bytes.Map(func(r rune) rune {
			if strings.ContainsRune(" \t\n\v\f\r", r) {
				return -1
			}
			return r
		}, body)
		header, how = strings.Trim(header, " \t\n\v\f\r\x00"), "the body without whitespace, as eeID's own receiver computes it,"
	}
	mac := hmac.New(sha256.New, []byte(a.ClientSecret))
	mac.Write(body)
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(header)) {
		return fmt.Errorf("%s %q is not the hex HMAC-SHA256 of %s keyed with the client secret of %q; body: %s",
			eeidSignatureHeader, header, how, name, excerpt(d.Body))
	}
	return nil
}
