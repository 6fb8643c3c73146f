package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// hotPath is one row of the benchmark table: a request the mock answers often, and the status it
// must answer. Each API adds its rows to hotPaths.
type hotPath struct {
	name   string
	status int // the status every response must have; a run that sees another fails
	// ratioGoal, when set, is the row's mock/bare goal in place of the usual one (0.6x for a request
	// the mock accepts, 0.5x for one it rejects): a password login does more than a usual request.
	ratioGoal float64
	// lifetime, when set, is how long the prepared request keeps working (eeID's token lives 120 s):
	// the row prepares it again before a round that could outlive it.
	lifetime time.Duration
	// prepare logs in or seeds what the request needs against a running mock whose root URL is root
	// (paths carry the API prefix, /rambase/...), and returns the request to repeat.
	prepare func(ctx context.Context, client *http.Client, root string) (request, error)
}

// request is what wrk, the Go client and the in-process benchmark send, the same bytes each time.
type request struct {
	Method string
	Path   string // with the query, from the root: /rambase/id-verification?...
	Header http.Header
	Body   string
}

// api is the API the row's request goes to: its path's first segment, which is also the row's
// name's first part.
func (h hotPath) api() string {
	api, _, _ := strings.Cut(h.name, "/")
	return api
}

// valid reports whether the row is a request the mock accepts, which sets its goal.
func (h hotPath) valid() bool { return h.status >= 200 && h.status < 300 }

// goal is the least mock/bare req/s ratio the row must reach.
func (h hotPath) goal() float64 {
	if h.ratioGoal != 0 {
		return h.ratioGoal
	}
	if h.valid() {
		return 0.6
	}
	return 0.5
}

const (
	formType = "application/x-www-form-urlencoded"
	// The default fixtures' verifying client and internal user (mockserver/fixtures.yaml).
	rambaseClientForm = "grant_type=client_credentials&client_id=forecast-api&client_secret=forecast-secret"
	rambaseUserForm   = "grant_type=password&client_id=forecast-api&client_secret=forecast-secret&username=anna&password=anna-password"
	randaVerifyLogin  = "username=integrator&password=integrator-password"
	// Rampable's verified fixture user.
	rampableEmail = "ada@sandbox-partner.example"
	rampableLogin = `{"email": "` + rampableEmail + `", "password": "ada-password"}`
	// eeID's service A: Basic base64("oidc-8d3a6f2e-4b1c-4d5e-9f70-2a1b3c4d5e6f-1:service-a-secret").
	eeidBasic = "Basic b2lkYy04ZDNhNmYyZS00YjFjLTRkNWUtOWY3MC0yYTFiM2M0ZDVlNmYtMTpzZXJ2aWNlLWEtc2VjcmV0"
)

var hotPaths = []hotPath{
	{name: "rambase/verify", status: http.StatusOK, prepare: func(ctx context.Context, c *http.Client, root string) (request, error) {
		client, err := rambaseToken(ctx, c, root, rambaseClientForm)
		if err != nil {
			return request{}, err
		}
		user, err := rambaseToken(ctx, c, root, rambaseUserForm)
		if err != nil {
			return request{}, err
		}
		var sess struct {
			Session struct {
				IDVerificationToken string `json:"idVerificationToken"`
			} `json:"session"`
		}
		if err := getJSON(ctx, c, root, request{Method: "GET", Path: "/rambase/system/sessions/current",
			Header: http.Header{"Authorization": {"Bearer " + user}}}, http.StatusOK, &sess); err != nil {
			return request{}, err
		}
		if sess.Session.IDVerificationToken == "" {
			return request{}, fmt.Errorf("the session has no idVerificationToken")
		}
		return request{Method: "GET", Path: "/rambase/id-verification?id_verification_token=" + url.QueryEscape(sess.Session.IDVerificationToken),
			Header: http.Header{"Authorization": {"Bearer " + client}}}, nil
	}},
	{name: "rambase/token", status: http.StatusOK, prepare: func(context.Context, *http.Client, string) (request, error) {
		return formRequest("/rambase/oauth2/access_token", rambaseClientForm), nil
	}},
	{name: "rambase/rejected-body", status: http.StatusBadRequest, prepare: func(context.Context, *http.Client, string) (request, error) {
		return formRequest("/rambase/oauth2/access_token", "grant_type=implicit&client_id=forecast-api&client_secret=forecast-secret"), nil
	}},
	{name: "rambase/rejected-auth", status: http.StatusUnauthorized, prepare: func(context.Context, *http.Client, string) (request, error) {
		return request{Method: "GET", Path: "/rambase/id-verification?id_verification_token=x", Header: http.Header{}}, nil
	}},
	{name: "randaverify/me", status: http.StatusOK, prepare: func(ctx context.Context, c *http.Client, root string) (request, error) {
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := getJSON(ctx, c, root, formRequest("/randaverify/login", randaVerifyLogin), http.StatusOK, &tok); err != nil {
			return request{}, err
		}
		return request{Method: "GET", Path: "/randaverify/me", Header: http.Header{"Authorization": {"Bearer " + tok.AccessToken}}}, nil
	}},
	// A login checks the password (an HMAC-SHA256, microseconds) and mints and signs a JWT.
	{name: "randaverify/login", status: http.StatusOK, ratioGoal: 0.3,
		prepare: func(context.Context, *http.Client, string) (request, error) {
			return formRequest("/randaverify/login", randaVerifyLogin), nil
		}},
	// Like RandaVerify's, a Rampable login checks the password and signs a JWT (HS256); it also mails
	// a code: a store update of the user and a message in the outbox.
	{name: "rampable/login", status: http.StatusOK, ratioGoal: 0.3,
		prepare: func(context.Context, *http.Client, string) (request, error) {
			return jsonRequest("/rampable/v1/auth/login", rampableLogin), nil
		}},
	// A successful verify-login works once, and signs an RS256 access token (an RSA-2048 signature,
	// about a millisecond of CPU); what a client repeats is a verification token that is used up: the
	// token verified (its signature remembered), the user's record read, a 401.
	{name: "rampable/verify-login", status: http.StatusUnauthorized, prepare: func(ctx context.Context, c *http.Client, root string) (request, error) {
		var login struct {
			Data struct {
				VerificationToken string `json:"verificationToken"`
			} `json:"data"`
		}
		if err := getJSON(ctx, c, root, jsonRequest("/rampable/v1/auth/login", rampableLogin), http.StatusOK, &login); err != nil {
			return request{}, err
		}
		var outbox struct {
			Items []struct {
				Code string `json:"code"`
			} `json:"items"`
		}
		if err := getJSON(ctx, c, root, request{Method: "GET", Path: "/_mock/outbox?kind=otp&to=" + url.QueryEscape(rampableEmail)},
			http.StatusOK, &outbox); err != nil {
			return request{}, err
		}
		if len(outbox.Items) == 0 {
			return request{}, fmt.Errorf("the login mailed no code")
		}
		body, err := json.Marshal(map[string]string{"verificationToken": login.Data.VerificationToken, "otp": outbox.Items[len(outbox.Items)-1].Code})
		if err != nil {
			return request{}, err
		}
		verify := jsonRequest("/rampable/v1/auth/verify-login", string(body))
		var verified struct{}
		return verify, getJSON(ctx, c, root, verify, http.StatusOK, &verified)
	}},
	{name: "eeid/token", status: http.StatusCreated, prepare: func(context.Context, *http.Client, string) (request, error) {
		return eeidTokenRequest, nil
	}},
	{name: "eeid/request", status: http.StatusOK, lifetime: 120 * time.Second, prepare: func(ctx context.Context, c *http.Client, root string) (request, error) {
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := getJSON(ctx, c, root, eeidTokenRequest, http.StatusCreated, &tok); err != nil {
			return request{}, err
		}
		bearer := http.Header{"Authorization": {"Bearer " + tok.AccessToken}, "Content-Type": {"application/json"}}
		var created struct {
			ID string `json:"id"`
		}
		if err := getJSON(ctx, c, root, request{Method: "POST", Path: "/eeid/api/ident/v1/identification_requests", Header: bearer,
			Body: `{"claims_required": [{"type": "sub", "value": "EE30303039914"}], "reference": "bench"}`}, http.StatusCreated, &created); err != nil {
			return request{}, err
		}
		// As eeID's own client reads it: a GET with Content-Type: application/json and no body.
		return request{Method: "GET", Path: "/eeid/api/ident/v1/identification_requests/" + created.ID, Header: bearer}, nil
	}},
	// Bundeling: a used token, whose redemption is the whole of one but for the write that uses a
	// token up (a 400 with the answer every refused token gets): wrk repeats the same bytes, and a
	// token redeems once. Each in JSON and in XML, asked and answered.
	{name: "bundeling/user_identity", status: http.StatusBadRequest, prepare: func(ctx context.Context, c *http.Client, root string) (request, error) {
		return bundelingUsedToken(ctx, c, root, bundelingJSON)
	}},
	{name: "bundeling/user_identity-xml", status: http.StatusBadRequest, prepare: func(ctx context.Context, c *http.Client, root string) (request, error) {
		return bundelingUsedToken(ctx, c, root, bundelingXML)
	}},
	{name: "bundeling/user", status: http.StatusOK, prepare: func(context.Context, *http.Client, string) (request, error) {
		return request{Method: "GET", Path: "/bundeling/V2/users/" + bundelingMember, Header: http.Header{"Api-Key": {bundelingKey}}}, nil
	}},
	{name: "bundeling/user-xml", status: http.StatusOK, prepare: func(context.Context, *http.Client, string) (request, error) {
		return request{Method: "GET", Path: "/bundeling/V2/users/" + bundelingMember,
			Header: http.Header{"Api-Key": {bundelingKey}, "Accept": {"application/xml"}}}, nil
	}},
	// Billion laughs, refused at its document type before an entity is read.
	{name: "bundeling/entity-expansion", status: http.StatusBadRequest, prepare: func(context.Context, *http.Client, string) (request, error) {
		return request{Method: "POST", Path: "/bundeling/V2/user_identity", Body: billionLaughs,
			Header: http.Header{"Api-Key": {bundelingKey}, "Content-Type": {"application/xml"}, "Accept": {"application/xml"}}}, nil
	}},
}

// The default fixtures' integration key and its club's first member (mockserver/fixtures.yaml).
const (
	bundelingKey    = "RAegSX8yZfEbqSPM"
	bundelingMember = "eeb763c41c054dcc8f6d9362f24ee9b2"
)

// bundelingForm is how a user-identity request is written: its media type and its body for a token.
type bundelingForm struct {
	mediaType string
	body      func(token string) string
}

var (
	bundelingJSON = bundelingForm{"application/json", func(t string) string { return `{"token": "` + t + `"}` }}
	bundelingXML  = bundelingForm{"application/xml", func(t string) string { return `<user_identity><token>` + t + `</token></user_identity>` }}
)

// billionLaughs declares ten entities, each ten of the one before: expanded, 10^9 "lol"s.
const billionLaughs = `<?xml version="1.0"?><!DOCTYPE user_identity [<!ENTITY lol "lol">` +
	`<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">` +
	`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">` +
	`<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">` +
	`<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">` +
	`<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]><user_identity><token>&lol9;</token></user_identity>`

// bundelingUsedToken mints a token for the member through the control API, redeems it once, and
// returns the request that redeems it again, in the form given, asking for an answer in that form.
func bundelingUsedToken(ctx context.Context, c *http.Client, root string, form bundelingForm) (request, error) {
	var minted struct {
		Token string `json:"token"`
	}
	if err := getJSON(ctx, c, root, request{Method: "POST", Path: "/_mock/bundeling/users/" + bundelingMember + "/tokens"},
		http.StatusCreated, &minted); err != nil {
		return request{}, err
	}
	req := request{Method: "POST", Path: "/bundeling/V2/user_identity", Body: form.body(minted.Token),
		Header: http.Header{"Api-Key": {bundelingKey}, "Content-Type": {form.mediaType}, "Accept": {form.mediaType}}}
	status, _, body, err := send(ctx, c, root, req)
	if err != nil {
		return request{}, err
	}
	if status != http.StatusOK {
		return request{}, fmt.Errorf("the first redemption answered %d: %.300s", status, body)
	}
	return req, nil
}

// eeidTokenRequest is eeID's token request as its own client sends it: Basic, no body, no Content-Type.
var eeidTokenRequest = request{Method: "POST", Path: "/eeid/api/auth/v1/token", Header: http.Header{"Authorization": {eeidBasic}}}

func formRequest(path, form string) request {
	return request{Method: "POST", Path: path, Header: http.Header{"Content-Type": {formType}}, Body: form}
}

func jsonRequest(path, body string) request {
	return request{Method: "POST", Path: path, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
}

// rambaseToken logs in to RamBase with a form and returns the access token.
func rambaseToken(ctx context.Context, c *http.Client, root, form string) (string, error) {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := getJSON(ctx, c, root, formRequest("/rambase/oauth2/access_token", form), http.StatusOK, &tok); err != nil {
		return "", err
	}
	if tok.AccessToken == "" {
		return "", fmt.Errorf("login answered no access_token")
	}
	return tok.AccessToken, nil
}

// getJSON sends req, wants the status given and decodes its JSON body into out.
func getJSON(ctx context.Context, c *http.Client, root string, req request, want int, out any) error {
	status, _, body, err := send(ctx, c, root, req)
	if err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("%s %s: status %d, want %d: %.300s", req.Method, pathOnly(req.Path), status, want, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: %v", req.Method, pathOnly(req.Path), err)
	}
	return nil
}

// send sends req to root and returns the response's status, header and body.
func send(ctx context.Context, c *http.Client, root string, req request) (int, http.Header, []byte, error) {
	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
	}
	r, err := http.NewRequestWithContext(ctx, req.Method, root+req.Path, body)
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range req.Header {
		r.Header[k] = v
	}
	resp, err := c.Do(r)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, b, nil
}

// pathOnly leaves out the query, which may carry a token, from messages.
func pathOnly(p string) string {
	path, _, _ := strings.Cut(p, "?")
	return path
}
