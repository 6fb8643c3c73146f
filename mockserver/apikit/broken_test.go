package apikit

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/features"
	"github.com/idvkit/idvkit/mockserver"
	"github.com/idvkit/idvkit/mockserver/mockapi"
	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/mockserver/store"
	"github.com/idvkit/idvkit/openapi"
)

// Each check of the kit is shown failing on an API broken in the one way it guards against: RamBase
// (eeID for webhooks) as registered passes it first, then a copy of it with that part broken fails
// it, naming the part. The copies are made here, and registered nowhere.

// altered is a registered API with some of its parts changed; what it does not change it passes on
// from the API it wraps, its optional interfaces too.
type altered struct {
	mockapi.API
	spec            *openapi.Spec
	operations      func(map[string]http.Handler) map[string]http.Handler
	control         func(map[string]http.Handler) map[string]http.Handler
	capabilities    []string
	breakable, kept []string
	fixtures        mockapi.Fixtures
}

func alter(name string, change func(*altered)) mockapi.Factory {
	return func(env mockapi.Env) mockapi.API {
		a := &altered{API: mockserver.Factory(name)(env)}
		change(a)
		return a
	}
}

func (a *altered) Spec() *openapi.Spec {
	if a.spec != nil {
		return a.spec
	}
	return a.API.Spec()
}

func (a *altered) Operations() map[string]http.Handler {
	if a.operations != nil {
		return a.operations(a.API.Operations())
	}
	return a.API.Operations()
}

func (a *altered) Fixtures() mockapi.Fixtures {
	if a.fixtures != nil {
		return a.fixtures
	}
	return a.API.Fixtures()
}

func (a *altered) ControlOperations() map[string]http.Handler {
	ops := a.API.(mockapi.Controller).ControlOperations()
	if a.control != nil {
		return a.control(ops)
	}
	return ops
}

func (a *altered) Capabilities() []string {
	if a.capabilities != nil {
		return a.capabilities
	}
	return a.API.(mockapi.Controller).Capabilities()
}

func (a *altered) Breakable() []string {
	if a.breakable != nil {
		return a.breakable
	}
	return a.API.(mockapi.RuleBreaker).Breakable()
}

func (a *altered) Kept() []string {
	if a.kept != nil {
		return a.kept
	}
	return a.API.(mockapi.RuleKeeper).Kept()
}

func (a *altered) NewPrincipal(ctx context.Context, role string) (mockapi.Principal, error) {
	return a.API.(mockapi.PrincipalMaker).NewPrincipal(ctx, role)
}

// problems runs one check on an API.
func problems(t *testing.T, run func(context.Context, *kit) []string, a API) string {
	t.Helper()
	k, err := newKit(a)
	require.NoError(t, err)
	return strings.Join(run(t.Context(), k), "\n")
}

func rambase() API { return API{New: mockserver.Factory("rambase")} }

func brokenRambase(change func(*altered)) API { return API{New: alter("rambase", change)} }

func TestASpecNotEmbeddedFailsTheKit(t *testing.T) {
	require.Empty(t, problems(t, checkSpec, rambase()))
	raw, err := openapi.Raw("rambase")
	require.NoError(t, err)
	copied, err := openapi.Parse("rambase", raw)
	require.NoError(t, err)
	got := problems(t, checkSpec, brokenRambase(func(a *altered) { a.spec = copied }))
	assert.Equal(t, "Spec() is not the embedded openapi/rambase.yaml (openapi.MustLoad(Name))", got)
}

// The spec is read whole for constructs validators read differently (portable.go, whose own test
// shows each refused); control.yaml, where every API's control operations are, too.
func TestTheControlSpecIsPortable(t *testing.T) {
	assert.Empty(t, portability(openapi.Control))
}

func TestHandlersThatDisagreeWithTheSpecFailTheKit(t *testing.T) {
	require.Empty(t, problems(t, checkOperations, rambase()))
	got := problems(t, checkOperations, brokenRambase(func(a *altered) {
		a.operations = func(ops map[string]http.Handler) map[string]http.Handler {
			delete(ops, "getUser")
			ops["getUsers"] = http.NotFoundHandler()
			return ops
		}
	}))
	assert.Equal(t, "Operations() has no handler for getUser of its spec\nOperations() has a handler for getUsers, which its spec does not have", got)
}

func TestAFixtureSectionThatIsMissingOrDriftsFailsTheKit(t *testing.T) {
	require.Empty(t, problems(t, checkFixtures, rambase()))

	none := rambase()
	none.Fixtures = mockserver.Fixtures{}
	assert.Equal(t, "the fixture set (mockserver/fixtures.yaml) has no rambase section", problems(t, checkFixtures, none))

	misspelt := rambase()
	misspelt.Fixtures = mockserver.Fixtures{"rambase": json.RawMessage(`{"system": "S", "databse": "D"}`)}
	assert.Contains(t, problems(t, checkFixtures, misspelt), `its section of the fixture set does not seed: rambase fixtures: json: unknown field "databse"`)

	nobody := rambase()
	nobody.Fixtures = mockserver.Fixtures{"rambase": json.RawMessage(`{"system": "S", "database": "D"}`)}
	assert.Contains(t, problems(t, checkFixtures, nobody), "names no principal of a role")

	// A Go type with a field control.yaml's schema does not have.
	type extended struct {
		System   string `json:"system"`
		Database string `json:"database"`
		Region   string `json:"region"`
	}
	got := problems(t, checkFixtures, brokenRambase(func(a *altered) {
		a.fixtures = mockapi.NewSection("rambase", nil, func(context.Context, store.Store, *extended) error { return nil },
			func(extended) []mockapi.Role { return nil })
	}))
	assert.Contains(t, got, "control.yaml's fixture schema and the Go type differ: rambase.region: in the Go type, not in the schema")
	assert.Contains(t, got, "rambase.clients: in the schema, not in the Go type")
}

// A map of string keys is an object of additionalProperties only, whose values' schema is the map's
// values'.
func TestAFixtureMapIsComparedByItsValues(t *testing.T) {
	shapes := schemaShapes{}
	strs := reflect.TypeFor[map[string]string]()
	assert.Empty(t, shapes.differences("x.m", strs, map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}))
	assert.Equal(t, []string{`x.m.*: the schema's type is "integer", the Go type's "string"`},
		shapes.differences("x.m", strs, map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "integer"}}))
	assert.Equal(t, []string{"x.m: the Go type is a map, and the schema is not an object of additionalProperties only"},
		shapes.differences("x.m", strs, map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{}}))
	assert.Equal(t, []string{"x.m: Go type map[int]string has no JSON type this test knows"},
		shapes.differences("x.m", reflect.TypeFor[map[int]string](), map[string]any{"type": "object"}))
}

// A Go type that writes a section back other than it read it fails; one that leaves out only what
// is zero passes.
func TestAFixtureTypeThatDoesNotRoundTripFailsTheKit(t *testing.T) {
	type plain struct {
		Name string `json:"name"`
		On   bool   `json:"on,omitempty"`
	}
	assert.Empty(t, roundTrip(reflect.TypeFor[plain](), json.RawMessage(`{"name": "anna", "on": false}`)))
	type shouting struct {
		Name upper `json:"name"`
	}
	assert.Contains(t, roundTrip(reflect.TypeFor[shouting](), json.RawMessage(`{"name": "anna"}`)),
		`does not round-trip through apikit.shouting: it was {"name": "anna"}, and is written back as {"name":"ANNA"}`)
}

// upper reads a string in capitals.
type upper string

func (u *upper) UnmarshalJSON(b []byte) error {
	var s string
	err := json.Unmarshal(b, &s)
	*u = upper(strings.ToUpper(s))
	return err
}

func TestControlOperationsAndCapabilitiesOutsideControlYAMLFailTheKit(t *testing.T) {
	require.Empty(t, problems(t, checkControl, rambase()))
	got := problems(t, checkControl, brokenRambase(func(a *altered) {
		a.control = func(map[string]http.Handler) map[string]http.Handler {
			return map[string]http.Handler{"endSession": http.NotFoundHandler()}
		}
		a.capabilities = []string{"rambase.session.end", "rambase.session.renew"}
	}))
	assert.Equal(t, "control.yaml's endRamBaseSession is marked x-api: rambase, and ControlOperations() has no handler for it\n"+
		"ControlOperations() has endSession, which control.yaml does not mark x-api: rambase\n"+
		"capability rambase.session.renew is not in control.yaml's Capability enum", got)
}

// Each of an API's control operations has a typed method on mocktest.Server, named after it.
func TestAControlOperationWithoutItsMocktestMethodFailsTheKit(t *testing.T) {
	server := reflect.TypeFor[*mocktest.Server]()
	assert.Empty(t, missingHelpers([]string{"completeEeidRequest", "suspendRandaVerifyUser", "endRamBaseSession", "renderBundelingLink"}, server))
	assert.Equal(t, []string{"mocktest.Server has no method RenewRamBaseSession for control.yaml's renewRamBaseSession " +
		"(a typed call of it, beside those of mockserver/mocktest/eeid.go)"}, missingHelpers([]string{"completeEeidRequest", "renewRamBaseSession"}, server))
}

func TestWebhooksWithoutTheirSchemeFailTheKit(t *testing.T) {
	require.Empty(t, problems(t, checkWebhooks, API{New: mockserver.Factory("eeid")}))
	require.Empty(t, problems(t, checkWebhooks, rambase()))
	assert.Equal(t, []string{"openapi/eeid.yaml has x-webhooks, and no webhook.Scheme is registered for eeid (webhook.RegisterScheme in its package's init)"},
		webhookProblems("eeid", true, false))
	assert.Equal(t, []string{"a webhook.Scheme is registered for rambase, whose spec has no x-webhooks"}, webhookProblems("rambase", false, true))
}

// features is the embedded features with RamBase's replaced by the given ones.
func featuresWith(t *testing.T, rambaseFeatures map[string]string) fs.FS {
	t.Helper()
	fsys := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(features.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path, "rambase/") {
			return err
		}
		b, err := fs.ReadFile(features.FS, path)
		fsys[path] = &fstest.MapFile{Data: b}
		return err
	}))
	for name, src := range rambaseFeatures {
		fsys["rambase/"+name] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

func TestScenariosThatLeaveAnOperationOrRuleUncoveredFailTheKit(t *testing.T) {
	require.Empty(t, problems(t, checkScenarios, rambase()))

	none := rambase()
	none.Features = featuresWith(t, nil)
	assert.Equal(t, "no features: features/rambase/*.feature", problems(t, checkScenarios, none))

	one := rambase()
	one.Features = featuresWith(t, map[string]string{"one.feature": `Feature: one
  @id:RB-99-a @op:getUser @op:getUsers @rule:RB-99 @rule:RB-01 @policy
  Scenario: one
    Given "anna" has the role "rambase.internal_user"
`})
	got := problems(t, checkScenarios, one)
	for _, want := range []string{
		"operation getAccessToken has no scenario tagged @op:getAccessToken",
		"rule RB-02 has no scenario tagged @rule:RB-02",
		"RB-99-a: @op:getUsers names no operation of rambase",
		"RB-99-a: @rule:RB-99 is not a rule of rambase",
		"RB-99-a is @policy but names no policy rule",
		"RB-04 is a policy rule: a scenario of it is @policy, or marks the steps that check our part (policy...)",
	} {
		assert.Contains(t, got, want)
	}
	assert.NotContains(t, got, "operation getUser has")
}

func TestAnAPIWithoutStepsFailsTheKit(t *testing.T) {
	require.Empty(t, problems(t, checkSteps, rambase()))
	k, err := newKit(rambase())
	require.NoError(t, err)
	k.name = "widgets"
	assert.Equal(t, []string{"no steps are registered for widgets: steps/widgets.go registers them in init"}, checkSteps(t.Context(), k))
}

func TestCapabilitiesNeededButNotOfferedOrOfferedButNotNeededFailTheKit(t *testing.T) {
	require.Empty(t, problems(t, checkCapabilities, rambase()))
	other := rambase()
	other.Features = featuresWith(t, map[string]string{"one.feature": `Feature: one
  @id:RB-99-a @needs:eeid.request.complete
  Scenario: one
    Given "anna" has the role "rambase.internal_user"
`})
	assert.Equal(t, "RB-99-a needs eeid.request.complete, which a mock serving rambase does not offer\n"+
		"capability rambase.session.end, which rambase adds, is needed by none of its scenarios (@needs:rambase.session.end)",
		problems(t, checkCapabilities, other))
}

func TestRulesNeitherBrokenNorKeptOrBrokenUncaughtFailTheKit(t *testing.T) {
	require.Empty(t, problems(t, checkBreakable, rambase()))
	k, err := newKit(rambase())
	require.NoError(t, err)
	kept := k.api.(mockapi.RuleKeeper).Kept()

	undeclared := problems(t, checkBreakable, brokenRambase(func(a *altered) { a.kept = []string{} }))
	assert.Contains(t, undeclared, "rule RB-01 is neither breakable (mockapi.RuleBreaker) nor kept (mockapi.RuleKeeper)")
	assert.Equal(t, len(kept), strings.Count(undeclared, "neither breakable"))

	unknown := problems(t, checkBreakable, brokenRambase(func(a *altered) { a.kept = append(kept, "RB-99", "RB-11") }))
	assert.Equal(t, "RB-99 is breakable or kept, and is no rule of the spec\nrule RB-11 is both breakable and kept", unknown)

	// RB-01 said to be breakable, and kept as ever: nothing breaks it, so its scenarios pass.
	uncaught := problems(t, checkBreakable, brokenRambase(func(a *altered) {
		a.breakable = []string{"RB-11", "RB-01"}
		a.kept = kept[1:]
	}))
	assert.Regexp(t, `^with RB-01 broken \(mocktest.WithBrokenRules\), none of the \d+ scenarios of RB-01 failed$`, uncaught)

	// A scenario of RB-11 that fails whether the rule is kept or broken shows nothing caught.
	failing := rambase()
	failing.Features = featuresWith(t, map[string]string{"one.feature": `Feature: one
  @id:RB-11-z @rule:RB-11
  Scenario: one
    When a client sends "GET /system/sessions/current"
    Then the response status is 200
`})
	assert.Regexp(t, `^RB-11-z does not pass against a mock that keeps RB-11: failed `, problems(t, checkBreakable, failing))
}

// writeExample writes a target file for RamBase into a directory of its own.
func writeExample(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rambase.yaml"), []byte(src), 0o600))
	return dir
}

func TestAGoExampleThatIsMissingOrNotRunFailsTheKit(t *testing.T) {
	require.Empty(t, problems(t, checkGoExample, rambase()))
	missing := rambase()
	missing.GoExamples = t.TempDir()
	assert.Contains(t, problems(t, checkGoExample, missing), "mocktest's example of a client of rambase: ")

	unchecked := rambase()
	unchecked.GoExamples = t.TempDir()
	src := "package mocktest_test\n\nfunc Example_rambase() {\n\tprintln(\"no output checked\")\n}\n"
	require.NoError(t, os.WriteFile(filepath.Join(unchecked.GoExamples, "example_rambase_test.go"), []byte(src), 0o600))
	assert.Equal(t, filepath.Join(unchecked.GoExamples, "example_rambase_test.go")+": no func Example_rambase() with an // Output: comment, which go test checks",
		problems(t, checkGoExample, unchecked))
}

func TestAnExampleTargetFileThatIsMissingOrDoesNotPassFailsTheKit(t *testing.T) {
	require.Empty(t, problems(t, checkExample, rambase()))
	real, err := os.ReadFile("../../examples/rambase.yaml")
	require.NoError(t, err)

	missingFile := rambase()
	missingFile.Examples = t.TempDir()
	assert.Contains(t, problems(t, checkExample, missingFile), "the example target file: ")

	other := rambase()
	other.Examples = writeExample(t, strings.Replace(string(real), "api: rambase", "api: eeid", 1))
	assert.Contains(t, problems(t, checkExample, other), `api is "eeid", not "rambase"`)

	elsewhere := rambase()
	elsewhere.Examples = writeExample(t, strings.Replace(string(real), "http://127.0.0.1:8080/rambase", "https://api.rambase.net", 1))
	assert.Contains(t, problems(t, checkExample, elsewhere), `base_url "https://api.rambase.net" is not make run's mock`)

	// Anna's password is wrong: with the control API the principals are made and it passes; without
	// one, the file's are used, and a scenario of hers fails.
	wrong := rambase()
	wrong.Examples = writeExample(t, strings.Replace(string(real), "password: anna-password", "password: not-annas", 1))
	got := problems(t, checkExample, wrong)
	assert.NotContains(t, got, "with its control API")
	assert.Contains(t, got, "declared without a control API: not conformant")
	assert.Contains(t, got, "failed at step")
}

func TestAnOperationThatAnswersBadInputWithA500FailsTheKit(t *testing.T) {
	require.Empty(t, problems(t, checkBadInput, rambase()))
	got := problems(t, checkBadInput, brokenRambase(func(a *altered) {
		a.operations = func(ops map[string]http.Handler) map[string]http.Handler {
			getUser := ops["getUser"]
			ops["getUser"] = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Has("idvkit_unknown") {
					http.Error(w, "an unknown parameter!", http.StatusInternalServerError)
					return
				}
				getUser.ServeHTTP(w, r)
			})
			return ops
		}
	}))
	assert.Regexp(t, `^getUser: an unknown query parameter: ignored, as the clean request's 4\d\d, got 500: `, got)
	assert.Equal(t, 1, strings.Count(got, "\n")+1, "only getUser, once: %s", got)
}

// An operation that creates what its request names answers a repeat of it otherwise (Rampable's
// second registration of one email is a 409), so an input it ignores is judged against its answer
// to the clean request sent again: the registration passes, and a 500 to such an input still fails.
func TestAnOperationThatCreatesIsJudgedByItsAnswerToARepeat(t *testing.T) {
	require.Empty(t, problems(t, checkBadInput, API{New: mockserver.Factory("rampable")}))
	got := problems(t, checkBadInput, API{New: alter("rampable", func(a *altered) {
		a.operations = func(ops map[string]http.Handler) map[string]http.Handler {
			register := ops["register"]
			ops["register"] = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Has("idvkit_unknown") {
					http.Error(w, "an unknown parameter!", http.StatusInternalServerError)
					return
				}
				register.ServeHTTP(w, r)
			})
			return ops
		}
	})})
	assert.Regexp(t, `^register: an unknown query parameter: ignored, as the clean request's 409, got 500: `, got)
	assert.Equal(t, 1, strings.Count(got, "\n")+1, "only register, once: %s", got)
}
