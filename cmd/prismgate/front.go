package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/idvkit/idvkit/mockserver/apihttp"
)

// violation is one finding of Prism's on an exchange that went through it.
type violation struct {
	Method, Path string // the request (the path only: queries may carry tokens)
	Status       int    // what the mock answered
	Location     string // where: "response.body.reason_translations", "request.query.page"
	Severity     string // Prism's: Error, Warning, Information, Hint
	Message      string
}

// response reports whether the violation is about the response, which the gate fails on.
func (v violation) response() bool {
	return v.Location == truncatedLocation || strings.HasPrefix(v.Location, "response")
}

// disagreement reports whether Prism refused a request the mock accepted: the two validators read
// the request's spec differently. Other request violations are the suite's negative scenarios doing
// their job (answered 4xx), or a path outside the spec (the mock's end-user pages), which Prism
// reports as a warning.
func (v violation) disagreement() bool {
	return !v.response() && v.Severity == "Error" && v.Status >= 200 && v.Status < 300
}

// truncatedLocation marks a header Prism cut short: more violations than it holds, so some are unseen.
const truncatedLocation = "(more than Prism's sl-violations header holds)"

// parseViolations reads the sl-violations header Prism's proxy adds to a response when the exchange
// broke the spec: a JSON list of {location, severity, code, message}, or, past 8 KiB, "Too many
// violations! " and the list's start.
func parseViolations(header string) ([]violation, error) {
	if header == "" {
		return nil, nil
	}
	if rest, ok := strings.CutPrefix(header, "Too many violations! "); ok {
		return []violation{{Location: truncatedLocation, Severity: "Error", Message: truncate(rest, 300)}}, nil
	}
	var list []struct {
		Location []any `json:"location"`
		Severity string
		Message  string
	}
	if err := json.Unmarshal([]byte(header), &list); err != nil {
		return nil, fmt.Errorf("the sl-violations header does not parse: %v: %s", err, truncate(header, 300))
	}
	out := make([]violation, 0, len(list))
	for _, v := range list {
		parts := make([]string, len(v.Location))
		for i, p := range v.Location {
			parts[i] = fmt.Sprint(p)
		}
		out = append(out, violation{Location: strings.Join(parts, "."), Severity: v.Severity, Message: v.Message})
	}
	return out, nil
}

// front stands before Prism: it sends each request on through Prism and keeps the violations Prism
// reports on it, or, for a request Prism cannot carry as it was sent, straight to the mock.
type front struct {
	prism, mock http.Handler

	mu         sync.Mutex
	exchanges  int // requests that went through Prism
	direct     int // requests sent straight to the mock
	xmlBodies  int // findings on XML bodies, which Prism cannot judge (violation.ofXMLBody)
	violations []violation
	errs       []error // headers that did not parse
}

func newFront(prismURL, mockURL *url.URL) *front {
	f := &front{}
	prism := httputil.NewSingleHostReverseProxy(prismURL)
	prism.ModifyResponse = func(resp *http.Response) error {
		f.record(resp.Request, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("sl-violations"))
		// The suite sees the mock's response as the mock sent it.
		resp.Header.Del("sl-violations")
		return nil
	}
	f.prism, f.mock = prism, httputil.NewSingleHostReverseProxy(mockURL)
	return f
}

func (f *front) record(r *http.Request, status int, responseType, header string) {
	vs, err := parseViolations(header)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exchanges++
	if err != nil {
		f.errs = append(f.errs, fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, err))
	}
	for _, v := range vs {
		if v.ofXMLBody(r.Header.Get("Content-Type"), responseType) {
			f.xmlBodies++
			continue
		}
		v.Method, v.Path, v.Status = r.Method, r.URL.Path, status
		f.violations = append(f.violations, v)
	}
}

// ofXMLBody reports whether a violation is about an XML body, which @stoplight/prism-cli 5.16.0
// cannot judge: it validates an XML body's text as a string against the body's schema and reports
// that it "must be object" (stoplightio/prism#2050, open), whatever the body holds. Such a finding
// says nothing about the body, so the gate sets it aside, counted, and keeps every other check Prism
// makes of the exchange (its route, parameters, security, status and headers). XML bodies are judged
// by the mock's own validation and the suite's contract check, which read them by the same schemas
// (openapi's XML decoder); what the gate loses is Prism's second opinion on them, which it has none of.
func (v violation) ofXMLBody(requestType, responseType string) bool {
	switch {
	case v.Location == "request.body" || strings.HasPrefix(v.Location, "request.body."):
		return isXML(requestType)
	case v.Location == "response.body" || strings.HasPrefix(v.Location, "response.body."):
		return isXML(responseType)
	}
	return false
}

// isXML reports whether a media type is XML's: application/xml, text/xml or application/*+xml.
func isXML(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/xml" || mt == "text/xml" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+xml"))
}

// prismBodyLimit is the largest body Prism's server reads (micri's limit, "10mb").
const prismBodyLimit = 10 << 20

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, prismBodyLimit+1))
	if err != nil {
		http.Error(w, "prismgate: reading the request body: "+err.Error(), http.StatusBadGateway)
		return
	}
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	if prismCannotCarry(r.Header.Get("Content-Type"), body) {
		f.mu.Lock()
		f.direct++
		f.mu.Unlock()
		f.mock.ServeHTTP(w, r)
		return
	}
	f.prism.ServeHTTP(w, r)
}

// prismCannotCarry reports whether Prism cannot carry a body to the mock as it was sent, so that the
// gate sends it straight to the mock instead. The mock's own validation still checks the answer.
//
// Prism's server fails to read a JSON body (application/json or application/*+json) that does not
// parse, or any body over its limit, and @stoplight/prism-cli 5.16.0 then never answers: in
// prism-http-server's dist/server.js, parseRequestBody rejects, and its catch waits for the
// request's 'end' or 'close' event, which the fully read request stream has already emitted; the
// handler never settles and no response is written until the client gives up (the suite's
// EE-04-a/not-json then fails on its 30 s timeout). Prism validates nothing of such a request, so no
// check of Prism's is lost. This is Prism's bug, not the spec's.
//
// And Prism passes on a JSON body it parsed, not the bytes sent: encoded again without whitespace,
// and read as UTF-8, each byte that is not written as U+FFFD. So a JSON body over the mock's limit
// made of padding (RP-13-f) reaches the mock under it, and one with a Latin-1 byte (RP-13-g) reaches
// it as UTF-8: the mock would judge another request than the suite sent. The mock refuses both.
func prismCannotCarry(contentType string, body []byte) bool {
	if len(body) > prismBodyLimit {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || len(body) == 0 {
		return false
	}
	isJSON := mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
	return isJSON && (!json.Valid(body) || !utf8.Valid(body) || len(body) > apihttp.DefaultMaxBodyBytes)
}

// result is what went through the front for one API.
type result struct {
	api           string
	exchanges     int
	direct        int
	xmlBodies     int         // findings on XML bodies set aside
	violations    []violation // response violations
	disagreements []violation // requests Prism refused and the mock accepted
	requests      int         // other request violations
	errs          []error
	suite         error // the suite's verdict: nil when it passed
}

// passed: the suite passed, requests went through Prism, and Prism found no response breaking the
// spec and refused no request the mock accepted.
func (r result) passed() bool {
	return r.suite == nil && r.exchanges > 0 && len(r.violations)+len(r.disagreements)+len(r.errs) == 0
}

func (r result) summary() string {
	suite := "the suite passed"
	if r.suite != nil {
		suite = fmt.Sprintf("the suite failed (%v)", r.suite)
	}
	return fmt.Sprintf("%s; %d requests through Prism, %d straight to the mock (bodies Prism cannot carry as sent); %d response violations, "+
		"%d requests the mock accepted and Prism refused, %d other request violations (refused by both, or outside the spec); "+
		"%d findings on XML bodies set aside (Prism reads no XML)",
		suite, r.exchanges, r.direct, len(r.violations), len(r.disagreements), r.requests, r.xmlBodies)
}

func (f *front) result(api string) result {
	f.mu.Lock()
	defer f.mu.Unlock()
	res := result{api: api, exchanges: f.exchanges, direct: f.direct, xmlBodies: f.xmlBodies, errs: slices.Clone(f.errs)}
	for _, v := range f.violations {
		switch {
		case v.response():
			res.violations = append(res.violations, v)
		case v.disagreement():
			res.disagreements = append(res.disagreements, v)
		default:
			res.requests++
		}
	}
	return res
}

// index is an array index in a location or message ("items.3.reason_translations").
var index = regexp.MustCompile(`\.\d+(\.|$|\s)`)

// group counts violations alike but for array indices, keeping the first example of each.
func group(vs []violation) []string {
	type entry struct {
		first violation
		n     int
	}
	byKey := map[string]*entry{}
	var keys []string
	for _, v := range vs {
		key := v.Severity + " " + index.ReplaceAllString(v.Location, ".*$1") + ": " + index.ReplaceAllString(v.Message, ".*$1")
		if byKey[key] == nil {
			byKey[key] = &entry{first: v}
			keys = append(keys, key)
		}
		byKey[key].n++
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		e := byKey[k]
		out = append(out, fmt.Sprintf("%dx %s (first: %s %s -> %d)", e.n, k, e.first.Method, e.first.Path, e.first.Status))
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
