package scenario_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/features"
	"github.com/idvkit/idvkit/mockserver/mocktest"
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

// Every operation of every vendor API has a scenario tagged @op:<operationId>.
func TestEveryOperationHasAScenario(t *testing.T) {
	scs := allScenarios(t)
	for _, api := range mocktest.APIs() {
		for _, op := range openapi.MustLoad(api).Operations() {
			found := slices.ContainsFunc(scs, func(s scenario.Scenario) bool { return s.API == api && slices.Contains(s.Ops, op.ID) })
			assert.True(t, found, "%s operation %s has no scenario tagged @op:%s", api, op.ID, op.ID)
		}
	}
	for _, s := range scs {
		for _, op := range s.Ops {
			assert.NotNil(t, openapi.MustLoad(s.API).Operation(op), "%s: @op:%s names no operation", s.ID, op)
		}
	}
}

// Every rule of every spec has a scenario tagged @rule:<ID>, and no scenario names an unknown rule.
// Our own part of a rule is marked: a scenario that checks only our part carries @policy and names a
// policy rule; elsewhere the steps that check our part say so (policy...); and every policy rule has
// a scenario that marks its part one way or the other.
func TestEveryRuleHasAScenarioAndPolicyIsTagged(t *testing.T) {
	scs := allScenarios(t)
	for _, api := range mocktest.APIs() {
		rules := openapi.MustLoad(api).Rules()
		require.NotEmpty(t, rules, api)
		policy, marked := map[string]bool{}, map[string]bool{}
		for _, r := range rules {
			policy[r.ID] = r.Policy
			found := slices.ContainsFunc(scs, func(s scenario.Scenario) bool { return slices.Contains(s.Rules, r.ID) })
			assert.True(t, found, "rule %s has no scenario tagged @rule:%s", r.ID, r.ID)
		}
		for _, s := range scs {
			if s.API != api {
				continue
			}
			hasPolicyRule := false
			for _, id := range s.Rules {
				p, known := policy[id]
				assert.True(t, known, "%s: @rule:%s is not a rule of %s", s.ID, id, api)
				hasPolicyRule = hasPolicyRule || p
				marked[id] = marked[id] || s.Policy || len(s.PolicySteps) > 0
			}
			if s.Policy {
				assert.True(t, hasPolicyRule, "%s is @policy but names no policy rule", s.ID)
				assert.Empty(t, s.PolicySteps, "%s is @policy: all of it is ours, no step needs (policy...)", s.ID)
			}
		}
		for _, r := range rules {
			if r.Policy {
				assert.True(t, marked[r.ID], "%s is a policy rule: a scenario of it is @policy, or marks the steps that check our part (policy...)", r.ID)
			}
		}
	}
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
