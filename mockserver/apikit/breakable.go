package apikit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/steps"
	"github.com/idvkit/idvkit/steps/scenario"
	"github.com/idvkit/idvkit/steps/suite"
	"github.com/idvkit/idvkit/steps/target"
)

// checkBreakable: the API breaks each rule of its spec on purpose (mockapi.RuleBreaker), and with it
// broken a scenario of the rule fails, so the suite is shown to catch an implementation that breaks
// it; a rule it cannot break it names (mockapi.RuleKeeper). Each rule is one or the other, never both.
// A way to break a part of a rule is named after it (RV-05:401) and is caught by the rule's scenarios
// too.
func checkBreakable(ctx context.Context, k *kit) []string {
	var breakable, kept []string
	if b, ok := k.api.(mockapi.RuleBreaker); ok {
		breakable = b.Breakable()
	}
	if r, ok := k.api.(mockapi.RuleKeeper); ok {
		kept = r.Kept()
	}
	var rules, broken []string
	for _, r := range k.api.Spec().Rules() {
		rules = append(rules, r.ID)
	}
	for _, id := range breakable {
		broken = append(broken, ruleOf(id))
	}
	var problems []string
	for _, id := range missing(rules, append(slices.Clone(broken), kept...)) {
		problems = append(problems, "rule "+id+" is neither breakable (mockapi.RuleBreaker) nor kept (mockapi.RuleKeeper)")
	}
	for _, id := range missing(append(slices.Clone(breakable), kept...), rules) {
		if !slices.Contains(rules, ruleOf(id)) {
			problems = append(problems, id+" is breakable or kept, and is no rule of the spec")
		}
	}
	for _, id := range kept {
		if slices.Contains(broken, id) {
			problems = append(problems, "rule "+id+" is both breakable and kept")
		}
	}
	for _, id := range breakable {
		if slices.Contains(rules, ruleOf(id)) {
			problems = append(problems, k.caught(ctx, id)...)
		}
	}
	return problems
}

// ruleOf is the rule a breakable ID breaks (a part of): RV-05 of RV-05:401.
func ruleOf(id string) string {
	rule, _, _ := strings.Cut(id, ":")
	return rule
}

// caught runs the scenarios of a rule, but the slow ones, each against a mock of its own, all at
// once: first against mocks that keep the rule, where every one passes, then against mocks that
// break it (id), where one fails. Failing only when broken is what shows a scenario catches the break.
func (k *kit) caught(ctx context.Context, id string) []string {
	rule := ruleOf(id)
	kept, problems := k.runRule(ctx, rule)
	if problems != nil {
		return problems
	}
	for _, res := range kept {
		if res.Status != scenario.Passed {
			return []string{fmt.Sprintf("%s does not pass against a mock that keeps %s: %s %s", res.ID, rule, res.Status, res.Reason)}
		}
	}
	broken, problems := k.runRule(ctx, rule, mocktest.WithBrokenRules(id))
	if problems != nil {
		return problems
	}
	for _, res := range broken {
		if res.Status == scenario.Failed {
			return nil
		}
	}
	return []string{fmt.Sprintf("with %s broken (mocktest.WithBrokenRules), none of the %d scenarios of %s failed", id, len(broken), rule)}
}

// runRule runs the scenarios of a rule, but the slow ones, each against a mock of its own with the
// options given, all at once.
func (k *kit) runRule(ctx context.Context, rule string, opts ...mocktest.Option) ([]scenario.Result, []string) {
	s, err := suite.New(suite.Config{API: k.name, Features: k.Features,
		Target:  target.InProcess(append(k.mockOptions(), opts...)...),
		Webhook: steps.Webhook{Wait: 2 * time.Second}})
	if err != nil {
		return nil, []string{err.Error()}
	}
	scenarios, err := suite.Plan{Tags: "@rule:" + rule + " && ~@slow"}.Select(s.Scenarios())
	if err != nil {
		return nil, []string{err.Error()}
	}
	if len(scenarios) == 0 {
		return nil, []string{"rule " + rule + " has no scenario but slow ones, to show it caught"}
	}
	results := make([]scenario.Result, len(scenarios))
	var wg sync.WaitGroup
	for i, sc := range scenarios {
		wg.Go(func() { results[i] = s.Run(ctx, sc) })
	}
	wg.Wait()
	return results, nil
}
