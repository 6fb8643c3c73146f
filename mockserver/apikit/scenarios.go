package apikit

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"slices"

	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/steps"
	"github.com/idvkit/idvkit/steps/scenario"
)

// checkScenarios: the API has features (features/<name>/*.feature), every operation of its spec has
// a scenario tagged @op:<operationId> and every rule one tagged @rule:<ID>, and they name nothing else.
// Our own part of a rule is marked: a scenario that checks only our part carries @policy and names a
// policy rule; elsewhere the steps that check our part say so (policy...); and every policy rule
// has a scenario that marks its part one way or the other.
func checkScenarios(_ context.Context, k *kit) []string {
	if files, _ := fs.Glob(k.Features, k.name+"/*.feature"); len(files) == 0 {
		return []string{"no features: features/" + k.name + "/*.feature"}
	}
	spec := k.api.Spec()
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for _, op := range spec.Operations() {
		if !slices.ContainsFunc(k.scenarios, func(s scenario.Scenario) bool { return slices.Contains(s.Ops, op.ID) }) {
			add("operation %s has no scenario tagged @op:%s", op.ID, op.ID)
		}
	}
	policy, marked := map[string]bool{}, map[string]bool{}
	for _, r := range spec.Rules() {
		policy[r.ID] = r.Policy
		if !slices.ContainsFunc(k.scenarios, func(s scenario.Scenario) bool { return slices.Contains(s.Rules, r.ID) }) {
			add("rule %s has no scenario tagged @rule:%s", r.ID, r.ID)
		}
	}
	for _, s := range k.scenarios {
		for _, op := range s.Ops {
			if spec.Operation(op) == nil {
				add("%s: @op:%s names no operation of %s", s.ID, op, k.name)
			}
		}
		hasPolicyRule := false
		for _, id := range s.Rules {
			p, known := policy[id]
			if !known {
				add("%s: @rule:%s is not a rule of %s", s.ID, id, k.name)
			}
			hasPolicyRule = hasPolicyRule || p
			marked[id] = marked[id] || s.Policy || len(s.PolicySteps) > 0
		}
		if s.Policy && !hasPolicyRule {
			add("%s is @policy but names no policy rule", s.ID)
		}
		if s.Policy && len(s.PolicySteps) > 0 {
			add("%s is @policy: all of it is ours, no step needs (policy...)", s.ID)
		}
	}
	for _, r := range spec.Rules() {
		if r.Policy && !marked[r.ID] {
			add("%s is a policy rule: a scenario of it is @policy, or marks the steps that check our part (policy...)", r.ID)
		}
	}
	return problems
}

// checkSteps: the API's steps file registers its steps (how its principals' credentials go on a
// request, and its own steps), so the suite can run its scenarios.
func checkSteps(_ context.Context, k *kit) []string {
	if !steps.HasSteps(k.name) {
		return []string{"no steps are registered for " + k.name + ": steps/" + k.name + ".go registers them in init"}
	}
	return nil
}

// checkCapabilities: every capability the API's scenarios need (@needs:) is one a mock serving the
// API offers, so that none of them is skipped in-process; and every capability the API adds
// (mockapi.Controller) is needed by one of its scenarios, so what it adds is tested.
func checkCapabilities(_ context.Context, k *kit) []string {
	m, err := k.mock()
	if err != nil {
		return []string{err.Error()}
	}
	defer m.Close()
	resp, err := m.Client().Get(m.ControlURL() + "/capabilities")
	if err != nil {
		return []string{"getCapabilities: " + err.Error()}
	}
	defer resp.Body.Close()
	var offered struct {
		Capabilities []string `json:"capabilities"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&offered) != nil {
		return []string{"getCapabilities answered " + resp.Status}
	}
	var problems []string
	needed := map[string]bool{}
	for _, s := range k.scenarios {
		for _, n := range s.Needs {
			needed[n] = true
			if !slices.Contains(offered.Capabilities, n) {
				problems = append(problems, fmt.Sprintf("%s needs %s, which a mock serving %s does not offer", s.ID, n, k.name))
			}
		}
	}
	if c, ok := k.api.(mockapi.Controller); ok {
		for _, own := range c.Capabilities() {
			if !needed[own] {
				problems = append(problems, "capability "+own+", which "+k.name+" adds, is needed by none of its scenarios (@needs:"+own+")")
			}
		}
	}
	return problems
}
