// Package apikit is the kit every API passes, in the spirit of dex's storage conformance suite: one
// function, Run, checks everything adding an API means (CONTRIBUTING.md, "Adding an API"), and one
// test runs it for each registered API. An API exempt from a check says so itself, through an
// optional interface of mockapi (a rule it keeps: mockapi.RuleKeeper), never by its name in a test.
//
// The kit needs the mock (through its factory and mocktest) and the conformance suite (steps/suite),
// so it lives beside the mock's packages: the suite reaches the mock only through mocktest, and the
// kit reaches both.
package apikit

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/idvkit/idvkit/features"
	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/clock"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/outbox"
	"github.com/idvkit/idvkit/mockserver/store/memory"
	"github.com/idvkit/idvkit/steps/scenario"
)

// API is one API as the kit checks it: its registry line (New) and where its other parts are. Only
// New is required; the rest default to where the guide puts them, and a test of the kit points them
// at broken copies.
type API struct {
	New mockapi.Factory
	// Features holds the features, one folder per API; nil: features/ (features.FS).
	Features fs.FS
	// Examples is the directory of the target files, one per API; "": examples/ of this module.
	Examples string
	// Fixtures is the fixture set the API's section is read from; nil: mockserver/fixtures.yaml.
	Fixtures mockserver.Fixtures
	// GoExamples is the directory of mocktest's examples, one per API; "": mockserver/mocktest of
	// this module.
	GoExamples string
}

// check is one thing adding an API means. It returns what is wrong, each problem a sentence that
// names the part to fix.
type check struct {
	name string
	run  func(ctx context.Context, k *kit) []string
}

// checks are the kit's checks in the order a person adds an API (CONTRIBUTING.md lists the same).
var checks = []check{
	{"spec", checkSpec},
	{"operations", checkOperations},
	{"fixtures", checkFixtures},
	{"control", checkControl},
	{"webhooks", checkWebhooks},
	{"scenarios", checkScenarios},
	{"steps", checkSteps},
	{"capabilities", checkCapabilities},
	{"breakable", checkBreakable},
	{"example", checkExample},
	{"go-example", checkGoExample},
	{"bad-input", checkBadInput},
}

// Run checks everything adding the API means, each check a subtest of t.
func Run(t *testing.T, a API) {
	t.Helper()
	k, err := newKit(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, p := range c.run(t.Context(), k) {
				t.Error(p)
			}
		})
	}
}

// kit is an API being checked: its parts found, and the API itself, built on a mock of its own.
type kit struct {
	API
	api       mockapi.API
	name      string
	scenarios []scenario.Scenario // the API's
}

func newKit(a API) (*kit, error) {
	if a.New == nil {
		return nil, fmt.Errorf("apikit: no factory")
	}
	if a.Features == nil {
		a.Features = features.FS
	}
	if a.Examples == "" || a.GoExamples == "" {
		root, err := moduleRoot()
		if err != nil {
			return nil, err
		}
		if a.Examples == "" {
			a.Examples = filepath.Join(root, "examples")
		}
		if a.GoExamples == "" {
			a.GoExamples = filepath.Join(root, "mockserver", "mocktest")
		}
	}
	if a.Fixtures == nil {
		a.Fixtures = mockserver.DefaultFixtures()
	}
	st := memory.New()
	api := a.New(mockapi.Env{Store: st, Clock: clock.NewFake(mocktest.DefaultStart), Outbox: &outbox.Outbox{Store: st},
		Broken: mockapi.RuleSet{}, Logger: slog.New(slog.DiscardHandler)})
	k := &kit{API: a, api: api, name: api.Name()}
	all, err := scenario.Load(a.Features, "")
	if err != nil {
		return nil, fmt.Errorf("apikit: features: %w", err)
	}
	for _, sc := range all {
		if sc.API == k.name {
			k.scenarios = append(k.scenarios, sc)
		}
	}
	return k, nil
}

// mock starts a mock that serves only this API (as the kit built it, which a test of the kit may
// have broken), with its section of the kit's fixture set.
func (k *kit) mock(opts ...mocktest.Option) (*mocktest.Server, error) {
	return mocktest.Start(append(k.mockOptions(), opts...)...)
}

func (k *kit) mockOptions() []mocktest.Option {
	return []mocktest.Option{
		mocktest.WithFixtures(mockserver.Fixtures{k.name: k.Fixtures[k.name]}),
		mocktest.WithConfig(func(c *mockserver.Config) { c.APIs = []mockapi.Factory{k.New} }),
	}
}

// moduleRoot is the directory of this module's go.mod, found upwards from the working directory
// (a test's is its package's).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("apikit: no go.mod above the working directory")
		}
		dir = parent
	}
}

// missing lists what want has and got does not, sorted.
func missing(want, got []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return out
}
