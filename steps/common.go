package steps

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/cucumber/godog"

	"github.com/idvkit/idvkit/mockserver/provider"
)

// registerCommonSteps adds the steps every API's features share: principals of named roles, the
// clock, and checks on the last response.
func registerCommonSteps(sc *godog.ScenarioContext) {
	sc.Step(`^"([^"]*)" has the role "([^"]*)"$`, hasRole)
	sc.Step(`^(\d+) seconds? pass(?:es)?$`, secondsPass)
	sc.Step(`^the response status is (\d+)$`, statusIs)
	sc.Step(`^the response status is not (\d+)$`, statusIsNot)
	sc.Step(`^the response status is 4xx$`, statusIs4xx)
	sc.Step(`^the response field "([^"]*)" is (-?\d+)$`, fieldIsNumber)
	sc.Step(`^the response field "([^"]*)" is (true|false)$`, fieldIsBool)
	sc.Step(`^the response field "([^"]*)" is not empty$`, fieldIsNotEmpty)
	sc.Step(`^the response field "([^"]*)" is a positive integer$`, fieldIsPositiveInteger)
	sc.Step(`^the response has no field "([^"]*)"$`, noField)
}

// hasRole introduces a principal of a fixture role: made by the target's control API when it offers
// users.create, else taken from the principals file, else the scenario is skipped with that reason.
func hasRole(ctx context.Context, name, role string) error {
	w := worldFrom(ctx)
	var p provider.Principal
	switch {
	case w.caps["users.create"]:
		if _, err := w.controlJSON(ctx, http.MethodPost, "/principals", map[string]string{"role": role}, &p); err != nil {
			return err
		}
	case w.principals[role].Role != "":
		p = w.principals[role]
	default:
		return w.skip(fmt.Sprintf("no credentials for role %s: the target lacks users.create and the principals file has none", role))
	}
	w.actors[name] = &actor{name: name, Principal: p}
	return nil
}

// advance moves the target's clock (capability clock.advance).
func advance(ctx context.Context, d time.Duration) error {
	w := worldFrom(ctx)
	if err := w.need("clock.advance"); err != nil {
		return err
	}
	_, err := w.controlJSON(ctx, http.MethodPost, "/clock/advance", map[string]float64{"seconds": d.Seconds()}, nil)
	return err
}

func secondsPass(ctx context.Context, n int) error { return advance(ctx, time.Duration(n)*time.Second) }

func lastStatus(ctx context.Context) (*response, error) {
	w := worldFrom(ctx)
	if w.last == nil {
		return nil, fmt.Errorf("no request has been sent yet")
	}
	return w.last, nil
}

func statusIs(ctx context.Context, want int) error {
	r, err := lastStatus(ctx)
	if err != nil {
		return err
	}
	if r.status != want {
		return fmt.Errorf("expected status %d, got %d: %s", want, r.status, trim(r.raw))
	}
	return nil
}

func statusIsNot(ctx context.Context, unwanted int) error {
	r, err := lastStatus(ctx)
	if err != nil {
		return err
	}
	if r.status == unwanted {
		return fmt.Errorf("expected a status other than %d, got %d: %s", unwanted, r.status, trim(r.raw))
	}
	return nil
}

func statusIs4xx(ctx context.Context) error {
	r, err := lastStatus(ctx)
	if err != nil {
		return err
	}
	if r.status < 400 || r.status > 499 {
		return fmt.Errorf("expected a 4xx status, got %d: %s", r.status, trim(r.raw))
	}
	return nil
}

func mustField(ctx context.Context, path string) (any, error) {
	v, ok, err := worldFrom(ctx).field(path)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("the response has no field %q: %s", path, trim(worldFrom(ctx).last.raw))
	}
	return v, nil
}

func fieldIsNumber(ctx context.Context, path, want string) error {
	v, err := mustField(ctx, path)
	if err != nil {
		return err
	}
	n, ok := v.(float64)
	if !ok || strconv.FormatFloat(n, 'f', -1, 64) != want {
		return fmt.Errorf("expected %s to be %s, got %v", path, want, v)
	}
	return nil
}

func fieldIsBool(ctx context.Context, path, want string) error {
	v, err := mustField(ctx, path)
	if err != nil {
		return err
	}
	if b, ok := v.(bool); !ok || strconv.FormatBool(b) != want {
		return fmt.Errorf("expected %s to be %s, got %v", path, want, v)
	}
	return nil
}

func fieldIsNotEmpty(ctx context.Context, path string) error {
	v, err := mustField(ctx, path)
	if err != nil {
		return err
	}
	if v == nil || v == "" {
		return fmt.Errorf("expected %s to be non-empty, got %v", path, v)
	}
	return nil
}

func fieldIsPositiveInteger(ctx context.Context, path string) error {
	v, err := mustField(ctx, path)
	if err != nil {
		return err
	}
	n, ok := v.(float64)
	if !ok || n < 1 || n != math.Trunc(n) {
		return fmt.Errorf("expected %s to be a positive integer, got %v", path, v)
	}
	return nil
}

func noField(ctx context.Context, path string) error {
	_, ok, err := worldFrom(ctx).field(path)
	if err != nil {
		return err
	}
	if ok {
		return fmt.Errorf("expected no field %q, but the response has it", path)
	}
	return nil
}
