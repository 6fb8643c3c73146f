package mockserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/openapi"
)

const sweepJSON = "application/json"

// sweepInput is one class of bad input, as sent to one operation.
type sweepInput struct {
	name string
	// auth replaces the operation's credentials when set; noAuth sends none.
	auth   string
	noAuth bool
	// contentType and body are sent when body is set; chunked hides the body's length.
	contentType string
	body        []byte
	chunked     bool
	query       string
	// refused says the input must be refused: with status when every API answers it alike (the
	// README's bad-input table), else with a 4xx of the API's choosing. ignored says the answer must
	// be the clean request's: a body sent to an operation that takes none is ignored, and so are
	// credentials sent to one that takes none.
	refused, ignored bool
	status           int
}

// sweepInputs lists every class of bad input, for an operation.
func sweepInputs(op *openapi.Operation) []sweepInput {
	secured, body := op.Secured(), op.HasBody()
	huge := bytes.Repeat([]byte(" "), apihttp.DefaultMaxBodyBytes+1)
	in := []sweepInput{
		{name: "no credentials", noAuth: true},
		{name: "a garbage bearer token", auth: "Bearer garbage"},
		{name: "basic credentials that are not base64", auth: "Basic !!!"},
		{name: "unknown basic credentials", auth: basicAuth("nobody", "nothing")},
		{name: "credentials of another scheme", auth: "Digest username=x"},
		{name: "credentials that are not UTF-8", auth: "Bearer \xff\xfe"},
		{name: "a body over the limit", contentType: sweepJSON, body: huge, status: http.StatusRequestEntityTooLarge},
		{name: "a chunked body over the limit", contentType: sweepJSON, body: huge, chunked: true, status: http.StatusRequestEntityTooLarge},
		{name: "a body of the wrong media type", contentType: "text/plain", body: []byte("x")},
		{name: "a malformed form", contentType: formType, body: []byte("a=%zz")},
		{name: "a form that is not UTF-8 once unescaped", contentType: formType, body: []byte("a=%ff%fe")},
		{name: "a form that is not UTF-8", contentType: formType, body: []byte("a=\xff\xfe")},
		{name: "malformed JSON", contentType: sweepJSON, body: []byte(`{"a":`)},
		{name: "JSON that is not UTF-8", contentType: sweepJSON, body: []byte("{\"a\":\"\xff\xfe\"}")},
		{name: "JSON that escapes half a surrogate pair", contentType: sweepJSON, body: []byte(`{"a":"\ud800"}`)},
		{name: "a JSON body of no fields", contentType: sweepJSON, body: []byte(`{}`)},
		{name: "an unknown query parameter", query: "idvkit_unknown=1", ignored: true},
	}
	for i := range in {
		c := &in[i]
		switch {
		case c.body != nil: // a body matters only to an operation that takes one
			c.refused, c.ignored = body, !body
		case c.noAuth || c.auth != "": // credentials only to one that takes some
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

// Every operation of every registered API, sent every class of bad input by a client that knows only
// the spec and the fixtures, answers as its spec documents: never a 5xx (the mock validates every
// answer of its own, and one the spec does not document is a 500), a 4xx for what it must refuse, and
// for a body sent to an operation that takes none (every GET) the answer it gives without the body.
func TestEveryOperationAnswersBadInputAsItsSpecDocuments(t *testing.T) {
	m := mocktest.New(t)
	for _, api := range mockserver.Registered() {
		spec := openapi.MustLoad(api)
		base := "/" + api + spec.BasePaths()[0]
		logins := sweepCredentials(t, m, api, base, spec)
		for _, op := range spec.Operations() {
			t.Run(api+"/"+op.ID, func(t *testing.T) {
				path := base + op.Path
				for _, p := range op.Parameters("path") {
					path = strings.ReplaceAll(path, "{"+p+"}", "1")
				}
				auth := sweepAuth(t, m, op, path, logins)
				clean := sweepInput{name: "a clean request"}
				clean.contentType, clean.body = sweepExample(op, nil)
				want := sweepSend(t, m, op, path, auth, clean)
				require.Less(t, want.Status, 500, "a clean request: %s", want.Raw)
				for _, in := range sweepInputs(op) {
					if in.body == nil {
						in.contentType, in.body = clean.contentType, clean.body
					}
					r := sweepSend(t, m, op, path, auth, in)
					switch {
					case in.status != 0:
						assert.Equal(t, in.status, r.Status, "%s: %s", in.name, r.Raw)
					case in.refused:
						assert.True(t, r.Status >= 400 && r.Status < 500, "%s: refused with a 4xx, got %d: %s", in.name, r.Status, r.Raw)
					case in.ignored:
						assert.Equal(t, want.Status, r.Status, "%s: ignored, as the clean request: %s", in.name, r.Raw)
					default:
						assert.Less(t, r.Status, 500, "%s: %s", in.name, r.Raw)
					}
				}
			})
		}
	}
}

// sweepSend sends one input to an operation with the credentials given, unless the input brings its
// own.
func sweepSend(t *testing.T, m *mocktest.Server, op *openapi.Operation, path, auth string, in sweepInput) mocktest.Reply {
	t.Helper()
	var body io.Reader
	if in.body != nil {
		body = bytes.NewReader(in.body)
		if in.chunked {
			body = io.MultiReader(body)
		}
	}
	target := m.URL + path
	if in.query != "" {
		target += "?" + in.query
	}
	req, err := http.NewRequest(op.Method, target, body)
	require.NoError(t, err)
	switch {
	case in.noAuth:
	case in.auth != "":
		req.Header.Set("Authorization", in.auth)
	case auth != "":
		req.Header.Set("Authorization", auth)
	}
	if in.contentType != "" {
		req.Header.Set("Content-Type", in.contentType)
	}
	resp, err := m.Client().Do(req)
	require.NoError(t, err, in.name)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err, in.name)
	return mocktest.Reply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
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
	for _, ex := range op.RequestExamples(formType) {
		form := url.Values{}
		for k, v := range fill(ex) {
			form.Set(k, fmt.Sprint(v))
		}
		out = append(out, sweepInput{contentType: formType, body: []byte(form.Encode())})
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

// sweepCredentials lists every Authorization the API's fixture principals can present: a bearer token
// from the first login that gives one, and HTTP Basic with each client's id and secret. A login is a
// POST to an operation at a fixed path, of each example the spec gives its body (or of none), with the
// fields a principal has set to the principal's, with and without its Basic credentials; its token
// is the answer's access_token (RFC 6749's name).
func sweepCredentials(t *testing.T, m *mocktest.Server, api, base string, spec *openapi.Spec) []string {
	t.Helper()
	var logins, basics []string
	var principals []mockapi.Principal
	for _, p := range m.Principals() {
		if p.API == api {
			principals = append(principals, p)
			if p.ClientID != "" {
				basics = append(basics, basicAuth(p.ClientID, p.ClientSecret))
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
			auths := []string{""}
			if p.ClientID != "" {
				auths = append(auths, basicAuth(p.ClientID, p.ClientSecret))
			}
			for _, auth := range auths {
				for _, in := range bodies {
					r := sweepSend(t, m, op, base+op.Path, auth, in)
					var token struct {
						AccessToken string `json:"access_token"`
					}
					if r.Status < 300 && json.Unmarshal(r.Raw, &token) == nil && token.AccessToken != "" {
						logins = append(logins, "Bearer "+token.AccessToken)
						break login
					}
				}
			}
		}
	}
	return append(logins, basics...)
}

// sweepAuth returns the Authorization that takes the operation past authentication: none for one that
// takes no credentials, else the first of the logins it does not answer 401.
func sweepAuth(t *testing.T, m *mocktest.Server, op *openapi.Operation, path string, logins []string) string {
	t.Helper()
	if !op.Secured() {
		return ""
	}
	for _, auth := range logins {
		if r := sweepSend(t, m, op, path, auth, sweepInput{}); r.Status != http.StatusUnauthorized {
			return auth
		}
	}
	t.Fatalf("no login of the fixtures gets past the authentication of %s", op.ID)
	return ""
}
