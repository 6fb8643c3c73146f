// Package mockapi is the contract between one vendor API's mock and the rest of idvkit. An API
// package (mockserver/rambase, ...) implements API and is listed once in the composition's registry;
// the composition, the control API, the fixtures, mocktest, `idvkit serve` and the conformance suite
// get everything API-specific through it, and the shared mechanisms (store, clock, outbox, one-time
// codes, passwords, webhooks) reach the API through Env.
package mockapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/idvkit/idvkit/mockserver/apihttp"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/otp"
	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/password"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/mockserver/webhook"
	"github.com/idvkit/idvkit/openapi"
)

// API is one vendor API's mock: what every API has. What only some APIs have is one of the optional
// interfaces below (Controller, PageServer, RuleBreaker, RuleKeeper, PrincipalMaker), which the composition finds
// by type assertion, as dex finds what a connector can do beyond logging in: an API implements one
// only when it has something to put in it.
type API interface {
	// Name is the API's prefix (/rambase), spec name and role prefix (rambase.internal_user).
	Name() string
	// Spec is the API's contract; every request and response is validated against it.
	Spec() *openapi.Spec
	// Operations maps every operationId of the spec to its handler: apihttp.Flow of the flow that
	// returns its answer, or one of the API's errors.
	Operations() map[string]http.Handler
	// Authenticate judges the credentials of a request to an operation that requires some, before
	// its parameters and body are validated (a bad token with a bad parameter is a 401, not a 400).
	// It returns what it learnt about the caller (a session), which handlers read with
	// apihttp.Caller, or a Failure of kind auth.
	Authenticate(r *http.Request, op *openapi.Operation) (caller any, f *openapi.Failure)
	// Errors answers the API's errors, in its own shape and status, and is the only thing that does:
	// those its flows return (apihttp.Error values it declares once, apihttp.Flow) and contract
	// failures, a request that breaks the spec included.
	Errors() apihttp.Errors
	// Fixtures is the API's section of the fixture set (NewSection).
	Fixtures() Fixtures
}

// Controller is an API with control operations of its own: an API implements it when a test must be
// able to do what the vendor does outside its API (end a session, invite a user, complete an
// identification as the person would). Its operations are those of openapi/control.yaml marked with
// its x-api; a capability names what they offer, so that the suite runs the scenarios that need them
// only against a target that has them.
type Controller interface {
	// ControlOperations maps the operationIds of the API's own control operations to handlers.
	ControlOperations() map[string]http.Handler
	// Capabilities names the control capabilities the API adds (openapi/control.yaml Capability).
	Capabilities() []string
}

// PageServer is an API with end-user pages: an API implements it when the vendor sends a person to a
// page of its own (an identification link, a password reset) that a test, or a partner with a
// browser, must be able to open.
type PageServer interface {
	// Pages are the API's end-user pages, by name: the mock serves each at /_mock/ui/<api>/<name>,
	// outside the vendor's spec and the control token, for a person with a browser, as HTML that is
	// not cached, names no referrer and reads a form of 64 KiB at most (the mock sets all that, and
	// parses the form of a POST into r.PostForm before the page sees it, answering one it cannot
	// read itself). Links to them are PageURL's.
	Pages() map[string]http.Handler
}

// ControlPager is a PageServer some of whose pages act for the control API rather than on a secret
// the visitor already holds (Bundeling's app page lists members and mints their tokens): with a
// control token set, the mock asks for it on those pages, as a Bearer token or as the password of
// HTTP Basic authentication, which a browser prompts for.
type ControlPager interface {
	ControlPages() []string
}

// RuleBreaker is an API that can break conformance rules on purpose (Env.Broken): an API implements
// it so that a test can show the suite catches an implementation that breaks each of them.
type RuleBreaker interface {
	// Breakable lists the rule IDs the API can break.
	Breakable() []string
}

// RuleKeeper is an API that cannot break some rules of its spec on purpose, and says which: the kit
// (mockserver/apikit) asks an API to break every other rule of its spec (RuleBreaker), each caught by
// a failing scenario, so that a rule nobody can break is a choice the API declares, not one it can
// forget.
type RuleKeeper interface {
	// Kept lists the rule IDs the API never breaks.
	Kept() []string
}

// PrincipalMaker is an API that makes fresh principals of its fixture roles: an API implements it
// when its scenarios log in, so that concurrent tests never share a user and a target's tests can
// ask for one (the control API's createPrincipal, capability users.create).
type PrincipalMaker interface {
	// NewPrincipal makes a fresh principal of a role of this API with new credentials, or returns
	// ErrUnknownRole.
	NewPrincipal(ctx context.Context, role string) (Principal, error)
}

// Factory builds an API from the shared mechanisms; it must be cheap and do no I/O.
type Factory func(Env) API

// Env is what every API of one mock shares.
type Env struct {
	Store     store.Store
	Clock     clock.Clock
	Outbox    *outbox.Outbox
	Codes     otp.Source      // where one-time codes come from; tests inject a sequence
	Passwords password.Hasher // one cost for every password check of the mock
	// Webhooks delivers the API's webhooks (signed by the API), retried on Clock, into a delivery log;
	// the mock closes it on shutdown.
	Webhooks *webhook.Sender
	// Broken names conformance rules the mock breaks on purpose, so a test can show that a suite
	// catches an implementation that breaks them.
	Broken RuleSet
	// Retention is how long a record is kept after it has expired, so an expired token still reads
	// back as expired, before the sweeper deletes it.
	Retention time.Duration
	Logger    *slog.Logger
}

// PageURL is the link to one of an API's pages, as a handler of that API hands it out.
func PageURL(r *http.Request, api, page string, query url.Values) string {
	u := apihttp.RootURL(r) + "/_mock/ui/" + api + "/" + page
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// RuleSet is a set of rule IDs.
type RuleSet map[string]bool

// Has reports whether id is in the set.
func (s RuleSet) Has(id string) bool { return s[id] }
