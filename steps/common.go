package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cucumber/godog"
	"github.com/golang-jwt/jwt/v5"
)

// registerCommonSteps adds the steps every API's features share: principals of named roles,
// requests as a principal or anonymously, the clock, the outbox, and checks on the last response.
// Values saved by earlier steps are written ${name}, a principal's ${anna.password}.
func registerCommonSteps(sc *godog.ScenarioContext) {
	sc.Step(`^"([^"]*)" has the role "([^"]*)"$`, hasRole)

	sc.Step(`^"([^"]*)" sends "([A-Z]+) ([^"]*)"$`, func(ctx context.Context, name, method, target string) error {
		return sendAs(ctx, name, method, target, "", "")
	})
	sc.Step(`^"([^"]*)" sends "([A-Z]+) ([^"]*)" with the form:$`, func(ctx context.Context, name, method, target string, t *godog.Table) error {
		return sendForm(ctx, name, method, target, t)
	})
	sc.Step(`^"([^"]*)" sends "([A-Z]+) ([^"]*)" with a "([^"]*)" body:$`, func(ctx context.Context, name, method, target, contentType string, doc *godog.DocString) error {
		return sendAs(ctx, name, method, target, contentType, doc.Content)
	})
	sc.Step(`^a client sends "([A-Z]+) ([^"]*)"$`, func(ctx context.Context, method, target string) error {
		return sendAs(ctx, "", method, target, "", "")
	})
	sc.Step(`^a client sends "([A-Z]+) ([^"]*)" with the form:$`, func(ctx context.Context, method, target string, t *godog.Table) error {
		return sendForm(ctx, "", method, target, t)
	})
	sc.Step(`^a client sends "([A-Z]+) ([^"]*)" with a "([^"]*)" body:$`, func(ctx context.Context, method, target, contentType string, doc *godog.DocString) error {
		return sendAs(ctx, "", method, target, contentType, doc.Content)
	})
	sc.Step(`^a client sends "([A-Z]+) ([^"]*)" with a "([^"]*)" body padded with spaces to (\d+) bytes:$`, sendPadded)
	sc.Step(`^a client sends "([A-Z]+) ([^"]*)" with a "([^"]*)" body, its "([^"]*)" sent as Latin-1:$`, sendLatin1)
	sc.Step(`^a client sends "([A-Z]+) ([^"]*)" with the header "([^"]*)" set to "([^"]*)"$`, func(ctx context.Context, method, target, name, value string) error {
		return sendWithHeader(ctx, "", method, target, name, value, "", nil)
	})
	sc.Step(`^"([^"]*)" sends "([A-Z]+) ([^"]*)" with the header "([^"]*)" set to "([^"]*)"$`, func(ctx context.Context, actor, method, target, name, value string) error {
		return sendWithHeader(ctx, actor, method, target, name, value, "", nil)
	})
	sc.Step(`^a client sends "([A-Z]+) ([^"]*)" with the header "([^"]*)" set to "([^"]*)" and a "([^"]*)" body:$`, func(ctx context.Context, method, target, name, value, contentType string, doc *godog.DocString) error {
		return sendWithHeader(ctx, "", method, target, name, value, contentType, doc)
	})
	sc.Step(`^"([^"]*)" accepts "([^"]*)"$`, accepts)
	sc.Step(`^the query parameter "([^"]*)" of "([^"]*)" is saved as "([^"]*)"$`, saveQueryParameter)
	sc.Step(`^"([^"]*)" opens the link in the response field "([^"]*)"$`, openLink)

	sc.Step(`^the response status is (\d{3})$`, statusIs)
	sc.Step(`^the response status is 4xx$`, statusIs4xx)
	sc.Step(`^the response field "([^"]*)" is `+literalPattern+`$`, fieldIs)
	sc.Step(`^the response field "([^"]*)" has (\d+) items?$`, fieldHasItems)
	sc.Step(`^the response field "([^"]*)" is (\d+) seconds? after the response field "([^"]*)"$`, fieldIsSecondsAfter)
	sc.Step(`^the response field "([^"]*)" is (\$\{[^}]*\}) (plus|minus) (\d+)$`, fieldIsSavedPlus)
	sc.Step(`^the response field "([^"]*)" is not empty$`, fieldIsNotEmpty)
	sc.Step(`^the response field "([^"]*)" mentions "([^"]*)"$`, fieldMentions)
	sc.Step(`^the response field "([^"]*)" is a positive integer$`, fieldIsPositiveInteger)
	sc.Step(`^the response field "([^"]*)" equals the response status$`, fieldIsStatus)
	sc.Step(`^the response has no field "([^"]*)"$`, noField)
	sc.Step(`^the response has the field "([^"]*)"$`, hasField)
	sc.Step(`^the response is saved as "([^"]*)"$`, saveResponse)
	sc.Step(`^the response carries the same values as the response saved as "([^"]*)"$`, sameValues)
	sc.Step(`^the response field "([^"]*)" is saved as "([^"]*)"$`, saveField)
	sc.Step(`^the value "([^"]*)" is saved as "([^"]*)"$`, saveValue)
	sc.Step(`^the response field "([^"]*)" is a JWT that expires (\d+) seconds after it was issued$`, jwtExpiresAfter)
	sc.Step(`^the response field "([^"]*)" is a JWT that never expires$`, func(ctx context.Context, path string) error {
		return jwtExpiresAfter(ctx, path, -1)
	})
	sc.Step(`^the response field "([^"]*)" is a JWT with an expiry$`, jwtHasExpiry)
	sc.Step(`^the response field "([^"]*)" is a JWT signed with (HS256|RS256)$`, jwtSignedWith)
	sc.Step(`^the response field "([^"]*)" is a JWT that verifies with the target's JWKS$`, jwtVerifiesWithJWKS)
	sc.Step(`^the response header "([^"]*)" is "([^"]*)"$`, headerIs)
	sc.Step(`^the response body starts with "([^"]*)"$`, bodyStartsWith)

	sc.Step(`^the (code|link) of the latest "([^"]*)" message to "([^"]*)" is saved as "([^"]*)"$`, saveFromOutbox)
	sc.Step(`^no "([^"]*)" message was sent to "([^"]*)"$`, noMessageTo)
	sc.Step(`^(\d+) seconds? pass(?:es)?$`, func(ctx context.Context, n int) error {
		return advance(ctx, time.Duration(n)*time.Second)
	})
	sc.Step(`^(\d+) milliseconds? pass(?:es)?$`, func(ctx context.Context, n int) error {
		return advance(ctx, time.Duration(n)*time.Millisecond)
	})
	sc.Step(`^the clock is (\d+) seconds? before "([^"]*)"$`, clockBefore)
	sc.Step(`^the token of "([^"]*)" has (\d+) seconds? left$`, tokenHasLeft)
	sc.Step(`^the token of "([^"]*)" expires$`, func(ctx context.Context, name string) error { return tokenHasLeft(ctx, name, 0) })
}

// hasRole introduces a principal of a fixture role: made by the target's control API when it offers
// users.create, else taken from the principals file, else the scenario is skipped with that reason.
func hasRole(ctx context.Context, name, role string) error {
	w := worldFrom(ctx)
	var p Principal
	switch {
	case w.caps["users.create"]:
		if err := w.controlJSON(ctx, http.MethodPost, "/principals", map[string]string{"role": role}, &p); err != nil {
			return err
		}
	case w.principals[role].Role != "":
		p = w.principals[role]
	default:
		return w.skip(fmt.Sprintf("no credentials for role %s: the target lacks users.create and the principals file has none", role))
	}
	w.keepSecret(p.Password)
	w.keepSecret(p.ClientSecret)
	for k, v := range p.Attributes {
		if secretKey.MatchString(k) {
			w.keepSecret(v)
		}
	}
	w.actors[name] = &actor{name: name, Principal: p}
	return nil
}

// sendAs sends a request as the named principal, or anonymously when name is empty, with the body
// interpolated and escaped for its content type.
func sendAs(ctx context.Context, name, method, target, contentType, body string) error {
	return sendAsWith(ctx, name, method, target, contentType, body, nil)
}

// sendAsWith is sendAs with headers of the step's own (interpolated already), set on top of the
// principal's credentials.
func sendAsWith(ctx context.Context, name, method, target, contentType, body string, header http.Header) error {
	w := worldFrom(ctx)
	var raw []byte
	if contentType != "" {
		var err error
		if raw, err = w.body(contentType, body); err != nil {
			return err
		}
	}
	return sendRawWith(ctx, name, method, target, contentType, raw, header)
}

// sendRaw sends a request as the named principal, or anonymously when name is empty, with the body
// as it is.
func sendRaw(ctx context.Context, name, method, target, contentType string, body []byte) error {
	return sendRawWith(ctx, name, method, target, contentType, body, nil)
}

// sendRawWith is sendRaw with headers of the step's own, set on top of the principal's credentials.
func sendRawWith(ctx context.Context, name, method, target, contentType string, body []byte, header http.Header) error {
	w := worldFrom(ctx)
	var a *actor
	if name != "" {
		var err error
		if a, err = w.actor(name); err != nil {
			return err
		}
	}
	target, err := w.interpolateURL(target)
	if err != nil {
		return err
	}
	_, err = w.requestWith(ctx, a, method, target, contentType, body, header)
	return err
}

// body is a doc string interpolated, each value escaped for the content type it is sent as.
func (w *World) body(contentType, doc string) ([]byte, error) {
	escape := func(s string) string { return s }
	switch {
	case strings.Contains(contentType, "json"):
		escape = jsonEscape
	case strings.Contains(contentType, "xml"):
		escape = xmlEscape
	}
	body, err := w.interpolate(doc, escape)
	return []byte(body), err
}

// sendPadded sends a body followed by spaces (whitespace to JSON and XML) up to exactly size bytes:
// a valid body at a size limit, or a byte over it.
func sendPadded(ctx context.Context, method, target, contentType string, size int, doc *godog.DocString) error {
	raw, err := worldFrom(ctx).body(contentType, doc.Content)
	if err != nil {
		return err
	}
	if len(raw) > size {
		return fmt.Errorf("the body is %d bytes already, more than %d", len(raw), size)
	}
	return sendRaw(ctx, "", method, target, contentType, append(raw, bytes.Repeat([]byte(" "), size-len(raw))...))
}

// sendLatin1 sends a body with every occurrence of one character of Latin-1 (U+0080 to U+00FF)
// written as its single Latin-1 byte instead of UTF-8: a body that is not UTF-8, which a feature
// file, UTF-8 itself, cannot hold.
func sendLatin1(ctx context.Context, method, target, contentType, char string, doc *godog.DocString) error {
	r, size := utf8.DecodeRuneInString(char)
	if size != len(char) || r < 0x80 || r > 0xff {
		return fmt.Errorf("%q is not one character of Latin-1 beyond ASCII (U+0080 to U+00FF)", char)
	}
	raw, err := worldFrom(ctx).body(contentType, doc.Content)
	if err != nil {
		return err
	}
	if !bytes.Contains(raw, []byte(char)) {
		return fmt.Errorf("the body has no %q to send as Latin-1", char)
	}
	return sendRaw(ctx, "", method, target, contentType, bytes.ReplaceAll(raw, []byte(char), []byte{byte(r)}))
}

// sendForm sends a form whose rows are name | value; values are interpolated.
func sendForm(ctx context.Context, name, method, target string, t *godog.Table) error {
	w := worldFrom(ctx)
	form := url.Values{}
	for _, row := range t.Rows {
		if len(row.Cells) != 2 {
			return fmt.Errorf("a form table has two columns, name | value")
		}
		v, err := w.interpolateText(row.Cells[1].Value)
		if err != nil {
			return err
		}
		form.Add(row.Cells[0].Value, v)
	}
	return sendAs(ctx, name, method, target, "application/x-www-form-urlencoded", form.Encode())
}

func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// sendWithHeader sends a request with one header of the scenario's choosing (a malformed
// Authorization, a saved token, an API key, an Accept), its value interpolated: anonymously when actor
// is empty, else on top of the principal's credentials; with a body when doc is not nil.
func sendWithHeader(ctx context.Context, actor, method, target, name, value, contentType string, doc *godog.DocString) error {
	value, err := worldFrom(ctx).interpolateText(value)
	if err != nil {
		return err
	}
	body := ""
	if doc != nil {
		body = doc.Content
	}
	return sendAsWith(ctx, actor, method, target, contentType, body, http.Header{name: {value}})
}

// accepts makes every later request of a principal carry an Accept header (one that sets its own
// keeps it): a client that asks for XML throughout.
func accepts(ctx context.Context, name, accept string) error {
	a, err := worldFrom(ctx).actor(name)
	if err != nil {
		return err
	}
	a.accept = accept
	return nil
}

// saveQueryParameter keeps a query parameter of a URL (interpolated: a link a step saved) for later
// steps, as a site reads the token from the link a user followed; a credential's value is kept out of
// printed errors.
func saveQueryParameter(ctx context.Context, param, link, name string) error {
	w := worldFrom(ctx)
	link, err := w.interpolateText(link)
	if err != nil {
		return err
	}
	u, err := url.Parse(link)
	if err != nil {
		return fmt.Errorf("%s is not a URL: %w", redactLink(link), err)
	}
	values, ok := u.Query()[param]
	if !ok || len(values) == 0 {
		return fmt.Errorf("%s has no query parameter %q", redactURL(u), param)
	}
	if secretKey.MatchString(param) || secretKey.MatchString(name) {
		w.keepSecret(values[0])
	}
	w.vars[name] = values[0]
	return nil
}

// redactLink is a link without its query, for messages, when it does not parse as a URL.
func redactLink(link string) string {
	path, _, _ := strings.Cut(link, "?")
	return path
}

// openLink follows a link the API handed out, as the named principal.
func openLink(ctx context.Context, name, path string) error {
	w := worldFrom(ctx)
	v, err := w.mustField(path)
	if err != nil {
		return err
	}
	link, ok := v.(string)
	if !ok || link == "" {
		return fmt.Errorf("%s is not a link: %v", path, v)
	}
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	_, err = w.request(ctx, a, http.MethodGet, link, "", nil)
	return err
}

func statusIs(ctx context.Context, want int) error {
	r, err := worldFrom(ctx).lastResponse()
	if err != nil {
		return err
	}
	if r.status != want {
		return fmt.Errorf("expected status %d, got %d: %s", want, r.status, excerpt(r.raw))
	}
	return nil
}

// statusIs4xx is for rules that name only a client error; a 5xx never passes.
func statusIs4xx(ctx context.Context) error {
	r, err := worldFrom(ctx).lastResponse()
	if err != nil {
		return err
	}
	if r.status < 400 || r.status > 499 {
		return fmt.Errorf("expected a 4xx status, got %d: %s", r.status, excerpt(r.raw))
	}
	return nil
}

// fieldIs compares a field with a literal: a "string", a number, true, false, null, or a saved
// ${value}, which matches a string or a number written the same way.
// literalPattern is what a field can be compared with: a string (interpolated), a number, true, false,
// null, an empty object or array, or a saved value.
const literalPattern = `("[^"]*"|-?\d+(?:\.\d+)?|true|false|null|\{\}|\[\]|\$\{[^}]*\})`

func fieldIs(ctx context.Context, path, literal string) error {
	w := worldFrom(ctx)
	got, err := w.mustField(path)
	if err != nil {
		return err
	}
	var want any
	switch {
	case strings.HasPrefix(literal, "${"):
		s, err := w.resolve(literal[2 : len(literal)-1])
		if err != nil {
			return err
		}
		if text, ok := asText(got); ok && text == s {
			return nil
		}
		return fmt.Errorf("expected %s to be %s, got %v", path, literal, got)
	case strings.HasPrefix(literal, `"`):
		if want, err = w.interpolateText(strings.Trim(literal, `"`)); err != nil {
			return err
		}
	default:
		if err := json.Unmarshal([]byte(literal), &want); err != nil {
			return fmt.Errorf("%s is not a literal: %w", literal, err)
		}
		if w.last.xml && want != nil {
			want = strings.Trim(literal, `"`) // every XML leaf is text
		}
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("expected %s to be %s, got %v", path, literal, got)
	}
	return nil
}

// fieldHasItems checks the number of items of an array, or of fields of an object.
func fieldHasItems(ctx context.Context, path string, n int) error {
	v, err := worldFrom(ctx).mustField(path)
	if err != nil {
		return err
	}
	got := -1
	switch t := v.(type) {
	case []any:
		got = len(t)
	case map[string]any:
		got = len(t)
	}
	if got != n {
		return fmt.Errorf("expected %s to have %d items, got %v", path, n, v)
	}
	return nil
}

// fieldIsSecondsAfter checks that a date-time field is exactly n seconds after another
// (RFC 3339 both): a lifetime, read from what the target answered.
func fieldIsSecondsAfter(ctx context.Context, later string, n int, earlier string) error {
	w := worldFrom(ctx)
	var at [2]time.Time
	for i, path := range []string{later, earlier} {
		v, err := w.mustField(path)
		if err != nil {
			return err
		}
		s, _ := v.(string)
		if at[i], err = time.Parse(time.RFC3339Nano, s); err != nil {
			return fmt.Errorf("%s is not an RFC 3339 date-time: %v", path, v)
		}
	}
	if d := at[0].Sub(at[1]); d != time.Duration(n)*time.Second {
		return fmt.Errorf("expected %s to be %d s after %s, got %s (%s and %s)", later, n, earlier, d, at[0], at[1])
	}
	return nil
}

// asText writes a JSON string or number as text, for comparing with saved values.
func asText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	}
	return "", false
}

func fieldIsNotEmpty(ctx context.Context, path string) error {
	v, err := worldFrom(ctx).mustField(path)
	if err != nil {
		return err
	}
	if v == nil || v == "" {
		return fmt.Errorf("expected %s to be non-empty, got %v", path, v)
	}
	return nil
}

// fieldMentions checks that a field is a string holding a text (interpolated), case-sensitively:
// an error message that names the field it is about.
func fieldMentions(ctx context.Context, path, text string) error {
	w := worldFrom(ctx)
	v, err := w.mustField(path)
	if err != nil {
		return err
	}
	if text, err = w.interpolateText(text); err != nil {
		return err
	}
	if s, ok := v.(string); !ok || !strings.Contains(s, text) {
		return fmt.Errorf("expected %s to mention %q, got %v", path, text, v)
	}
	return nil
}

func fieldIsPositiveInteger(ctx context.Context, path string) error {
	v, err := worldFrom(ctx).mustField(path)
	if err != nil {
		return err
	}
	n, ok := v.(float64)
	if !ok || n < 1 || n != math.Trunc(n) {
		return fmt.Errorf("expected %s to be a positive integer, got %v", path, v)
	}
	return nil
}

// fieldIsStatus checks an error body that repeats the status (RamBase's httpStatusCode).
func fieldIsStatus(ctx context.Context, path string) error {
	w := worldFrom(ctx)
	v, err := w.mustField(path)
	if err != nil {
		return err
	}
	if text, _ := asText(v); text != strconv.Itoa(w.last.status) {
		return fmt.Errorf("%s is %v but the status is %d", path, v, w.last.status)
	}
	return nil
}

func noField(ctx context.Context, path string) error {
	_, ok, err := worldFrom(ctx).field(path)
	if err != nil {
		return err
	}
	if ok {
		return fmt.Errorf("expected no field %q, but the response has it", path)
	}
	return nil
}

// hasField checks a field is present, whatever its value: an empty list is present, where "is not
// empty" would say something else.
func hasField(ctx context.Context, path string) error {
	_, err := worldFrom(ctx).mustField(path)
	return err
}

// saveResponse keeps the last response's body, decoded, for a later step to compare with.
func saveResponse(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	r, err := w.lastResponse()
	if err != nil {
		return err
	}
	if r.body == nil {
		return fmt.Errorf("the response is neither JSON nor XML: %s", excerpt(r.raw))
	}
	if w.bodies == nil {
		w.bodies = map[string]any{}
	}
	w.bodies[name] = r.body
	return nil
}

// sameValues compares the last response's body with one saved before, each as it decodes (an XML body
// by its schema, so its JSON form and it compare alike), naming the first path where they differ.
func sameValues(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	r, err := w.lastResponse()
	if err != nil {
		return err
	}
	saved, ok := w.bodies[name]
	if !ok {
		return fmt.Errorf("no step saved a response as %q", name)
	}
	if path, differ := firstDifference(saved, r.body, ""); differ {
		return fmt.Errorf("the response differs from the one saved as %q at %s", name, path)
	}
	return nil
}

// firstDifference is the first path (in key order) where two decoded bodies differ, with both values
// when they are not credentials.
func firstDifference(a, b any, path string) (string, bool) {
	where := func() string {
		if path == "" {
			return "the root"
		}
		return path
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s (an object, then %T)", where(), b), true
		}
		keys := slices.Sorted(maps.Keys(x))
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if _, ok := x[k]; !ok {
				return p + " (absent, then present)", true
			}
			if _, ok := y[k]; !ok {
				return p + " (present, then absent)", true
			}
			if d, differ := firstDifference(x[k], y[k], p); differ {
				return d, true
			}
		}
		return "", false
	case []any:
		y, ok := b.([]any)
		if !ok {
			return fmt.Sprintf("%s (an array, then %T)", where(), b), true
		}
		if len(x) != len(y) {
			return fmt.Sprintf("%s (%d items, then %d)", where(), len(x), len(y)), true
		}
		for i := range x {
			if d, differ := firstDifference(x[i], y[i], fmt.Sprintf("%s[%d]", path, i)); differ {
				return d, true
			}
		}
		return "", false
	}
	if reflect.DeepEqual(a, b) {
		return "", false
	}
	if secretKey.MatchString(path) {
		return where() + " (values not shown: a credential)", true
	}
	return fmt.Sprintf("%s (%v, then %v)", where(), a, b), true
}

// saveField keeps a string or number field for later steps as ${name}; a credential's value is kept
// out of printed errors.
func saveField(ctx context.Context, path, name string) error {
	w := worldFrom(ctx)
	v, err := w.mustField(path)
	if err != nil {
		return err
	}
	text, ok := asText(v)
	if !ok {
		return fmt.Errorf("%s is %v: only strings and numbers can be saved", path, v)
	}
	if secretKey.MatchString(path) || secretKey.MatchString(name) {
		w.keepSecret(text)
	}
	w.vars[name] = text
	return nil
}

// saveValue keeps a value, interpolated, for later steps: a password before it changes, say.
func saveValue(ctx context.Context, value, name string) error {
	w := worldFrom(ctx)
	v, err := w.interpolateText(value)
	if err != nil {
		return err
	}
	if secretKey.MatchString(value) || secretKey.MatchString(name) {
		w.keepSecret(v)
	}
	w.vars[name] = v
	return nil
}

func headerIs(ctx context.Context, name, want string) error {
	r, err := worldFrom(ctx).lastResponse()
	if err != nil {
		return err
	}
	if got := r.header.Get(name); got != want {
		return fmt.Errorf("expected header %s to be %q, got %q", name, want, got)
	}
	return nil
}

func bodyStartsWith(ctx context.Context, prefix string) error {
	r, err := worldFrom(ctx).lastResponse()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(string(r.raw), prefix) {
		return fmt.Errorf("expected the body to start with %q: %s", prefix, excerpt(r.raw[:min(len(r.raw), 40)]))
	}
	return nil
}

// fieldIsSavedPlus compares a number field with a saved number plus or minus n: a balance one less
// than it was.
func fieldIsSavedPlus(ctx context.Context, path, ref, op string, n int) error {
	w := worldFrom(ctx)
	got, err := w.mustField(path)
	if err != nil {
		return err
	}
	saved, err := w.resolve(ref[2 : len(ref)-1])
	if err != nil {
		return err
	}
	base, err := strconv.ParseFloat(saved, 64)
	if err != nil {
		return fmt.Errorf("%s is %q, not a number", ref, saved)
	}
	want := base + float64(n)
	if op == "minus" {
		want = base - float64(n)
	}
	if text, _ := asText(got); text != strconv.FormatFloat(want, 'f', -1, 64) {
		return fmt.Errorf("expected %s to be %s %s %d = %v, got %v", path, ref, op, n, want, got)
	}
	return nil
}

// outboxMessages reads the messages of a kind sent to an address (capability outbox), oldest first.
func outboxMessages(ctx context.Context, kind, to string) ([]outboxMessage, error) {
	w := worldFrom(ctx)
	if err := w.need("outbox"); err != nil {
		return nil, err
	}
	var box struct {
		Items []outboxMessage `json:"items"`
	}
	q := url.Values{"kind": {kind}, "to": {to}}
	err := w.controlJSON(ctx, http.MethodGet, "/outbox?"+q.Encode(), nil, &box)
	return box.Items, err
}

type outboxMessage struct{ Code, Link string }

// noMessageTo checks that no message of a kind went to an address (interpolated): a reset link for
// an email that is not on file, say.
func noMessageTo(ctx context.Context, kind, to string) error {
	w := worldFrom(ctx)
	to, err := w.interpolateText(to)
	if err != nil {
		return err
	}
	msgs, err := outboxMessages(ctx, kind, to)
	if err != nil {
		return err
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%d %s message(s) were sent to %s", len(msgs), kind, to)
	}
	return nil
}

// saveFromOutbox reads the newest message of a kind to a principal (its email, else its username)
// from the target's outbox (capability outbox), and keeps its code or link as ${name}. A target whose
// test build fixes the code (test_data: {otp: "123456"}, and `outbox` among its declared
// capabilities) gives that instead.
func saveFromOutbox(ctx context.Context, part, kind, to, name string) error {
	w := worldFrom(ctx)
	a, err := w.actor(to)
	if err != nil {
		return err
	}
	addr := a.Email
	if addr == "" {
		addr = a.Username
	}
	if fixed := w.testData[kind]; fixed != "" && part == "code" {
		w.vars[name] = fixed
		return nil
	}
	msgs, err := outboxMessages(ctx, kind, addr)
	if err != nil {
		return err
	}
	if len(msgs) == 0 {
		return fmt.Errorf("no %s message was sent to %s", kind, addr)
	}
	latest := msgs[len(msgs)-1]
	v := latest.Code
	if part == "link" {
		v = latest.Link
	}
	if v == "" {
		return fmt.Errorf("the latest %s message to %s has no %s", kind, addr, part)
	}
	w.keepSecret(v)
	w.vars[name] = v
	return nil
}

// advance moves the target's clock (capability clock.advance).
func advance(ctx context.Context, d time.Duration) error {
	w := worldFrom(ctx)
	if err := w.need("clock.advance"); err != nil {
		return err
	}
	return w.controlJSON(ctx, http.MethodPost, "/clock/advance", map[string]float64{"seconds": d.Seconds()}, nil)
}

// tokenHasLeft moves the clock to `left` seconds before the principal's token expires, with the
// lifetime its login gave, so it holds whatever lifetime the target uses. A JWT says when it expires,
// and then the clock moves to that exp less `left`, read on the target's clock: on a served target,
// whose clock runs in real time, the time the login and the steps since took, and an exp truncated
// to whole seconds, would otherwise eat into the `left` seconds. An opaque token is counted from
// now, as if it had just been issued.
func tokenHasLeft(ctx context.Context, name string, left int) error {
	w := worldFrom(ctx)
	a, err := w.actor(name)
	if err != nil {
		return err
	}
	if a.token == "" || a.expiresIn == 0 {
		return fmt.Errorf("%q has no token with a known lifetime: log in first", name)
	}
	if claims, err := jwtClaims(a.token); err == nil {
		if exp, ok := claims["exp"].(float64); ok {
			return advanceTo(ctx, time.Unix(int64(exp), 0).Add(-time.Duration(left)*time.Second))
		}
	}
	return advance(ctx, time.Duration(a.expiresIn-left)*time.Second)
}

// clockBefore moves the clock to `before` seconds ahead of a time the target wrote (RFC 3339,
// interpolated: "${expires}"), such as a link's expiry.
func clockBefore(ctx context.Context, before int, at string) error {
	v, err := worldFrom(ctx).interpolateText(at)
	if err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("%q is not an RFC 3339 time: %w", v, err)
	}
	return advanceTo(ctx, t.Add(-time.Duration(before)*time.Second))
}

// advanceTo moves the clock to t, read on the target's clock. On a served target, whose clock runs
// in real time, a duration counted from when the target wrote a time would lose the time the steps
// since took, and what the target truncated to whole seconds.
func advanceTo(ctx context.Context, t time.Time) error {
	w := worldFrom(ctx)
	if err := w.need("clock.advance"); err != nil {
		return err
	}
	var clock struct {
		Now time.Time `json:"now"`
	}
	if err := w.controlJSON(ctx, http.MethodGet, "/clock", nil, &clock); err != nil {
		return err
	}
	d := t.Sub(clock.Now)
	if d < 0 {
		return fmt.Errorf("the target's clock is past %s already (now %s)", t.Format(time.RFC3339), clock.Now.Format(time.RFC3339Nano))
	}
	return advance(ctx, d)
}

// jwtExpiresAfter checks that a field is a three-part JWT whose exp is the given number of seconds
// after its iat, or (seconds < 0) that it has no exp. The signature is the target's business: the
// claims are read, not verified.
func jwtExpiresAfter(ctx context.Context, path string, seconds int) error {
	claims, err := jwtField(ctx, path)
	if err != nil {
		return err
	}
	exp, hasExp := claims["exp"].(float64)
	iat, hasIat := claims["iat"].(float64)
	switch {
	case seconds < 0 && hasExp:
		return fmt.Errorf("%s expires (exp %v), but should never", path, exp)
	case seconds < 0:
		return nil
	case !hasExp || !hasIat:
		return fmt.Errorf("%s lacks exp or iat: %v", path, slices.Sorted(maps.Keys(claims)))
	case int(exp-iat) != seconds:
		return fmt.Errorf("%s expires %d seconds after it was issued, not %d", path, int(exp-iat), seconds)
	}
	return nil
}

// jwtHasExpiry checks that a field is a JWT with an exp claim, whatever its lifetime.
func jwtHasExpiry(ctx context.Context, path string) error {
	claims, err := jwtField(ctx, path)
	if err != nil {
		return err
	}
	if _, ok := claims["exp"].(float64); !ok {
		return fmt.Errorf("%s has no exp: %v", path, slices.Sorted(maps.Keys(claims)))
	}
	return nil
}

// jwtSignedWith checks that a field is a JWT whose header names the algorithm given. The signature
// is not checked here (jwtVerifiesWithJWKS does).
func jwtSignedWith(ctx context.Context, path, alg string) error {
	v, err := worldFrom(ctx).mustField(path)
	if err != nil {
		return err
	}
	tok, _ := v.(string)
	if strings.Count(tok, ".") != 2 {
		return fmt.Errorf("%s is not a JWT: a JWT has three parts", path)
	}
	parsed, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	if err != nil {
		return fmt.Errorf("%s is not a JWT: %w", path, err)
	}
	if got := parsed.Header["alg"]; got != alg {
		return fmt.Errorf("%s is signed with %v, not %s", path, got, alg)
	}
	return nil
}

// jwtField reads the claims of a JWT a field holds, without verifying it.
func jwtField(ctx context.Context, path string) (jwt.MapClaims, error) {
	v, err := worldFrom(ctx).mustField(path)
	if err != nil {
		return nil, err
	}
	tok, _ := v.(string)
	claims, err := jwtClaims(tok)
	if err != nil {
		return nil, fmt.Errorf("%s is not a JWT: %w", path, err)
	}
	return claims, nil
}

// jwtClaims reads a JWT's claims without verifying it.
func jwtClaims(tok string) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	if strings.Count(tok, ".") != 2 {
		return nil, fmt.Errorf("a JWT has three parts")
	}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
		return nil, err
	}
	return claims, nil
}

// jwtLifetime is a JWT's exp minus its iat in seconds, or 0 when it is not a JWT with both.
func jwtLifetime(tok string) int {
	claims, err := jwtClaims(tok)
	if err != nil {
		return 0
	}
	exp, _ := claims["exp"].(float64)
	iat, _ := claims["iat"].(float64)
	if exp == 0 || iat == 0 {
		return 0
	}
	return int(exp - iat)
}
