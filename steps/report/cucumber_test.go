package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/steps/report"
	"github.com/idvkit/idvkit/steps/scenario"
)

// cucumberSchema is cucumber/cucumber-json-schema's schema of Cucumber-JVM's JSON (see
// testdata/schemas/README.md).
const cucumberSchema = "testdata/schemas/cucumber-jvm.json"

func validateCucumber(t *testing.T, doc []byte) error {
	t.Helper()
	f, err := os.Open(cucumberSchema)
	require.NoError(t, err)
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("cucumber-jvm.json", schemaDoc))
	schema, err := c.Compile("cucumber-jvm.json")
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return schema.Validate(inst)
}

type cukeDoc []struct {
	URI, ID, Keyword, Name, Description string
	Line                                int
	Tags                                []map[string]any
	Elements                            []cukeElementDoc
}

type cukeHookDoc struct {
	Match  struct{ Location string }
	Result cukeResultDoc
}

type cukeResultDoc struct {
	Status       string
	Duration     int64
	ErrorMessage string `json:"error_message"`
}

type cukeElementDoc struct {
	ID, Keyword, Type, Name, Description string
	Line                                 int
	StartTimestamp                       string `json:"start_timestamp"`
	Tags                                 []struct{ Name string }
	Before, After                        []cukeHookDoc
	Steps                                []struct {
		Keyword, Name string
		Line          int
		DocString     *struct {
			Value       string
			ContentType string `json:"content_type"`
			Line        int
		} `json:"doc_string"`
		Rows   []struct{ Cells []string }
		Result cukeResultDoc
	}
}

// The Cucumber JSON of a run is valid against the Cucumber JSON schema and has every scenario and
// every step: keyword, name, line, status, duration in nanoseconds, error message.
func TestCucumberJSONIsValidAndComplete(t *testing.T) {
	r := reportsRun(t)
	var out bytes.Buffer
	require.NoError(t, report.WriteCucumber(&out, r))
	require.NoError(t, validateCucumber(t, out.Bytes()), out.String())

	var doc cukeDoc
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	require.Len(t, doc, 1)
	f := doc[0]
	assert.Equal(t, "rambase/reports.feature", f.URI)
	assert.Equal(t, "reports", f.ID)
	assert.Equal(t, "Feature", f.Keyword)
	assert.Equal(t, "Reports", f.Name)
	assert.Equal(t, 2, f.Line)
	assert.Equal(t, []map[string]any{{"name": "@reports", "type": "Tag", "location": map[string]any{"line": 1.0, "column": 1.0}}}, f.Tags)
	require.Len(t, f.Elements, 9)

	els := map[string]cukeElementDoc{}
	for _, el := range f.Elements {
		els[el.ID] = el
		assert.Equal(t, "scenario", el.Type)
		_, err := time.Parse(time.RFC3339Nano, el.StartTimestamp)
		assert.NoError(t, err, el.ID)
		assert.Equal(t, `the value "x" is saved as "bg"`, el.Steps[0].Name, "Background steps first")
		assert.Equal(t, 6, el.Steps[0].Line)
	}

	pass := els["reports;passes"]
	assert.Equal(t, "Scenario", pass.Keyword)
	assert.Equal(t, 9, pass.Line)
	assert.Equal(t, []struct{ Name string }{{"@reports"}, {"@id:R-1"}}, pass.Tags)
	require.Len(t, pass.Steps, 3)
	assert.Equal(t, "When ", pass.Steps[1].Keyword)
	assert.Equal(t, `a client sends "GET /no-such"`, pass.Steps[1].Name)
	assert.Equal(t, "passed", pass.Steps[1].Result.Status)
	assert.Positive(t, pass.Steps[1].Result.Duration)
	assert.Less(t, pass.Steps[1].Result.Duration, int64(time.Minute), "nanoseconds")
	assert.Empty(t, pass.Before)

	fail := els["reports;fails-then-skips"].Steps
	assert.Equal(t, "failed", fail[2].Result.Status)
	assert.Contains(t, fail[2].Result.ErrorMessage, "expected status 200, got 404")
	assert.Equal(t, "But ", fail[3].Keyword)
	assert.Equal(t, "skipped", fail[3].Result.Status)

	gated := els["reports;gated-by-a-capability"]
	require.Len(t, gated.Before, 1)
	assert.Equal(t, cukeResultDoc{Status: "skipped", ErrorMessage: "target lacks capability clock.advance"}, gated.Before[0].Result)
	require.Len(t, gated.Steps, 3)
	for _, st := range gated.Steps {
		assert.Equal(t, cukeResultDoc{Status: "skipped"}, st.Result)
	}

	byStep := els["reports;skipped-by-a-step"]
	assert.Empty(t, byStep.Before, "the step says why")
	assert.Equal(t, "skipped", byStep.Steps[1].Result.Status)
	assert.Contains(t, byStep.Steps[1].Result.ErrorMessage, "no credentials for role rambase.internal_user")

	policy := els["reports;a-policy-the-target-breaks"].Steps[2].Result
	assert.Equal(t, "failed", policy.Status)
	assert.Regexp(t, `^policy rule failed \(not counted against this target; --strict-policy counts it\): expected status 200, got 404`, policy.ErrorMessage)

	row := els["reports;rows-2;fails"]
	assert.Equal(t, "Scenario Outline", row.Keyword)
	assert.Equal(t, "rows 2", row.Name)
	assert.Equal(t, 42, row.Line)
	assert.Equal(t, `a client sends "GET /no-such-2"`, row.Steps[1].Name)
	assert.Equal(t, 36, row.Steps[1].Line)
	assert.Contains(t, els, "reports;rows-1;passes")

	assert.Equal(t, "undefined", els["reports;undefined"].Steps[1].Result.Status)

	// Listed as expected failures: a failing one says why it is listed; a passing one gets a failed
	// after hook.
	r.Expected = map[string]string{"R-6/fails": "known bug 42", "R-1": "fixed since"}
	out.Reset()
	require.NoError(t, report.WriteCucumber(&out, r))
	require.NoError(t, validateCucumber(t, out.Bytes()), out.String())
	var listed cukeDoc
	require.NoError(t, json.Unmarshal(out.Bytes(), &listed))
	for _, el := range listed[0].Elements {
		switch el.ID {
		case "reports;rows-2;fails":
			assert.Equal(t, "failed", el.Steps[2].Result.Status)
			assert.Regexp(t, `^expected failure \(known bug 42\): expected status 200, got 404`, el.Steps[2].Result.ErrorMessage)
		case "reports;passes":
			assert.Equal(t, []cukeHookDoc{{Match: struct{ Location string }{"idvkit verdict"}, Result: cukeResultDoc{Status: "failed",
				ErrorMessage: "passed, but is listed as an expected failure (fixed since): take it off the list"}}}, el.After)
		}
	}

	args := els["reports;arguments"].Steps
	assert.Equal(t, [][]string{{"grant_type", "client_credentials"}}, [][]string{args[1].Rows[0].Cells})
	require.NotNil(t, args[2].DocString)
	assert.Equal(t, `{"a": 1}`, args[2].DocString.Value)
	assert.Equal(t, "json", args[2].DocString.ContentType)
	assert.Equal(t, 54, args[2].DocString.Line)
}

// A failure outside any step is a failed before hook; results of several files are several features,
// in the order they first appear; a result no scenario filled in is left out.
func TestCucumberJSONEdgeCases(t *testing.T) {
	r := &report.Report{Results: []scenario.Result{
		{Scenario: scenario.Scenario{ID: "A-1", Name: "target down", API: "rambase", Feature: "A"}, Status: scenario.Failed,
			Reason: "target: connection refused", Source: scenario.Source{File: "rambase/a.feature", Line: 3},
			Steps: []scenario.StepResult{{Keyword: "When", Text: "x", Line: 4, Status: scenario.Skipped}}},
		{},
		{Scenario: scenario.Scenario{ID: "B-1", Name: "b", API: "randaverify", Feature: "B"}, Status: scenario.Passed,
			Source: scenario.Source{File: "randaverify/b.feature", Line: 5}},
		{Scenario: scenario.Scenario{ID: "A-2", Name: "a2", API: "rambase", Feature: "A"}, Status: scenario.Passed,
			Source: scenario.Source{File: "rambase/a.feature", Line: 9}},
	}}
	var out bytes.Buffer
	require.NoError(t, report.WriteCucumber(&out, r))
	require.NoError(t, validateCucumber(t, out.Bytes()), out.String())
	var doc cukeDoc
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	require.Len(t, doc, 2)
	assert.Equal(t, "rambase/a.feature", doc[0].URI)
	require.Len(t, doc[0].Elements, 2)
	assert.Equal(t, []cukeHookDoc{{Match: struct{ Location string }{"idvkit"}, Result: cukeResultDoc{Status: "failed", ErrorMessage: "target: connection refused"}}},
		doc[0].Elements[0].Before)
	assert.Equal(t, "randaverify/b.feature", doc[1].URI)

	out.Reset()
	require.NoError(t, report.WriteCucumber(&out, &report.Report{}))
	assert.JSONEq(t, "[]", out.String())
	require.NoError(t, validateCucumber(t, out.Bytes()))
}

// The schema test can fail: documents that break the schema in ways a broken writer would are
// refused.
func TestCucumberSchemaRefusesBrokenReports(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, report.WriteCucumber(&out, reportsRun(t)))
	for name, breakIt := range map[string]func(f map[string]any){
		"a feature without its uri": func(f map[string]any) { delete(f, "uri") },
		"a step without its keyword": func(f map[string]any) {
			delete(step(f, 0, 0), "keyword")
		},
		"a step without its result": func(f map[string]any) { delete(step(f, 1, 2), "result") },
		"a status Cucumber does not know": func(f map[string]any) {
			step(f, 1, 2)["result"].(map[string]any)["status"] = "ambiguous"
		},
		"a line that is not a number": func(f map[string]any) { step(f, 0, 1)["line"] = "10" },
		"a scenario without a description": func(f map[string]any) {
			delete(f["elements"].([]any)[0].(map[string]any), "description")
		},
		"a field the format does not have": func(f map[string]any) { step(f, 0, 0)["status"] = "passed" },
	} {
		var doc []map[string]any
		require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
		breakIt(doc[0])
		broken, err := json.Marshal(doc)
		require.NoError(t, err)
		assert.Error(t, validateCucumber(t, broken), name)
	}
}

func step(feature map[string]any, element, i int) map[string]any {
	return feature["elements"].([]any)[element].(map[string]any)["steps"].([]any)[i].(map[string]any)
}
