package journal_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/journal"
	"github.com/idvkit/idvkit/openapi"
)

var start = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// clock is a settable clock for the journal's times.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

func newJournal(size int) (*journal.Journal, *clock) {
	c := &clock{now: start}
	return journal.New(journal.Config{Size: size, Now: c.Now}), c
}

var (
	rambase      = openapi.MustLoad("rambase")
	getToken     = rambase.Operation("getAccessToken")
	verify       = rambase.Operation("verifyIdVerificationToken")
	badGrantType = &openapi.Failure{Kind: openapi.KindBody, Field: "/grant_type", Rule: "enum"}
)

// A JWT as RamBase's clients send one, and a client secret: neither may show anywhere.
const (
	jwt    = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NjYiLCJleHAiOjE4OTM0NTYwMDB9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
	secret = "forecast-secret-4f1c"
)

func exchange(op *openapi.Operation, method, target string, status int, f *openapi.Failure) journal.Exchange {
	return journal.Exchange{API: "rambase", Op: op, Request: httptest.NewRequest(method, target, nil), Status: status, Failure: f}
}

func formExchange(body string, status int, f *openapi.Failure) journal.Exchange {
	r := httptest.NewRequest(http.MethodPost, "/rambase/oauth2/access_token", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return journal.Exchange{API: "rambase", Op: getToken, Request: r, Body: []byte(body), Status: status, Failure: f}
}

func TestARequestIsRecordedWithItsOperationStatusAndTimeOnTheMockClock(t *testing.T) {
	j, c := newJournal(10)
	c.Advance(time.Hour)
	x := exchange(verify, http.MethodGet, "/rambase/id-verification?id_verification_token="+jwt, http.StatusOK, nil)
	x.Request.Header.Set("Authorization", "Bearer "+jwt)
	j.Record(x)

	items, more := j.Requests(journal.Filter{}, 0)
	require.Len(t, items, 1)
	assert.False(t, more)
	got := items[0]
	assert.Equal(t, journal.Request{ID: 1, At: start.Add(time.Hour), API: "rambase", Operation: "verifyIdVerificationToken", Method: "GET",
		Path: "/rambase/id-verification?id_verification_token=<jwt, 108 chars>", Headers: map[string]string{"Authorization": "Bearer <jwt, 108 chars>"},
		Status: 200}, got)
	assert.Equal(t, "GET /rambase/id-verification?id_verification_token=<jwt, 108 chars>", got.Line())
	violations, _ := j.Violations(journal.Filter{}, 0)
	assert.Empty(t, violations, "a good request is no violation")
}

// A request refused for breaking the spec is a violation, with where, the rule and a reason from the
// spec; a wrong token, a 404 of a handler or the mock's own failure is not.
func TestAViolationSaysWhereTheRuleAndAReasonToActOn(t *testing.T) {
	j, _ := newJournal(10)
	j.Record(formExchange("grant_type=implicit&client_id=forecast-api&client_secret="+secret, 400, badGrantType))
	j.Record(exchange(verify, http.MethodGet, "/rambase/id-verification?id_verification_token=x", 401,
		&openapi.Failure{Kind: openapi.KindAuth, Field: "Authorization", Rule: "invalid"}))
	j.Record(exchange(verify, http.MethodGet, "/rambase/id-verification?id_verification_token=x", 500,
		&openapi.Failure{Kind: openapi.KindInternal, Rule: "panic"}))
	j.Record(exchange(verify, http.MethodGet, "/rambase/id-verification?id_verification_token=x", 404, nil))
	j.Record(exchange(nil, http.MethodGet, "/rambase/nope?a=1", 404, &openapi.Failure{Kind: openapi.KindNotFound, Rule: "path"}))
	j.Record(exchange(nil, http.MethodDelete, "/rambase/oauth2/access_token", 405, &openapi.Failure{Kind: openapi.KindMethod, Field: "POST", Rule: "method"}))
	x := exchange(nil, http.MethodGet, "/elsewhere", 404, &openapi.Failure{Kind: openapi.KindNotFound, Rule: "path"})
	x.API = ""
	j.Record(x)
	j.Record(exchange(verify, http.MethodGet, "/rambase/id-verification?id_verification_token=x", 401,
		&openapi.Failure{Kind: openapi.KindAuth, Field: "Authorization", Rule: "required"}))

	all, _ := j.Requests(journal.Filter{}, 0)
	assert.Len(t, all, 8)
	items, _ := j.Violations(journal.Filter{}, 0)
	var got []journal.Violation
	for _, it := range items {
		got = append(got, *it.Violation)
	}
	assert.Equal(t, []journal.Violation{
		{Pointer: "/header/Authorization", Rule: "required", Spec: "rambase.yaml#/paths/~1id-verification/get",
			Reason: "GET /id-verification: sends no credentials the spec accepts: it wants Authorization: Bearer <token> or the $access_token query parameter"},
		{Pointer: "/path", Rule: "path", Reason: "GET /elsewhere: no API is served at this path"},
		{Pointer: "/method", Rule: "method", Spec: "rambase.yaml#/paths",
			Reason: "DELETE /rambase/oauth2/access_token: the rambase spec has no DELETE operation at this path; it has POST"},
		{Pointer: "/path", Rule: "path", Spec: "rambase.yaml#/paths", Reason: "GET /rambase/nope: the rambase spec has no such path"},
		{Pointer: "/body/grant_type", Rule: "enum", Spec: "rambase.yaml#/paths/~1oauth2~1access_token/post",
			Reason: "POST /oauth2/access_token: body.grant_type must be one of: password, client_credentials"},
	}, got)
	for _, it := range all[4:7] {
		assert.Nil(t, it.Violation, "a wrong token, the mock's own failure, a handler's 404: %d %s", it.Status, it.Line())
	}
	assert.Empty(t, all[3].Operation, "a path no operation has")
}

// The journal keeps the last N requests, and the last N violations apart from them: good requests
// never push out a violation.
func TestTheRingsKeepTheLastNAndViolationsApart(t *testing.T) {
	j, _ := newJournal(3)
	j.Record(formExchange("grant_type=implicit", 400, badGrantType))
	for range 10 {
		j.Record(exchange(verify, http.MethodGet, "/rambase/id-verification?id_verification_token=x", 200, nil))
	}
	items, _ := j.Requests(journal.Filter{}, 0)
	assert.Equal(t, []uint64{11, 10, 9}, ids(items), "the last 3, newest first")
	violations, _ := j.Violations(journal.Filter{}, 0)
	assert.Equal(t, []uint64{1}, ids(violations), "the violation outlives 10 good requests")

	for range 4 {
		j.Record(formExchange("grant_type=implicit", 400, badGrantType))
	}
	violations, _ = j.Violations(journal.Filter{}, 0)
	assert.Equal(t, []uint64{15, 14, 13}, ids(violations))

	j.Clear()
	items, _ = j.Requests(journal.Filter{}, 0)
	violations, _ = j.Violations(journal.Filter{}, 0)
	assert.Empty(t, items)
	assert.Empty(t, violations)
	j.Record(exchange(verify, http.MethodGet, "/rambase/id-verification?id_verification_token=x", 200, nil))
	items, _ = j.Requests(journal.Filter{}, 0)
	assert.Equal(t, []uint64{16}, ids(items), "ids go on after a clear")
}

func ids(items []journal.Request) []uint64 {
	var out []uint64
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func TestFiltersAndPages(t *testing.T) {
	j, c := newJournal(100)
	for i := range 6 {
		j.Record(exchange(verify, http.MethodGet, "/rambase/id-verification?id_verification_token=x", []int{200, 404}[i%2], nil)) // ids 1-6
		c.Advance(time.Minute)
	}
	j.Record(formExchange("grant_type=implicit", 400, badGrantType)) // 7, at +6m
	x := exchange(nil, http.MethodGet, "/eeid/nope", 404, &openapi.Failure{Kind: openapi.KindNotFound, Rule: "path"})
	x.API = "eeid"
	j.Record(x) // 8

	pick := func(f journal.Filter, limit int) ([]uint64, bool) {
		items, more := j.Requests(f, limit)
		return ids(items), more
	}
	got, _ := pick(journal.Filter{API: "rambase"}, 0)
	assert.Equal(t, []uint64{7, 6, 5, 4, 3, 2, 1}, got)
	got, _ = pick(journal.Filter{Operation: "getAccessToken"}, 0)
	assert.Equal(t, []uint64{7}, got)
	got, _ = pick(journal.Filter{Status: "404"}, 0)
	assert.Equal(t, []uint64{8, 6, 4, 2}, got)
	got, _ = pick(journal.Filter{Status: "4xx"}, 0)
	assert.Equal(t, []uint64{8, 7, 6, 4, 2}, got)
	got, _ = pick(journal.Filter{Status: "2xx"}, 0)
	assert.Equal(t, []uint64{5, 3, 1}, got)
	got, _ = pick(journal.Filter{Since: start.Add(5 * time.Minute)}, 0)
	assert.Equal(t, []uint64{8, 7, 6}, got, "since is at or after, on the mock's clock")

	// Pages: limit just below, at and above what there is.
	got, more := pick(journal.Filter{}, 7)
	assert.Equal(t, []uint64{8, 7, 6, 5, 4, 3, 2}, got)
	assert.True(t, more)
	got, more = pick(journal.Filter{}, 8)
	assert.Len(t, got, 8)
	assert.False(t, more)
	got, more = pick(journal.Filter{}, 9)
	assert.Len(t, got, 8)
	assert.False(t, more)
	// The next page starts before the last id of the page before.
	got, more = pick(journal.Filter{}, 3)
	assert.Equal(t, []uint64{8, 7, 6}, got)
	assert.True(t, more)
	got, more = pick(journal.Filter{Before: 6}, 3)
	assert.Equal(t, []uint64{5, 4, 3}, got)
	assert.True(t, more)
	got, more = pick(journal.Filter{Before: 3}, 3)
	assert.Equal(t, []uint64{2, 1}, got)
	assert.False(t, more)
}

// Nothing the journal returns or logs holds a secret the client sent: credentials, API keys, query
// values and body fields show only their shape.
func TestSecretsShowOnlyTheirShape(t *testing.T) {
	var log bytes.Buffer
	c := &clock{now: start}
	j := journal.New(journal.Config{Size: 10, Now: c.Now, Logger: slog.New(slog.NewTextHandler(&log, nil))})

	form := "grant_type=implicit&client_id=forecast-api&client_secret=" + secret + "&password=anna-password&otp=123456"
	x := formExchange(form, 400, badGrantType)
	x.Request.Header.Set("Authorization", "Basic Zm9yZWNhc3QtYXBpOmZvcmVjYXN0LXNlY3JldA==")
	j.Record(x)
	y := exchange(verify, http.MethodGet, "/rambase/id-verification?id_verification_token="+jwt+"&$access_token="+secret+"&"+secret, 401,
		&openapi.Failure{Kind: openapi.KindAuth, Field: "Authorization", Rule: "required"})
	y.Request.Header.Set("Authorization", "Token "+secret)
	j.Record(y)
	body := `{"email": "anna@example.com", "password": "` + secret + `", "otp": "123456", "nested": {"token": "` + jwt + `", "list": [1, true, null]}}`
	z := journal.Exchange{API: "rambase", Op: getToken, Request: httptest.NewRequest(http.MethodPost, "/rambase/oauth2/access_token", strings.NewReader(body)),
		Body: []byte(body), Status: 415, Failure: &openapi.Failure{Kind: openapi.KindMediaType, Field: "Content-Type", Rule: "content-type"}}
	z.Request.Header.Set("Content-Type", "application/json")
	j.Record(z)

	items, _ := j.Requests(journal.Filter{}, 0)
	require.Len(t, items, 3)
	assert.Equal(t, map[string]any{"nested": map[string]any{"list": []any{"<number>", "<boolean>", nil}, "token": "<jwt, 108 chars>"},
		"email": "<email, 16 chars>", "otp": "<6 digits>", "password": "<20 chars>"}, items[0].Body)
	assert.Equal(t, "/rambase/id-verification?id_verification_token=<jwt, 108 chars>&$access_token=<20 chars>&<20 chars>", items[1].Path,
		"a query value, and a pair that is all value, by shape")
	assert.Equal(t, map[string]string{"Authorization": "Token <20 chars>"}, items[1].Headers)
	assert.Equal(t, map[string]any{"grant_type": "<8 chars>", "client_id": "<12 chars>", "client_secret": "<20 chars>",
		"password": "<13 chars>", "otp": "<6 digits>"}, items[2].Body)
	assert.Equal(t, "Basic <base64, 40 chars>", items[2].Headers["Authorization"])

	shown, err := json.Marshal(items)
	require.NoError(t, err)
	for _, s := range []string{secret, jwt, "anna-password", "123456", "anna@example.com", "Zm9yZWNhc3Qt", "implicit"} {
		assert.NotContains(t, string(shown), s)
		assert.NotContains(t, log.String(), s)
	}
	assert.Equal(t, 3, strings.Count(log.String(), "\n"), "a log line per violation:\n%s", log.String())
	assert.Contains(t, log.String(), `level=WARN msg="contract violation: POST /oauth2/access_token: body.grant_type must be one of: password, client_credentials" request="POST /rambase/oauth2/access_token" status=400`)
}

// A body that is JSON but no object is said to be what it is, by shape.
func TestABodyThatIsNoJSONObjectIsDescribed(t *testing.T) {
	j, _ := newJournal(10)
	for _, body := range []string{`[1, 2]`, `"123456"`, `7`, `null`, `{"a": 1} x`, `<xml/>`} {
		r := httptest.NewRequest(http.MethodPost, "/rambase/oauth2/access_token", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if body == "<xml/>" {
			r.Header.Set("Content-Type", "application/xml")
		}
		j.Record(journal.Exchange{API: "rambase", Op: getToken, Request: r, Body: []byte(body), Status: 415})
	}
	items, _ := j.Requests(journal.Filter{}, 0)
	var got []any
	for _, it := range items {
		got = append(got, it.Body)
	}
	assert.Equal(t, []any{"<6 bytes of application/xml>", "<10 bytes, not valid JSON>", "<json null>", "<json number>",
		"<json string <6 digits>>", "<json array of 2 items>"}, got)
}

func TestShapes(t *testing.T) {
	for v, want := range map[string]string{
		"":                                     "<empty>",
		"123456":                               "<6 digits>",
		"7":                                    "<1 digit>",
		jwt:                                    "<jwt, 108 chars>",
		"8d3a6f2e-4b1c-4d5e-9f70-2a1b3c4d5e6f": "<uuid>",
		"anna@example.com":                     "<email, 16 chars>",
		"0123456789abcdef0123456789abcdef":     "<hex, 32 chars>",
		"Zm9yZWNhc3QtYXBpOmZvcmVjYXN0LXNlY3JldA==": "<base64, 40 chars>",
		"forecast-secret-4f1c":                     "<20 chars>",
		"anna-password":                            "<13 chars>",
		"é":                                        "<1 char>",
		"a.b.c":                                    "<5 chars>",
	} {
		assert.Equal(t, want, journal.Shape(v), "%q", v)
	}
	assert.Equal(t, "Bearer <jwt, 108 chars>", journal.CredentialShape("Bearer "+jwt))
	assert.Equal(t, "<jwt, 108 chars>", journal.CredentialShape(jwt), "no scheme")
	assert.Equal(t, "Token <6 chars>", journal.CredentialShape("Token secret"))
	assert.Equal(t, "<10 chars> <6 chars>", journal.CredentialShape("password12 secret"), "a first word no scheme has")
	assert.Equal(t, "BundelingAuth <6 chars>", journal.CredentialShape("BundelingAuth secret", "BundelingAuth"), "a scheme the spec names")
}

// An entry keeps no part of a request beyond its bound, so that the journal's memory is bounded by
// its size whatever clients send.
func TestMemoryStaysFlatUnderLoad(t *testing.T) {
	const size = 100
	j, _ := newJournal(size)
	big := strings.Repeat("a", 60<<10)
	record := func(n int) {
		for i := range n {
			q := "abc"
			if i%2 == 1 {
				q = big
			}
			r := httptest.NewRequest(http.MethodPost, "/rambase/oauth2/access_token?q="+q, strings.NewReader(""))
			r.Header.Set("Authorization", "Bearer "+big[:20<<10])
			r.Header.Set("Content-Type", "application/json")
			j.Record(journal.Exchange{API: "rambase", Op: getToken, Request: r, Body: []byte(big), Status: 400, Failure: badGrantType})
		}
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	record(size) // the rings at their size
	before := heap()
	record(50 * size)
	after := heap()
	// Each request carried about 140 KiB; kept whole, 2 x 100 of them would be 28 MiB.
	assert.Less(t, int64(after)-int64(before), int64(1<<20), "heap grew from %d to %d", before, after)
	items, _ := j.Requests(journal.Filter{}, 0)
	require.Len(t, items, size)
	assert.Equal(t, "/rambase/oauth2/access_token?q=<3 chars>", items[1].Path, "a target within its bound")
	assert.Equal(t, "/rambase/oauth2/access_token…", items[0].Path, "a target over its bound: the start of its path")
	assert.Equal(t, "<61440 bytes, too large to keep>", items[0].Body)
	assert.Equal(t, "<too long to keep>", items[0].Headers["Authorization"])
}

// A violation is logged as it happens, up to MaxLoggedPerSecond of them in a second of the mock's
// clock; past that the journal keeps them all and the next line logged counts those left out.
func TestTheLogKeepsToItsBudgetAndCountsWhatItLeftOut(t *testing.T) {
	var log bytes.Buffer
	c := &clock{now: start}
	j := journal.New(journal.Config{Size: 100, Now: c.Now, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	lines := func() []string { return strings.Split(strings.TrimSpace(log.String()), "\n") }

	for range journal.MaxLoggedPerSecond {
		j.Record(formExchange("grant_type=implicit", 400, badGrantType))
	}
	require.Len(t, lines(), journal.MaxLoggedPerSecond, "every violation of the second, up to the budget")
	j.Record(formExchange("grant_type=implicit", 400, badGrantType))
	j.Record(formExchange("grant_type=implicit", 400, badGrantType))
	j.Record(exchange(verify, http.MethodGet, "/rambase/id-verification", 200, nil)) // no violation: never logged
	require.Len(t, lines(), journal.MaxLoggedPerSecond, "none past the budget")

	c.Advance(time.Second)
	j.Record(formExchange("grant_type=implicit", 400, badGrantType))
	require.Len(t, lines(), journal.MaxLoggedPerSecond+1)
	assert.True(t, strings.HasSuffix(lines()[journal.MaxLoggedPerSecond], "status=400 unlogged=2"), "the next line counts those left out: %s", log.String())
	j.Record(formExchange("grant_type=implicit", 400, badGrantType))
	assert.NotContains(t, lines()[journal.MaxLoggedPerSecond+1], "unlogged", "counted once")

	violations, _ := j.Violations(journal.Filter{}, 0)
	assert.Len(t, violations, journal.MaxLoggedPerSecond+4, "the journal keeps every violation, logged or not")
}

// Recording allocates nothing once the rings are at their size.
func TestRecordingAllocatesNothing(t *testing.T) {
	j, _ := newJournal(10)
	x := formExchange("grant_type=implicit", 400, badGrantType)
	y := exchange(verify, http.MethodGet, "/rambase/id-verification?id_verification_token="+jwt, 200, nil)
	y.Request.Header.Set("Authorization", "Bearer "+jwt)
	for range 20 {
		j.Record(x)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { j.Record(y) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { j.Record(x) }), "a violation, with no logger")
}

func TestANilJournalRecordsNothing(t *testing.T) {
	var j *journal.Journal
	j.Record(formExchange("x", 400, badGrantType))
	j.Clear()
	items, more := j.Requests(journal.Filter{}, 0)
	assert.Empty(t, items)
	assert.False(t, more)
}

// BenchmarkRecord is what journaling costs a request, which `make bench` prints beside the handlers'
// (BenchmarkHandler in cmd/idvkit-bench, whose unjournaled mock shows it too, but within the noise of
// a whole request): a request, a violation, and a violation among a flood of them logged as
// `idvkit serve` logs them, into a journal of the default size that is full.
func BenchmarkRecord(b *testing.B) {
	request := exchange(verify, http.MethodGet, "/rambase/id-verification?id_verification_token="+jwt, 200, nil)
	request.Request.Header.Set("Authorization", "Bearer "+jwt)
	violation := formExchange("grant_type=implicit&client_id=forecast-api&client_secret="+secret, 400, badGrantType)
	logged := journal.New(journal.Config{Now: time.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, c := range []struct {
		name string
		j    *journal.Journal
		x    journal.Exchange
	}{
		{"request", journal.New(journal.Config{Now: time.Now}), request},
		{"violation", journal.New(journal.Config{Now: time.Now}), violation},
		{"violation-logged", logged, violation},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range journal.DefaultSize { // the rings at their size, as on a mock that has run a while
				c.j.Record(c.x)
			}
			b.ReportAllocs()
			for b.Loop() {
				c.j.Record(c.x)
			}
		})
	}
}
