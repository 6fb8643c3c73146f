package steps

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// A steps file registers the steps of a registered API (the kit, mockserver/apikit, checks that
// every registered API has them).
func TestStepsAreRegisteredOnlyForRegisteredAPIs(t *testing.T) {
	for name := range apis {
		assert.Contains(t, mocktest.APIs(), name, "steps are registered for %s, which is not a registered API", name)
	}
}
