package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/idvkit/idvkit/openapi"
	"github.com/idvkit/idvkit/steps/target"
	"github.com/idvkit/idvkit/steps/webhookrecv"
)

// World is one scenario's state. The runner makes one per scenario (NewWorld), hands it to godog
// (Initialize), which puts it in the scenario's context for the steps, never in a package variable,
// so scenarios run concurrently; when the scenario ends the runner reads what it left (SkipReason,
// ServerError, TakeRelaxed after each step), through Redact, and closes it.
type World struct {
	api        *apiSteps // the API the scenario's feature is about
	ep         *target.Endpoint
	caps       map[string]bool
	principals map[string]Principal // from a config file, for targets without users.create
	testData   map[string]string    // values the target's test build fixes, ${test.<key>}
	actors     map[string]*actor
	vars       map[string]string // values saved by earlier steps
	bodies     map[string]any    // decoded response bodies saved by earlier steps
	last       *response
	skipReason string
	secrets    []string // values never to print whole

	// policyCounts makes a check of our own part of a rule fail its step (policy.go); without it, the
	// failed check is kept in relaxed until the step ends, to be reported. serverError is the first
	// 5xx the API answered: a @policy scenario that saw one is never forgiven.
	policyCounts bool
	relaxed      string
	serverError  string

	// The webhook receiver (webhooks.go): where it listens and is reached, and the receiver itself
	// once a step has started it.
	webhook Webhook
	hooks   *webhookrecv.Receiver
}

// Setup is what a scenario's world starts from.
type Setup struct {
	API      string           // the API of the scenario's feature, whose steps the scenario gets
	Endpoint *target.Endpoint // where the scenario's requests go
	// Capabilities are what the target declares it offers; nil asks its control API.
	Capabilities []string
	Principals   map[string]Principal // credentials per role, for a target without users.create
	TestData     map[string]string    // values the target's test build fixes, read as ${test.<key>}
	Webhook      Webhook
	// PolicyCounts makes a failed check of our own part of a rule fail its step (policy.go).
	PolicyCounts bool
}

// Webhook is where a scenario's webhook receiver listens and how the implementation reaches it.
type Webhook struct {
	Listen    string // default 127.0.0.1:0, a free port
	PublicURL string // the base URL the implementation calls; default the receiver's own address
	// Wait is how long a step waits for a delivery that has not arrived yet; zero: 15 s.
	Wait time.Duration
}

// NewWorld makes a scenario's world, asking the target's control API what it offers unless the setup
// declares it. It fails for an API no steps file registered. The caller must Close it.
func NewWorld(ctx context.Context, s Setup) (*World, error) {
	api := apis[s.API]
	if api == nil {
		return nil, fmt.Errorf("steps: no steps are registered for API %q", s.API)
	}
	w := &World{api: api, ep: s.Endpoint, principals: s.Principals, testData: s.TestData, actors: map[string]*actor{},
		vars: map[string]string{}, webhook: s.Webhook, policyCounts: s.PolicyCounts}
	w.keepSecret(s.Endpoint.ControlToken)
	for _, v := range s.TestData {
		w.keepSecret(v)
	}
	if s.Capabilities != nil {
		w.caps = map[string]bool{}
		for _, c := range s.Capabilities {
			w.caps[c] = true
		}
	} else {
		w.caps = w.capabilities(ctx)
	}
	return w, nil
}

// HasSteps reports whether a steps file registered the API's steps.
func HasSteps(api string) bool { return apis[api] != nil }

// capabilities asks the target's control API what it offers; a target without one offers nothing.
func (w *World) capabilities(ctx context.Context) map[string]bool {
	caps := map[string]bool{}
	var body struct {
		Capabilities []string `json:"capabilities"`
	}
	if err := w.controlJSON(ctx, "GET", "/capabilities", nil, &body); err != nil {
		return caps
	}
	for _, c := range body.Capabilities {
		caps[c] = true
	}
	return caps
}

// Offers reports whether the target offers a capability.
func (w *World) Offers(capability string) bool { return w.caps[capability] }

// Initialize gives godog the scenario's steps and the world in the scenario's context: the steps
// every API shares, the checks of our own part of a rule, the webhook steps, and the API's own.
func (w *World) Initialize(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
		return withWorld(ctx, w), nil
	})
	registerCommonSteps(sc)
	registerPolicySteps(sc)
	registerWebhookSteps(sc)
	if w.api.register != nil { // an API whose features need no step of its own has none
		w.api.register(sc)
	}
}

// TakeRelaxed returns the check of our own part of a rule the step that just ran forgave, if any
// (policy.go), and forgets it, so the next step starts without one.
func (w *World) TakeRelaxed() string {
	r := w.relaxed
	w.relaxed = ""
	return r
}

// SkipReason is why a step skipped the scenario; empty when none did.
func (w *World) SkipReason() string { return w.skipReason }

// ServerError is the first 5xx the API answered in the scenario, if any.
func (w *World) ServerError() string { return w.serverError }

// Close closes what the scenario started: its webhook receiver.
func (w *World) Close() {
	if w.hooks != nil {
		w.hooks.Close()
	}
}

// actor is a named principal of the scenario and the credential its last login obtained.
type actor struct {
	name string
	Principal
	token     string
	expiresIn int // seconds, as the login that gave the token said
	// keptAt is when a step kept each credential attribute (keepAttribute), for the age of one
	// whose token says nothing of when it was issued.
	keptAt map[string]time.Time
	accept string // the Accept header of every request of the actor that sets none itself
}

// response is the last response a step saw.
type response struct {
	status int
	header http.Header
	raw    []byte
	// body is the decoded JSON, or XML read by its schema into the value its JSON form would be, or
	// for XML the spec gives no form, the element tree under the root; nil for other bodies.
	body any
	xml  bool // body is an XML element tree read without a schema, so every leaf is text
}

type worldKey struct{}

func withWorld(ctx context.Context, w *World) context.Context {
	return context.WithValue(ctx, worldKey{}, w)
}

func worldFrom(ctx context.Context) *World { return ctx.Value(worldKey{}).(*World) }

// skip ends the scenario as skipped, with the reason reported.
func (w *World) skip(reason string) error {
	w.skipReason = reason
	return godog.ErrSkip
}

// need skips the scenario unless the target offers the capability.
func (w *World) need(capability string) error {
	if !w.caps[capability] {
		return w.skip("target lacks capability " + capability)
	}
	return nil
}

// actor returns a named principal, which an earlier step must have introduced.
func (w *World) actor(name string) (*actor, error) {
	a, ok := w.actors[name]
	if !ok {
		return nil, fmt.Errorf("no principal named %q in this scenario: a step `%q has the role ...` must introduce it first", name, name)
	}
	return a, nil
}

// keepSecret records a value that must never appear whole in a step's error or output.
func (w *World) keepSecret(v string) {
	if v != "" {
		w.secrets = append(w.secrets, v)
	}
}

// keepToken stores a token an API's login returned for the actor (and how long it lives, when the
// login said).
func (w *World) keepToken(a *actor, token string, expiresIn int) {
	a.token, a.expiresIn = token, expiresIn
	w.keepSecret(token)
}

// keepAttribute keeps a credential an API handed the actor as one of its attributes, read as
// ${name.attribute} (a login's verification token, before the code that makes it an access token),
// kept out of printed errors, and when it was received.
func (w *World) keepAttribute(a *actor, attribute, value string) {
	if a.Attributes == nil {
		a.Attributes = map[string]string{}
	}
	if a.keptAt == nil {
		a.keptAt = map[string]time.Time{}
	}
	a.Attributes[attribute], a.keptAt[attribute] = value, time.Now()
	w.keepSecret(value)
}

// maxResponse bounds how much of a response the suite reads: a target cannot hang or flood it.
const maxResponse = 4 << 20

// send performs a request against the API (or the control API when spec is openapi.Control), records
// it as the last response, and checks it against the spec: a response that breaks the contract fails
// the step, whichever step sent it.
func (w *World) send(ctx context.Context, spec string, req *http.Request) (*response, error) {
	req = req.WithContext(ctx)
	resp, err := w.ep.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, redactURL(req.URL), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the response: %w", req.Method, redactURL(req.URL), err)
	}
	r := &response{status: resp.StatusCode, header: resp.Header, raw: raw}
	op, params, rel, err := w.operation(spec, req)
	if err != nil {
		return nil, err
	}
	switch ct := resp.Header.Get("Content-Type"); {
	case len(raw) == 0:
	case strings.Contains(ct, "json"):
		_ = json.Unmarshal(raw, &r.body)
	case strings.Contains(ct, "xml"):
		r.body, r.xml = decodeXMLAnswer(op, r.status, raw)
	}
	if spec != openapi.Control {
		w.last = r
		if r.status >= 500 && w.serverError == "" {
			w.serverError = fmt.Sprintf("%s %s answered %d", req.Method, req.URL.Path, r.status)
		}
	}
	if op == nil {
		return r, nil // outside every operation (an unknown path, a wrong method): nothing to check against
	}
	if f := op.ValidateResponse(ctx, req, params, r.status, r.header, r.raw); f != nil {
		return r, fmt.Errorf("the %d response to %s %s breaks the %s spec (%s): %s", r.status, req.Method, rel, spec, op.ID, f.Error())
	}
	return r, nil
}

// decodeXMLAnswer reads an XML body by the schema of the operation's response of that status, the
// decoder the mock validates with, so it reads as exactly the value its JSON form does (numbers,
// booleans, arrays of one): field paths name the JSON keys, and both forms compare alike. An answer
// the spec gives no XML form (an unknown path's, an undocumented status) is read without a schema,
// every leaf text (xml true).
func decodeXMLAnswer(op *openapi.Operation, status int, raw []byte) (body any, xml bool) {
	if op != nil {
		if b := op.ResponseXML(status); b != nil {
			if v, f := b.Decode(raw); f == nil {
				return v, false
			}
		}
	}
	v, _ := decodeXML(raw)
	return v, v != nil
}

// operation is the operation of a spec a request matched, its path parameters, and its path relative
// to the API's base URL; nil for a request outside every operation (an unknown path, a wrong method).
func (w *World) operation(specName string, req *http.Request) (*openapi.Operation, map[string]string, string, error) {
	spec, err := openapi.Load(specName)
	if err != nil {
		return nil, nil, "", err
	}
	base := w.ep.BaseURL
	if specName == openapi.Control {
		base = w.ep.ControlURL
	}
	basePath := ""
	if u, err := url.Parse(base); err == nil {
		basePath = strings.TrimSuffix(u.Path, "/")
	}
	rel := strings.TrimPrefix(req.URL.Path, basePath)
	op, params, f := spec.Find(req.Method, rel)
	if f != nil {
		return nil, nil, rel, nil
	}
	return op, params, rel, nil
}

// request sends a request to the API: as actor a, with its credentials, or anonymously when a is
// nil. target is a path of the API or an absolute URL (a link the API handed out); credentials are
// only ever sent to the target's own origin.
func (w *World) request(ctx context.Context, a *actor, method, target, contentType string, body []byte) (*response, error) {
	return w.requestWith(ctx, a, method, target, contentType, body, nil)
}

// requestWith is request with extra headers, set on top of the actor's credentials.
func (w *World) requestWith(ctx context.Context, a *actor, method, target, contentType string, body []byte, header http.Header) (*response, error) {
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		target = w.ep.BaseURL + target
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if !sameOrigin(req.URL, w.ep.BaseURL) {
		if a != nil {
			return nil, fmt.Errorf("refusing to send the credentials of %q to %s: it is not the target (%s)", a.name, redactURL(req.URL), w.ep.BaseURL)
		}
		if w.carriesSecret(target, body) || w.carriesSecret(fmt.Sprint(header), nil) {
			return nil, fmt.Errorf("refusing to send a credential of this scenario to %s: it is not the target (%s)", redactURL(req.URL), w.ep.BaseURL)
		}
	}
	if a != nil {
		if err := w.api.authorize(req, a); err != nil {
			return nil, err
		}
	}
	// A step's own headers go on top of the actor's credentials (another actor's token, say).
	for k, vs := range header {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	if a != nil && a.accept != "" && req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", a.accept)
	}
	return w.send(ctx, w.api.name, req)
}

// carriesSecret reports whether a request's target or body holds a credential the scenario has seen
// (a password, a client secret, a token or a code written in with ${...}).
func (w *World) carriesSecret(target string, body []byte) bool {
	for _, secret := range w.secrets {
		if len(secret) >= 4 && (strings.Contains(target, secret) || bytes.Contains(body, []byte(secret))) {
			return true
		}
	}
	return false
}

func sameOrigin(u *url.URL, base string) bool {
	b, err := url.Parse(base)
	return err == nil && strings.EqualFold(u.Scheme, b.Scheme) && strings.EqualFold(u.Host, b.Host)
}

// controlJSON calls the control API and decodes its JSON answer into out (when not nil).
func (w *World) controlJSON(ctx context.Context, method, path string, in, out any) error {
	r, err := w.control(ctx, method, path, in)
	if err != nil {
		return err
	}
	target, _, _ := strings.Cut(w.ep.ControlURL+path, "?") // a query may carry an address: not in errors
	if r.status >= 300 {
		return fmt.Errorf("control API %s %s answered %d: %s", method, target, r.status, excerpt(r.raw))
	}
	if out != nil && len(r.raw) > 0 {
		if err := json.Unmarshal(r.raw, out); err != nil {
			return fmt.Errorf("control API %s %s: %w", method, target, err)
		}
	}
	return nil
}

// control sends a request to the control API, in (when not nil) as its JSON body, and returns the
// answer whatever its status; the answer is checked against the control API's spec.
func (w *World) control(ctx context.Context, method, path string, in any) (*response, error) {
	if w.ep.ControlURL == "" {
		return nil, errors.New("the target has no control API")
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.ep.ControlURL+path, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if w.ep.ControlToken != "" {
		req.Header.Set("Authorization", "Bearer "+w.ep.ControlToken)
	}
	return w.send(ctx, openapi.Control, req)
}

// lastResponse returns the last response of the API, or says that no request was sent yet.
func (w *World) lastResponse() (*response, error) {
	if w.last == nil {
		return nil, errors.New("no request has been sent yet")
	}
	return w.last, nil
}

// field reads a path ("idVerification.user.userId", "items[0].id") from the last response's body.
func (w *World) field(path string) (any, bool, error) {
	r, err := w.lastResponse()
	if err != nil {
		return nil, false, err
	}
	if r.body == nil {
		return nil, false, fmt.Errorf("the response is neither JSON nor XML: %s", excerpt(r.raw))
	}
	steps, err := parsePath(path)
	if err != nil {
		return nil, false, err
	}
	v := r.body
	for _, s := range steps {
		if s.index >= 0 {
			list, ok := v.([]any)
			if !ok && r.xml && s.index == 0 {
				continue // an XML element that can repeat but occurs once decodes as itself
			}
			if !ok || s.index >= len(list) {
				return nil, false, nil
			}
			v = list[s.index]
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false, nil
		}
		if v, ok = m[s.name]; !ok {
			return nil, false, nil
		}
	}
	return v, true, nil
}

// mustField is field for a path that must be there.
func (w *World) mustField(path string) (any, error) {
	v, ok, err := w.field(path)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("the response has no field %q: %s", path, excerpt(w.last.raw))
	}
	return v, nil
}

// pathStep is a name of an object's field, or (index >= 0) a position in an array.
type pathStep struct {
	name  string
	index int
}

var (
	pathPart  = regexp.MustCompile(`^([^.\[\]]*)((?:\[\d+\])*)$`)
	pathIndex = regexp.MustCompile(`\d+`)
)

func parsePath(path string) ([]pathStep, error) {
	var out []pathStep
	for _, part := range strings.Split(path, ".") {
		m := pathPart.FindStringSubmatch(part)
		if m == nil || (m[1] == "" && m[2] == "") {
			return nil, fmt.Errorf("bad field path %q: write fields as a.b and array items as a[0]", path)
		}
		if m[1] != "" {
			out = append(out, pathStep{name: m[1], index: -1})
		}
		for _, idx := range pathIndex.FindAllString(m[2], -1) {
			n, err := strconv.Atoi(idx)
			if err != nil {
				return nil, fmt.Errorf("bad field path %q: %w", path, err)
			}
			out = append(out, pathStep{index: n})
		}
	}
	return out, nil
}

var reference = regexp.MustCompile(`\$\{([^}]*)\}`)

// interpolate replaces each ${name} in s by the value saved under that name, and each ${actor.field}
// by the actor's field (id, username, password, email, client_id, client_secret, token, role, or an
// attribute), passed through escape for where it lands; ${name|lower} and ${name|upper} change its case.
func (w *World) interpolate(s string, escape func(string) string) (string, error) {
	var err error
	out := reference.ReplaceAllStringFunc(s, func(ref string) string {
		v, e := w.resolve(ref[2 : len(ref)-1])
		if e != nil && err == nil {
			err = e
		}
		return escape(v)
	})
	return out, err
}

func (w *World) resolve(ref string) (string, error) {
	if ref, filter, ok := strings.Cut(ref, "|"); ok {
		v, err := w.resolve(ref)
		switch filter {
		case "lower":
			return strings.ToLower(v), err
		case "upper":
			return strings.ToUpper(v), err
		}
		return "", fmt.Errorf("${%s|%s}: the filters are lower and upper", ref, filter)
	}
	name, field, dotted := strings.Cut(ref, ".")
	if dotted && name == "test" {
		if v, ok := w.testData[field]; ok {
			return v, nil
		}
		return "", fmt.Errorf("${%s}: the target file's test_data has no %q", ref, field)
	}
	if !dotted {
		if v, ok := w.vars[ref]; ok {
			return v, nil
		}
		return "", fmt.Errorf("${%s}: no step saved a value under that name", ref)
	}
	a, err := w.actor(name)
	if err != nil {
		return "", fmt.Errorf("${%s}: %w", ref, err)
	}
	v := map[string]string{
		"id": a.ID, "role": a.Role, "username": a.Username, "password": a.Password, "email": a.Email,
		"client_id": a.ClientID, "client_secret": a.ClientSecret, "token": a.token,
	}[field]
	if v == "" {
		v = a.Attributes[field]
	}
	if v == "" {
		return "", fmt.Errorf("${%s}: %q has no %s", ref, name, field)
	}
	return v, nil
}

// loginPassword is the password a login step sends: the principal's, or the one the step gives
// (interpolated).
func (w *World) loginPassword(a *actor, given string) (string, error) {
	if given == "" {
		return a.Password, nil
	}
	return w.interpolateText(given)
}

// adoptPassword makes a password a login or a change succeeded with the principal's, kept out of
// printed errors.
func (w *World) adoptPassword(a *actor, password string) {
	a.Password = password
	w.keepSecret(password)
}

// interpolateText interpolates text that lands nowhere needing an escape: a password, a code, a value
// compared as it is.
func (w *World) interpolateText(s string) (string, error) {
	return w.interpolate(s, func(s string) string { return s })
}

// interpolateURL interpolates a request target, escaping values for the path or the query they
// land in.
func (w *World) interpolateURL(target string) (string, error) {
	if whole := reference.FindString(target); whole == target {
		// One saved value, such as a link from an email: used as it is, not escaped as a path.
		return w.resolve(target[2 : len(target)-1])
	}
	path, query, hasQuery := strings.Cut(target, "?")
	path, err := w.interpolate(path, url.PathEscape)
	if err != nil || !hasQuery {
		return path, err
	}
	query, err = w.interpolate(query, url.QueryEscape)
	return path + "?" + query, err
}

// Redact masks every secret the scenario has seen in s: a step's error and godog's output are
// printed, and must not carry a usable credential.
func (w *World) Redact(s string) string {
	for _, secret := range w.secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, mask(secret))
		}
	}
	return s
}

func mask(secret string) string {
	if len(secret) <= 8 {
		return "[redacted]"
	}
	return secret[:4] + "…[redacted]"
}

// secretKey matches the names of fields whose values are credentials.
var secretKey = regexp.MustCompile(`(?i)token|secret|password|passwd|otp|code|api_?key|authorization`)

// excerpt shortens a body for an error message, masking the string values of credential fields of
// a JSON body, which no step has seen yet (a token in an unexpected 200).
func excerpt(raw []byte) string {
	const max = 300
	var v any
	if json.Unmarshal(raw, &v) == nil {
		if b, err := json.Marshal(maskSecrets(v, "")); err == nil {
			raw = b
		}
	}
	s := strings.TrimSpace(string(raw))
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

func maskSecrets(v any, key string) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = maskSecrets(e, k)
		}
	case []any:
		for i, e := range t {
			t[i] = maskSecrets(e, key)
		}
	case string:
		if secretKey.MatchString(key) {
			return mask(t)
		}
	}
	return v
}

// redactURL drops the query, which may carry tokens, from URLs in messages.
func redactURL(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	return c.String()
}
