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
	"strings"

	"github.com/cucumber/godog"

	"github.com/idvkit/idvkit/mockserver/provider"
	"github.com/idvkit/idvkit/openapi"
)

// world is one scenario's state. It lives in the scenario's context, never in a package variable,
// so scenarios can run concurrently.
type world struct {
	ep         *Endpoint
	caps       map[string]bool
	principals map[string]provider.Principal // from a config file, for targets without users.create
	actors     map[string]*actor
	last       *response
	skipReason string
}

// actor is a named principal of the scenario and what it has obtained so far.
type actor struct {
	name string
	provider.Principal
	accessToken string
	expiresIn   int
	session     map[string]any // the last session read
	idvToken    string
}

// response is the last response a step saw.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   any // decoded JSON, nil when the body is not JSON
}

type worldKey struct{}

func withWorld(ctx context.Context, w *world) context.Context {
	return context.WithValue(ctx, worldKey{}, w)
}

func worldFrom(ctx context.Context) *world { return ctx.Value(worldKey{}).(*world) }

// skip ends the scenario as skipped, with the reason reported.
func (w *world) skip(reason string) error {
	w.skipReason = reason
	return godog.ErrSkip
}

// need skips the scenario unless the target offers the capability.
func (w *world) need(capability string) error {
	if !w.caps[capability] {
		return w.skip("target lacks capability " + capability)
	}
	return nil
}

// actor returns a named principal, which an earlier step must have introduced.
func (w *world) actor(name string) (*actor, error) {
	a, ok := w.actors[name]
	if !ok {
		return nil, fmt.Errorf("no principal named %q in this scenario: a step `%q has the role ...` must introduce it first", name, name)
	}
	return a, nil
}

// maxResponse bounds how much of a response the suite reads: a target cannot hang or flood it.
const maxResponse = 4 << 20

// send performs a request against the API (or the control API when spec is openapi.Control), records
// it as the last response, and checks it against the spec: a response that breaks the contract fails
// the step, whichever step sent it.
func (w *world) send(ctx context.Context, spec string, req *http.Request) (*response, error) {
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
	if len(raw) > 0 && strings.Contains(resp.Header.Get("Content-Type"), "json") {
		_ = json.Unmarshal(raw, &r.body)
	}
	if spec != openapi.Control {
		w.last = r
	}
	if err := w.checkContract(ctx, spec, req, r); err != nil {
		return r, err
	}
	return r, nil
}

// checkContract validates a response against the operation the request matched. Requests outside
// every operation (unknown paths, wrong methods) have nothing to check against.
func (w *world) checkContract(ctx context.Context, specName string, req *http.Request, r *response) error {
	spec, err := openapi.Load(specName)
	if err != nil {
		return err
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
		return nil
	}
	if f := op.ValidateResponse(ctx, req, params, r.status, r.header, r.raw); f != nil {
		return fmt.Errorf("the %d response to %s %s breaks the %s spec (%s): %s", r.status, req.Method, rel, specName, op.ID, f.Error())
	}
	return nil
}

// controlJSON calls the control API and decodes its JSON answer into out (when not nil).
func (w *world) controlJSON(ctx context.Context, method, path string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.ep.ControlURL+path, body)
	if err != nil {
		return 0, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	r, err := w.send(ctx, openapi.Control, req)
	if err != nil {
		return 0, err
	}
	if r.status >= 300 {
		return r.status, fmt.Errorf("control API %s %s answered %d: %s", method, path, r.status, trim(r.raw))
	}
	if out != nil && len(r.raw) > 0 {
		if err := json.Unmarshal(r.raw, out); err != nil {
			return r.status, fmt.Errorf("control API %s %s: %w", method, path, err)
		}
	}
	return r.status, nil
}

// field reads a dotted path ("idVerification.user.userId") from the last response's JSON body.
func (w *world) field(path string) (any, bool, error) {
	if w.last == nil {
		return nil, false, errors.New("no request has been sent yet")
	}
	if w.last.body == nil {
		return nil, false, fmt.Errorf("the response is not JSON: %s", trim(w.last.raw))
	}
	v := w.last.body
	for _, part := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false, nil
		}
		if v, ok = m[part]; !ok {
			return nil, false, nil
		}
	}
	return v, true, nil
}

// trim shortens a body for an error message.
func trim(raw []byte) string {
	const max = 300
	s := strings.TrimSpace(string(raw))
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// redactURL drops the query, which may carry tokens, from URLs in messages.
func redactURL(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	return c.String()
}
