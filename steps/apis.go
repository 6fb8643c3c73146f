// Package steps is idvkit's conformance suite's steps: the godog step definitions of features/ and
// the World a scenario keeps its state in. The steps are API-neutral (common.go, policy.go,
// webhooks.go); each API's steps file (rambase.go, randaverify.go, eeid.go) adds how its principals'
// credentials go on a request and the few steps only it needs, and registers them in init. The
// runner (steps/suite) makes a World for each scenario and hands it to godog.
package steps

import (
	"fmt"
	"net/http"

	"github.com/cucumber/godog"
)

// apiSteps is what one API adds to the suite, from its own steps file: how an actor's credentials
// go on a request, and the few steps its features need beyond the generic ones (its logins).
type apiSteps struct {
	name string
	// authorize puts the actor's credentials on a request to the API (Bearer, Basic, Api-Key...), or
	// says why the actor has none.
	authorize func(req *http.Request, a *actor) error
	register  func(sc *godog.ScenarioContext) // nil: the generic steps are all the API's features need
}

// bearerAuth puts the actor's access token on a request as a Bearer token, which most APIs take.
func bearerAuth(req *http.Request, a *actor) error {
	if a.token == "" {
		return fmt.Errorf("%q has no access token: log in first (the login may have failed)", a.name)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	return nil
}

// apiKeyAuth puts the actor's API key, its attribute named attribute (the control API's Principal
// holds what only some APIs have as attributes), in the header named header, as APIs that take an
// API key (X-Api-Key) ask.
func apiKeyAuth(header, attribute string) func(req *http.Request, a *actor) error {
	return func(req *http.Request, a *actor) error {
		key := a.Attributes[attribute]
		if key == "" {
			return fmt.Errorf("%q has no API key (attribute %s)", a.name, attribute)
		}
		req.Header.Set(header, key)
		return nil
	}
}

// apis holds every API's steps by name; each steps file adds its own in init.
var apis = map[string]*apiSteps{}

func registerAPI(a *apiSteps) {
	if apis[a.name] != nil {
		panic("steps: " + a.name + " registered twice")
	}
	apis[a.name] = a
}
