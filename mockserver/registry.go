package mockserver

import (
	"github.com/idvkit/idvkit/mockserver/bundeling"
	"github.com/idvkit/idvkit/mockserver/eeid"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/rambase"
	"github.com/idvkit/idvkit/mockserver/rampable"
	"github.com/idvkit/idvkit/mockserver/randaverify"
)

// registry lists every API the mock serves, in the order they are served and documented. Adding an
// API is one line here; see CONTRIBUTING.md, "Adding an API".
var registry = []registered{
	{rambase.Name, rambase.New},
	{randaverify.Name, randaverify.New},
	{eeid.Name, eeid.New},
	{rampable.Name, rampable.New},
	{bundeling.Name, bundeling.New},
}

type registered struct {
	name string
	new  mockapi.Factory
}

// Registered names every registered API, in registry order.
func Registered() []string {
	names := make([]string, len(registry))
	for i, r := range registry {
		names[i] = r.name
	}
	return names
}

// Factory returns the factory of a registered API, or nil for a name the registry does not list:
// what the kit (mockserver/apikit) checks each registered API through.
func Factory(name string) mockapi.Factory {
	for _, r := range registry {
		if r.name == name {
			return r.new
		}
	}
	return nil
}
