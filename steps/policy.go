package steps

import (
	"context"
	"fmt"

	"github.com/cucumber/godog"
)

// Our own part of a rule. A rule often mixes the vendor's part with ours: the vendor requires a
// refusal and we chose its exact status, or the vendor requires an error and we chose its detail.
// A scenario that checks only our choices, where the vendor is silent, is tagged @policy. A
// scenario that mixes them is counted in every run, and each step that checks our part says so:
//
//	Then the response status is 403 (policy: any 4xx)
//	And the response field "detail[0].msg" is "Field required" (policy)
//
// Where policy counts (in process, or with --strict-policy) such a step checks all of it. Elsewhere
// what is ours is forgiven, reported in the policy bucket (a relaxed step), and the scenario goes
// on to check the vendor's part: the status step still requires its class, so a success where the
// vendor requires a refusal fails every run, as do a 5xx and another owner's data.

// registerPolicySteps adds the steps that check our own part of a rule.
func registerPolicySteps(sc *godog.ScenarioContext) {
	sc.Step(`^the response status is (\d{3}) \(policy: any ([1-4])xx\)$`, statusIsOurs)
	sc.Step(`^the response field "([^"]*)" is `+literalPattern+` \(policy\)$`, func(ctx context.Context, path, literal string) error {
		return worldFrom(ctx).ours(fieldIs(ctx, path, literal))
	})
	sc.Step(`^the response body starts with "([^"]*)" \(policy\)$`, func(ctx context.Context, prefix string) error {
		return worldFrom(ctx).ours(bodyStartsWith(ctx, prefix))
	})
	sc.Step(`^the response field "([^"]*)" mentions "([^"]*)" \(policy\)$`, func(ctx context.Context, path, text string) error {
		return worldFrom(ctx).ours(fieldMentions(ctx, path, text))
	})
	sc.Step(`^the response field "([^"]*)" is a JWT that expires (\d+) seconds after it was issued \(policy\)$`, func(ctx context.Context, path string, seconds int) error {
		return worldFrom(ctx).ours(jwtExpiresAfter(ctx, path, seconds))
	})
	sc.Step(`^the response header "([^"]*)" is "([^"]*)" \(policy\)$`, func(ctx context.Context, name, value string) error {
		return worldFrom(ctx).ours(headerIs(ctx, name, value))
	})
}

// statusIsOurs checks a status whose exact code is our choice and whose class is the vendor's: the
// class counts in every run, the exact code only where policy does.
func statusIsOurs(ctx context.Context, want, class int) error {
	w := worldFrom(ctx)
	r, err := w.lastResponse()
	if err != nil {
		return err
	}
	switch {
	case r.status == want:
		return nil
	case r.status/100 != class:
		return fmt.Errorf("expected status %d (or, where policy does not count, any %dxx), got %d: %s", want, class, r.status, excerpt(r.raw))
	}
	return w.ours(fmt.Errorf("expected status %d, got %d: the exact status is our choice, the %dxx the vendor's: %s",
		want, r.status, class, excerpt(r.raw)))
}

// ours ends a check of our own part of a rule: where policy counts its failure fails the step;
// elsewhere it is kept as the step's relaxation, for the reports, and the step passes so that the
// scenario goes on to the vendor's part. A 5xx is never ours to forgive.
func (w *World) ours(err error) error {
	if err == nil || w.policyCounts || (w.last != nil && w.last.status >= 500) {
		return err
	}
	w.relaxed = err.Error()
	return nil
}
