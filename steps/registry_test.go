package steps

import (
	"io"
	"net/http"
	"testing"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mocktest"
)

// A steps file registers the steps of a registered API (the kit, mockserver/apikit, checks that
// every registered API has them).
func TestStepsAreRegisteredOnlyForRegisteredAPIs(t *testing.T) {
	for name := range apis {
		assert.Contains(t, mocktest.APIs(), name, "steps are registered for %s, which is not a registered API", name)
	}
}

// An API whose features need only the generic steps registers none of its own.
func TestAnAPIWithNoStepsOfItsOwnRuns(t *testing.T) {
	w := &World{api: &apiSteps{name: "keys", authorize: bearerAuth}, vars: map[string]string{}}
	status := godog.TestSuite{ScenarioInitializer: w.Initialize, Options: &godog.Options{Format: "progress", Output: io.Discard, Strict: true,
		FeatureContents: []godog.Feature{{Name: "keys.feature", Contents: []byte("Feature: keys\n  Scenario: one\n    Given the value \"x\" is saved as \"v\"\n")}}}}.Run()
	assert.Zero(t, status)
	assert.Equal(t, "x", w.vars["v"])
}

// An API key goes in the header the API names, from the principal's attribute; a principal without
// one is told so.
func TestAnAPIKeyGoesInItsHeader(t *testing.T) {
	auth := apiKeyAuth("X-Api-Key", "api_key")
	req, err := http.NewRequest(http.MethodGet, "http://target.example/status", nil)
	require.NoError(t, err)
	require.NoError(t, auth(req, &actor{name: "ann", Principal: Principal{Attributes: map[string]string{"api_key": "k-1"}}}))
	assert.Equal(t, "k-1", req.Header.Get("X-Api-Key"))
	assert.Empty(t, req.Header.Get("Authorization"))
	assert.EqualError(t, auth(req, &actor{name: "bob"}), `"bob" has no API key (attribute api_key)`)
}
