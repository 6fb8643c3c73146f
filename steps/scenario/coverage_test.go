package scenario_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/features"
	"github.com/idvkit/idvkit/openapi"
	"github.com/idvkit/idvkit/steps/scenario"
)

func allScenarios(t *testing.T) []scenario.Scenario {
	t.Helper()
	scs, err := scenario.Load(features.FS, "")
	require.NoError(t, err)
	require.NotEmpty(t, scs)
	return scs
}

// @needs values are capabilities of the control API's enum, and every capability is needed somewhere.
func TestNeedsTagsMatchTheCapabilityEnum(t *testing.T) {
	enum := openapi.MustLoad(openapi.Control).Enum("Capability")
	used := map[string]bool{}
	for _, s := range allScenarios(t) {
		for _, n := range s.Needs {
			assert.Contains(t, enum, n, "%s: @needs:%s is not a capability", s.ID, n)
			used[n] = true
		}
	}
	for _, c := range enum {
		// users.create is used by every scenario through the role step rather than a tag.
		if c != "users.create" {
			assert.True(t, used[c], "capability %s is used by no scenario", c)
		}
	}
}

func TestScenarioIDsAreUniqueAndStable(t *testing.T) {
	seen := map[string]string{}
	for _, s := range allScenarios(t) {
		assert.NotEqual(t, s.Path, s.ID, "%s has no @id tag", s.Path)
		if prev, dup := seen[s.ID]; dup {
			t.Errorf("@id:%s is used by %s and %s", s.ID, prev, s.Path)
		}
		seen[s.ID] = s.Path
	}
}
