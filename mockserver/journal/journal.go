// Package journal is the mock's request journal: every request to an API the mock serves, with the
// operation it was routed to, the status it got, the time on the mock's clock and, when it broke the
// API's contract, the violation (where in the request, the rule, and a reason a developer can act on).
// It keeps the last N requests in a ring, and the last N violations in a ring of their own, so that
// a flood of good requests never pushes out a violation before someone has read it; memory stays flat
// however long the mock runs.
//
// Recording is on every request's path, so it copies nothing and allocates nothing: an entry is a
// small fixed struct holding references to what the request already holds (its target, credentials,
// Content-Type and body, each only up to a bound), and everything else, redaction included, is done
// when the journal is read. What is read or logged never holds a value the client sent: credentials,
// query parameters and body fields show only their shape (Bearer <jwt, 312 chars>, <6 digits>), and a
// violation names the field and the rule, never what was in it.
package journal

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/idvkit/idvkit/openapi"
)

// DefaultSize is how many requests, and how many violations, a journal keeps unless told otherwise.
const DefaultSize = 1000

// The bounds on what an entry keeps of a request, so that the ring's memory is bounded by its size
// whatever clients send: a part over its bound is left out (the entry says so), and a request target
// over its bound is kept as a copy of the start of its path.
const (
	maxTarget = 2 << 10
	maxHeader = 4 << 10
	maxBody   = 8 << 10
	maxField  = 256 // a violation's field, which a body's unknown key can make long
	keptPath  = 256 // how much of a path too long to keep is copied
)

// Config configures a Journal.
type Config struct {
	Size int              // requests kept, and violations kept; zero: DefaultSize
	Now  func() time.Time // the mock's clock
	// Logger gets a line per violation, at Warn, as it happens, up to MaxLoggedPerSecond; nil: none.
	Logger *slog.Logger
	// OnViolation is called with every violation as it is recorded, outside the journal's lock: a
	// judge of what a client sent that no ring overwriting its oldest entries and no Clear can hide
	// from (mocktest's); nil: none.
	OnViolation func(Request)
}

// MaxLoggedPerSecond bounds the violations logged in a second of the mock's clock. A log line costs
// more than the request it reports (measured on the served mock: a refused request's CPU time doubled
// with a line each), so a client flooding the mock with bad requests would halve its speed; past the
// bound the journal still keeps every violation, and the next line logged counts those left out.
const MaxLoggedPerSecond = 10

// Journal records requests. Its methods are safe for concurrent use; a nil *Journal records nothing.
type Journal struct {
	now         func() time.Time
	log         *slog.Logger
	onViolation func(Request)
	mu          sync.Mutex
	last        uint64 // the id of the last entry recorded; ids start at 1 and are never reused
	requests    ring
	violations  ring
	// The log's budget: the second of the mock's clock being logged, the lines logged in it, and the
	// violations left out of the log since the last line.
	logSecond int64
	logged    int
	unlogged  int
}

// New builds a Journal.
func New(cfg Config) *Journal {
	if cfg.Size <= 0 {
		cfg.Size = DefaultSize
	}
	return &Journal{now: cfg.Now, log: cfg.Logger, onViolation: cfg.OnViolation, requests: ring{size: cfg.Size}, violations: ring{size: cfg.Size}}
}

// Exchange is one request and what it got, as the mock's HTTP layer saw them.
type Exchange struct {
	API     string             // the API the request was sent to; "" when it reached none
	Op      *openapi.Operation // the operation it was routed to; nil when it was routed to none
	Request *http.Request
	Body    []byte // the body as read; nil when none was read
	Status  int
	// Failure is why the request was refused before a handler saw it, if it was: a violation of the
	// contract unless it is the mock's own failure or credentials of the right shape that are
	// wrong (an expired token is no violation: a client meets one in the normal course).
	Failure *openapi.Failure
}

// Record notes an exchange. It allocates nothing on a request's usual path: the entry's parts are
// the request's own strings and body, and the rings have grown to their size after their first N.
func (j *Journal) Record(x Exchange) {
	if j == nil {
		return
	}
	e := entry{api: x.API, op: x.Op, status: x.Status, method: internMethod(x.Request.Method)}
	e.keep(x.Request, x.Body)
	if f := x.Failure; f != nil && Violates(f) {
		e.violation, e.fail = true, *f
		if len(e.fail.Field) > maxField {
			e.fail.Field = strings.Clone(e.fail.Field[:maxField]) + "…"
		}
	}
	logging := e.violation && j.log != nil && j.log.Enabled(context.Background(), slog.LevelWarn)
	j.mu.Lock()
	e.at = j.now()
	j.last++
	e.id = j.last
	j.requests.push(e)
	if e.violation {
		j.violations.push(e)
	}
	var unlogged int
	if logging {
		logging, unlogged = j.logBudget(e.at)
	}
	j.mu.Unlock()
	if e.violation && j.onViolation != nil {
		j.onViolation(e.request())
	}
	if logging {
		r := e.request()
		args := []any{"request", r.Line(), "status", r.Status}
		if unlogged > 0 {
			args = append(args, "unlogged", unlogged) // violations left out since the last line
		}
		j.log.Warn("contract violation: "+r.Violation.Reason, args...)
	}
}

// logBudget reports whether a violation at this time may be logged, and how many were left out of the
// log since the last line logged. The caller holds j.mu.
func (j *Journal) logBudget(at time.Time) (ok bool, unlogged int) {
	if second := at.Unix(); second != j.logSecond {
		j.logSecond, j.logged = second, 0
	}
	if j.logged == MaxLoggedPerSecond {
		j.unlogged++
		return false, 0
	}
	j.logged++
	unlogged, j.unlogged = j.unlogged, 0
	return true, unlogged
}

// Violates reports whether a failure is a request's breach of the contract: anything the client
// could have known from the spec. The mock's own failures are not, and neither are credentials of
// the right shape that are wrong or expired, which a client meets in the normal course.
func Violates(f *openapi.Failure) bool {
	switch f.Kind {
	case openapi.KindInternal:
		return false
	case openapi.KindAuth:
		return f.Rule != "invalid"
	}
	return true
}

// Filter selects entries. The zero Filter selects every one.
type Filter struct {
	API       string
	Operation string
	// Status is a status ("404") or a class of them ("4xx").
	Status string
	// Since keeps only entries recorded at or after it, on the mock's clock.
	Since time.Time
	// Before keeps only entries older than the one with this id: the next page of a listing is
	// Before the last id of the page before.
	Before uint64
}

func (f Filter) matches(e *entry) bool {
	return (f.API == "" || f.API == e.api) && (f.Operation == "" || e.op != nil && f.Operation == e.op.ID) &&
		statusMatches(f.Status, e.status) && !e.at.Before(f.Since) && (f.Before == 0 || e.id < f.Before)
}

// statusMatches reports whether a status is the one a filter names, or of its class ("4xx").
func statusMatches(want string, status int) bool {
	if want == "" {
		return true
	}
	if len(want) == 3 && strings.HasSuffix(want, "xx") {
		return status/100 == int(want[0]-'0')
	}
	return want == itoa3(status)
}

func itoa3(n int) string {
	if n < 100 || n > 999 {
		return ""
	}
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

// Requests lists the requests a filter selects, newest first, at most limit of them (no limit when
// limit is not positive), and whether more follow.
func (j *Journal) Requests(f Filter, limit int) (items []Request, more bool) {
	if j == nil {
		return nil, false
	}
	return j.list(&j.requests, f, limit)
}

// Violations lists the requests that broke the contract, as Requests does.
func (j *Journal) Violations(f Filter, limit int) (items []Request, more bool) {
	if j == nil {
		return nil, false
	}
	return j.list(&j.violations, f, limit)
}

func (j *Journal) list(r *ring, f Filter, limit int) ([]Request, bool) {
	// Entries are copied under the lock and rendered outside it: rendering allocates, recording
	// must not wait for it.
	var picked []entry
	more := false
	j.mu.Lock()
	r.newestFirst(func(e *entry) bool {
		if !f.matches(e) {
			return true
		}
		if limit > 0 && len(picked) == limit {
			more = true
			return false
		}
		picked = append(picked, *e)
		return true
	})
	j.mu.Unlock()
	items := make([]Request, len(picked))
	for i := range picked {
		items[i] = picked[i].request()
	}
	return items, more
}

// Clear forgets every request and violation recorded so far. Ids go on from where they were, so an
// id never names two requests.
func (j *Journal) Clear() {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.requests.clear()
	j.violations.clear()
}

// ring keeps the last size entries: it grows by append up to size, then each entry takes the place
// of the oldest.
type ring struct {
	size  int
	items []entry
	head  int // the oldest entry's index once the ring is full
}

func (r *ring) push(e entry) {
	if len(r.items) < r.size {
		r.items = append(r.items, e)
		return
	}
	r.items[r.head] = e
	r.head = (r.head + 1) % r.size
}

// newestFirst calls f with each entry, newest first, until f returns false.
func (r *ring) newestFirst(f func(*entry) bool) {
	n := len(r.items)
	for i := n - 1; i >= 0; i-- {
		if !f(&r.items[(r.head+i)%n]) {
			return
		}
	}
}

// clear drops the entries, and with them the references they hold.
func (r *ring) clear() { r.items, r.head = nil, 0 }

// entry is what the journal keeps of one request: fixed fields, and references to the request's own
// strings and body, each within its bound.
type entry struct {
	id        uint64
	at        time.Time
	api       string
	op        *openapi.Operation
	method    string
	target    string    // the request target (path and query) as sent; the start of its path when over maxTarget
	auth      string    // the Authorization header
	keys      [2]string // the API keys, in the headers op.KeyHeaders() names, in its order
	ctype     string    // the Content-Type header
	body      []byte
	bodyLen   int
	dropped   parts // the parts over their bound, left out
	status    int
	violation bool
	fail      openapi.Failure
}

// parts names parts of a request an entry left out.
type parts uint8

const (
	droppedQuery parts = 1 << iota // the target was too long: only the start of its path is kept
	droppedAuth
	droppedKeys
	droppedContentType
	droppedBody
)

// keep takes the parts of r the journal shows, each only when within its bound.
func (e *entry) keep(r *http.Request, body []byte) {
	target := r.RequestURI
	if target == "" { // a request built by a test rather than read by a server
		target = r.URL.RequestURI()
	}
	if len(target) <= maxTarget {
		e.target = target
	} else {
		path, _, _ := strings.Cut(target, "?")
		e.target, e.dropped = strings.Clone(path[:min(len(path), keptPath)])+"…", e.dropped|droppedQuery
	}
	e.auth = bounded(r.Header.Get("Authorization"), maxHeader, &e.dropped, droppedAuth)
	e.ctype = bounded(r.Header.Get("Content-Type"), maxHeader, &e.dropped, droppedContentType)
	if e.op != nil {
		for i, h := range e.op.KeyHeaders() {
			if i < len(e.keys) {
				e.keys[i] = bounded(r.Header.Get(h), maxHeader, &e.dropped, droppedKeys)
			}
		}
	}
	e.bodyLen = len(body)
	if len(body) <= maxBody {
		e.body = body
	} else {
		e.dropped |= droppedBody
	}
}

// bounded is s when it is within max bytes, else "" with the part marked dropped.
func bounded(s string, max int, dropped *parts, part parts) string {
	if len(s) > max {
		*dropped |= part
		return ""
	}
	return s
}

// internMethod is the method as one of net/http's constants, so that an entry never holds the
// request line it was cut from (which holds the query); an unusual method is copied.
func internMethod(m string) string {
	switch m {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodPost:
		return http.MethodPost
	case http.MethodPut:
		return http.MethodPut
	case http.MethodPatch:
		return http.MethodPatch
	case http.MethodDelete:
		return http.MethodDelete
	case http.MethodHead:
		return http.MethodHead
	case http.MethodOptions:
		return http.MethodOptions
	}
	return strings.Clone(m[:min(len(m), 32)])
}
