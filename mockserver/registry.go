package mockserver

import (
	"github.com/idvkit/idvkit/mockserver/eeid"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/rambase"
	"github.com/idvkit/idvkit/mockserver/randaverify"
)

// registry lists every API the mock serves, in the order they are served and documented. Adding an
// API is one line here; see README.md, "Adding an API".
var registry = []registered{
	{rambase.Name, rambase.New},
	{randaverify.Name, randaverify.New},
	{eeid.Name, eeid.New},
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
