package webhook_test

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/idvkit/idvkit/mockserver/webhook"
)

// plainScheme signs a body with itself: enough to see the registry hand back what was registered.
type plainScheme struct{}

func (plainScheme) Path() string                           { return "/hooks" }
func (plainScheme) Header() string                         { return "X-Plain" }
func (plainScheme) Sign(body []byte, secret string) string { return secret + string(body) }
func (p plainScheme) Verify(body []byte, secret, sig string) []webhook.Check {
	return []webhook.Check{{Over: "the raw body", Valid: p.Sign(body, secret) == sig}}
}

// A scheme registered under an API's name is found by that name, and listed; an API that registered
// none has none; a second registration for one API panics.
func TestSchemesAreFoundByTheirAPIsName(t *testing.T) {
	api := fmt.Sprintf("schemetest%d", runs.Add(1)) // registrations last for the process: -count=2
	_, ok := webhook.SchemeOf(api)
	assert.False(t, ok, "nothing registered yet")
	assert.NotContains(t, webhook.SchemeAPIs(), api)

	webhook.RegisterScheme(api, plainScheme{})
	s, ok := webhook.SchemeOf(api)
	assert.True(t, ok)
	assert.Equal(t, plainScheme{}, s)
	assert.Contains(t, webhook.SchemeAPIs(), api)
	assert.True(t, slices.IsSorted(webhook.SchemeAPIs()), "sorted")

	assert.PanicsWithValue(t, "webhook: a scheme is registered twice for "+api, func() {
		webhook.RegisterScheme(api, plainScheme{})
	})
}

var runs atomic.Int32
