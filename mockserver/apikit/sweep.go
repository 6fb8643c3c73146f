package apikit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/openapi"
)

const (
	sweepJSON = "application/json"
	sweepForm = "application/x-www-form-urlencoded"
)

// credential is a header that carries credentials: Authorization, or an API key's header.
type credential struct{ header, value string }

// sweepInput is one class of bad input, as sent to one operation.
type sweepInput struct {
	name string
	// cred replaces the operation's credentials when set; noAuth sends none.
	cred   *credential
	noAuth bool
	// contentType and body are sent when body is set; chunked hides the body's length.
	contentType string
	body        []byte
	chunked     bool
	query       string
	// refused says the input must be refused: with status when every API answers it alike (the
	// bad-input guide's table), else with a 4xx of the API's choosing. ignored says the answer must
	// be the clean request's: a body sent to an operation that takes none is ignored, and so are
	// credentials sent to one that takes none.
	refused, ignored bool
	status           int
}

func authorization(value string) *credential { return &credential{"Authorization", value} }

// sweepInputs lists every class of bad input, for an operation.
func sweepInputs(op *openapi.Operation) []sweepInput {
	secured, body := op.Secured(), op.HasBody()
	huge := bytes.Repeat([]byte(" "), apihttp.DefaultMaxBodyBytes+1)
	in := []sweepInput{
		{name: "no credentials", noAuth: true},
		{name: "a garbage bearer token", cred: authorization("Bearer garbage")},
		{name: "basic credentials that are not base64", cred: authorization("Basic !!!")},
		{name: "unknown basic credentials", cred: authorization(basicAuth("nobody", "nothing"))},
		{name: "credentials of another scheme", cred: authorization("Digest username=x")},
		{name: "credentials that are not UTF-8", cred: authorization("Bearer \xff\xfe")},
		{name: "a body over the limit", contentType: sweepJSON, body: huge, status: http.StatusRequestEntityTooLarge},
		{name: "a chunked body over the limit", contentType: sweepJSON, body: huge, chunked: true, status: http.StatusRequestEntityTooLarge},
		{name: "a body of the wrong media type", contentType: "text/plain", body: []byte("x")},
		{name: "a malformed form", contentType: sweepForm, body: []byte("a=%zz")},
		{name: "a form that is not UTF-8 once unescaped", contentType: sweepForm, body: []byte("a=%ff%fe")},
		{name: "a form that is not UTF-8", contentType: sweepForm, body: []byte("a=\xff\xfe")},
		{name: "malformed JSON", contentType: sweepJSON, body: []byte(`{"a":`)},
		{name: "JSON that is not UTF-8", contentType: sweepJSON, body: []byte("{\"a\":\"\xff\xfe\"}")},
		{name: "JSON that escapes half a surrogate pair", contentType: sweepJSON, body: []byte(`{"a":"\ud800"}`)},
		{name: "a JSON body of no fields", contentType: sweepJSON, body: []byte(`{}`)},
		{name: "an unknown query parameter", query: "idvkit_unknown=1", ignored: true},
	}
	for _, h := range op.APIKeyHeaders() {
		in = append(in, sweepInput{name: "an unknown API key in " + h, cred: &credential{h, "garbage"}},
			sweepInput{name: "an API key in " + h + " that is not UTF-8", cred: &credential{h, "\xff\xfe"}})
	}
	for i := range in {
		c := &in[i]
		switch {
		case c.body != nil: // a body matters only to an operation that takes one
			c.refused, c.ignored = body, !body
		case c.noAuth || c.cred != nil: // credentials only to one that takes some
			c.refused, c.ignored, c.status = secured, !secured, http.StatusUnauthorized
		}
		if !c.refused {
			c.status = 0
		}
	}
	for _, p := range op.Parameters("query") {
		in = append(in, sweepInput{name: "query parameter " + p + " not UTF-8", query: url.QueryEscape(p) + "=%ff%fe", refused: true})
	}
	return in
}

// checkBadInput: every operation of the API, sent every class of bad input by a client that knows
// only the spec and the fixtures, answers as its spec documents: never a 5xx (the mock validates every
// answer of its own, and one the spec does not document is a 500), a 4xx for what it must refuse
// (the status every API gives where there is one: 401, 413), and for a body sent to an operation that
// takes none (every GET) the answer it gives without the body.
func checkBadInput(_ context.Context, k *kit) []string {
	m, err := k.mock()
	if err != nil {
		return []string{err.Error()}
	}
	defer m.Close()
	sw := &sweep{m: m}
	spec := k.api.Spec()
	base := "/" + k.name + spec.BasePaths()[0]
	creds := sw.credentials(k.name, base, spec)
	for _, op := range spec.Operations() {
		path := base + op.Path
		for _, p := range op.Parameters("path") {
			path = strings.ReplaceAll(path, "{"+p+"}", "1")
		}
		sw.operation(op, path, creds)
	}
	return sw.problems
}

// sweep sends bad input to one mock and notes what is answered otherwise than documented.
type sweep struct {
	m        *mocktest.Server
	problems []string
}

func (sw *sweep) add(op *openapi.Operation, format string, args ...any) {
	sw.problems = append(sw.problems, op.ID+": "+fmt.Sprintf(format, args...))
}

// operation sends every input to an operation with the first credentials that take it past
// authentication.
func (sw *sweep) operation(op *openapi.Operation, path string, creds []credential) {
	auth, ok := sw.auth(op, path, creds)
	if !ok {
		sw.add(op, "no credentials of the fixtures get past its authentication (a login that answers access_token, a client's Basic credentials, a principal's attribute as its API key)")
		return
	}
	clean := sweepInput{name: "a clean request"}
	clean.contentType, clean.body = sweepExample(op, nil)
	// The answer an ignored input must give is the clean request's when sent again: an operation
	// that creates what the request names answers a repeat otherwise (a second registration of one
	// email is a 409), and every input after it is such a repeat.
	var want mocktest.Reply
	for range 2 {
		r, err := sw.send(op, path, auth, clean)
		if err != nil || r.Status >= 500 {
			sw.add(op, "a clean request: %v %s", err, r.Raw)
			return
		}
		want = r
	}
	for _, in := range sweepInputs(op) {
		if in.body == nil {
			in.contentType, in.body = clean.contentType, clean.body
		}
		r, err := sw.send(op, path, auth, in)
		switch {
		case err != nil:
			sw.add(op, "%s: %v", in.name, err)
		case in.status != 0 && r.Status != in.status:
			sw.add(op, "%s: want %d, got %d: %s", in.name, in.status, r.Status, r.Raw)
		case in.refused && (r.Status < 400 || r.Status >= 500):
			sw.add(op, "%s: refused with a 4xx, got %d: %s", in.name, r.Status, r.Raw)
		case in.ignored && r.Status != want.Status:
			sw.add(op, "%s: ignored, as the clean request's %d, got %d: %s", in.name, want.Status, r.Status, r.Raw)
		case r.Status >= 500:
			sw.add(op, "%s: %d: %s", in.name, r.Status, r.Raw)
		}
	}
}

// send sends one input to an operation with the credentials given, unless the input brings its own.
func (sw *sweep) send(op *openapi.Operation, path string, auth *credential, in sweepInput) (mocktest.Reply, error) {
	var body io.Reader
	if in.body != nil {
		body = bytes.NewReader(in.body)
		if in.chunked {
			body = io.MultiReader(body)
		}
	}
	target := sw.m.URL + path
	if in.query != "" {
		target += "?" + in.query
	}
	req, err := http.NewRequest(op.Method, target, body)
	if err != nil {
		return mocktest.Reply{}, err
	}
	switch {
	case in.noAuth:
	case in.cred != nil:
		req.Header.Set(in.cred.header, in.cred.value)
	case auth != nil:
		req.Header.Set(auth.header, auth.value)
	}
	if in.contentType != "" {
		req.Header.Set("Content-Type", in.contentType)
	}
	resp, err := sw.m.Client().Do(req)
	if err != nil {
		return mocktest.Reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return mocktest.Reply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}, err
}

// sweepExample is the first example the spec gives the operation's body, encoded, with its media
// type, with each field the fields hold set to theirs; none when the spec gives none.
func sweepExample(op *openapi.Operation, fields map[string]string) (contentType string, body []byte) {
	bodies := sweepExamples(op, fields)
	if len(bodies) == 0 {
		return "", nil
	}
	return bodies[0].contentType, bodies[0].body
}

// sweepExamples lists every example the spec gives the operation's body, JSON ones first, encoded, with
// each top-level field the fields hold set to theirs.
func sweepExamples(op *openapi.Operation, fields map[string]string) []sweepInput {
	fill := func(example any) map[string]any {
		filled := map[string]any{}
		ex, _ := example.(map[string]any)
		for k, v := range ex {
			filled[k] = v
			if f, ok := fields[k]; ok {
				filled[k] = f
			}
		}
		return filled
	}
	var out []sweepInput
	for _, ex := range op.RequestExamples(sweepJSON) {
		body, _ := json.Marshal(fill(ex))
		out = append(out, sweepInput{contentType: sweepJSON, body: body})
	}
	for _, ex := range op.RequestExamples(sweepForm) {
		form := url.Values{}
		for k, v := range fill(ex) {
			form.Set(k, fmt.Sprint(v))
		}
		out = append(out, sweepInput{contentType: sweepForm, body: []byte(form.Encode())})
	}
	return out
}

// sweepFields are a principal's credentials and attributes by the names the control API's Principal
// gives them, which are the names the APIs' own fields go by (client_id, username, password, ...).
func sweepFields(p mockapi.Principal) map[string]string {
	f := map[string]string{}
	for k, v := range p.Attributes {
		f[k] = v
	}
	for k, v := range map[string]string{"id": p.ID, "username": p.Username, "password": p.Password, "email": p.Email,
		"client_id": p.ClientID, "client_secret": p.ClientSecret} {
		if v != "" {
			f[k] = v
		}
	}
	return f
}

// credentials lists every credential the API's fixture principals can present: a bearer token from
// the first login that gives one, HTTP Basic with each client's id and secret, and each principal's
// attributes as an API key in each header the spec takes one in (an API key is an attribute of the
// control API's Principal). A login is a POST to an operation at a fixed path, of each example the
// spec gives its body (or of none), with the fields a principal has set to the principal's, with and
// without its Basic credentials; its token is the answer's access_token (RFC 6749's name).
func (sw *sweep) credentials(api, base string, spec *openapi.Spec) []credential {
	var logins, others []credential
	var principals []mockapi.Principal
	for _, p := range sw.m.Principals() {
		if p.API == api {
			principals = append(principals, p)
			if p.ClientID != "" {
				others = append(others, *authorization(basicAuth(p.ClientID, p.ClientSecret)))
			}
		}
	}
	for _, op := range spec.Operations() {
		for _, h := range op.APIKeyHeaders() {
			for _, p := range principals {
				for _, v := range p.Attributes {
					others = append(others, credential{h, v})
				}
			}
		}
	}
login:
	for _, op := range spec.Operations() {
		if op.Method != http.MethodPost || len(op.Parameters("path")) > 0 {
			continue
		}
		for _, p := range principals {
			bodies := sweepExamples(op, sweepFields(p))
			if len(bodies) == 0 {
				bodies = []sweepInput{{}}
			}
			auths := []*credential{nil}
			if p.ClientID != "" {
				auths = append(auths, authorization(basicAuth(p.ClientID, p.ClientSecret)))
			}
			for _, auth := range auths {
				for _, in := range bodies {
					r, err := sw.send(op, base+op.Path, auth, in)
					var token struct {
						AccessToken string `json:"access_token"`
					}
					if err == nil && r.Status < 300 && json.Unmarshal(r.Raw, &token) == nil && token.AccessToken != "" {
						logins = append(logins, *authorization("Bearer " + token.AccessToken))
						break login
					}
				}
			}
		}
	}
	return append(logins, others...)
}

// auth returns the credential that takes the operation past authentication: none for one that takes
// no credentials, else the first of creds it does not answer 401; false when none does.
func (sw *sweep) auth(op *openapi.Operation, path string, creds []credential) (*credential, bool) {
	if !op.Secured() {
		return nil, true
	}
	for _, c := range creds {
		if r, err := sw.send(op, path, &c, sweepInput{}); err == nil && r.Status != http.StatusUnauthorized {
			return &c, true
		}
	}
	return nil, false
}

func basicAuth(id, secret string) string {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(id, secret)
	return req.Header.Get("Authorization")
}
