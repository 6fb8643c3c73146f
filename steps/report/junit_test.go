package report_test

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/mockserver/mocktest"
	"github.com/idvkit/idvkit/steps/report"
	"github.com/idvkit/idvkit/steps/scenario"
)

// junitSchema is Jenkins' xUnit plugin's JUnit schema (see testdata/schemas/README.md).
const junitSchema = "testdata/schemas/junit-10.xsd"

// xmllint finds xmllint (Debian's libxml2-utils): outside CI a test without it is skipped, saying so;
// in CI it fails.
func xmllint(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err != nil {
		const why = "xmllint is not installed (Debian: apt-get install libxml2-utils), so the JUnit XML cannot be validated against its schema"
		mocktest.Unavailable(t, why)
	}
	return path
}

// validateJUnit checks a document against the JUnit schema with xmllint. Tests call it after their
// other checks, which run without xmllint too.
func validateJUnit(t *testing.T, doc []byte) error {
	t.Helper()
	file := filepath.Join(t.TempDir(), "junit.xml")
	require.NoError(t, os.WriteFile(file, doc, 0o600))
	out, err := exec.Command(xmllint(t), "--noout", "--schema", junitSchema, file).CombinedOutput()
	if err != nil {
		return &schemaError{err: err, out: string(out)}
	}
	return nil
}

type schemaError struct {
	err error
	out string
}

func (e *schemaError) Error() string { return e.err.Error() + ": " + e.out }

type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name       string          `xml:"name,attr"`
		Timestamp  string          `xml:"timestamp,attr"`
		Hostname   string          `xml:"hostname,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCaseDoc  `xml:"testcase"`
	} `xml:"testsuite"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCaseDoc struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
	Time      string `xml:"time,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	} `xml:"failure"`
	Error *struct {
		Message string `xml:"message,attr"`
	} `xml:"error"`
	Skipped *struct {
		Message string `xml:"message,attr"`
	} `xml:"skipped"`
	SystemOut string `xml:"system-out"`
}

// The JUnit XML of a run is valid against the schema CI tools use, and says what happened: a test
// case per scenario, failures with their step, skipped ones (capability-gated and uncounted policy
// failures included) with their reason, every step in <system-out>.
func TestJUnitIsValidAndComplete(t *testing.T) {
	r := reportsRun(t)
	var out bytes.Buffer
	require.NoError(t, report.WriteJUnit(&out, r))
	uncounted := out.String()

	var doc junitDoc
	require.NoError(t, xml.Unmarshal(out.Bytes(), &doc))
	require.Len(t, doc.Suites, 1)
	suite := doc.Suites[0]
	assert.Equal(t, "rambase", suite.Name)
	assert.Equal(t, 9, suite.Tests)
	assert.Equal(t, 3, suite.Failures, "R-2, R-6/fails, R-7")
	assert.Equal(t, 3, suite.Skipped, "R-3, R-4 and the uncounted policy failure R-5")
	assert.Equal(t, 0, suite.Errors)
	assert.Equal(t, [3]int{9, 3, 0}, [3]int{doc.Tests, doc.Failures, doc.Errors})
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$`, suite.Timestamp)
	assert.Regexp(t, `^\d+\.\d{3}$`, suite.Time)
	assert.Contains(t, suite.Properties, junitProperty{"rules.coverage", "0/13"})

	cases := map[string]junitCaseDoc{}
	for _, c := range suite.Cases {
		cases[strings.Fields(c.Name)[0]] = c
		assert.Equal(t, "Reports", c.Classname, c.Name)
		assert.Regexp(t, `^\d+\.\d{3}$`, c.Time, c.Name)
	}
	require.Len(t, cases, 9)

	pass := cases["R-1"]
	assert.Equal(t, "R-1 passes", pass.Name)
	assert.Nil(t, pass.Failure)
	assert.Nil(t, pass.Skipped)
	assert.Regexp(t, `(?m)^passed +\S+ +When a client sends "GET /no-such" \(line 10\)$`, pass.SystemOut)

	fail := cases["R-2"]
	require.NotNil(t, fail.Failure)
	assert.Equal(t, "at step Then the response status is 200 (line 16): "+byIDReason(r, "R-2"), fail.Failure.Message)
	assert.Equal(t, "failed", fail.Failure.Type)
	assert.Contains(t, fail.Failure.Text, "rambase/reports.feature:16: Then the response status is 200\n")
	assert.Regexp(t, `(?m)^failed +\S+ +Then the response status is 200 \(line 16\)\n +expected status 200, got 404`, fail.SystemOut)
	assert.Regexp(t, `(?m)^skipped +\S+ +But the response status is 404 \(line 17\)$`, fail.SystemOut)

	gated := cases["R-3"]
	require.NotNil(t, gated.Skipped)
	assert.Equal(t, "target lacks capability clock.advance", gated.Skipped.Message)
	assert.Equal(t, 3, strings.Count(gated.SystemOut, "\nskipped "), "every step listed:\n%s", gated.SystemOut)

	require.NotNil(t, cases["R-4"].Skipped)
	assert.Contains(t, cases["R-4"].Skipped.Message, "no credentials for role rambase.internal_user")

	policy := cases["R-5"]
	assert.Nil(t, policy.Failure)
	require.NotNil(t, policy.Skipped)
	assert.True(t, strings.HasPrefix(policy.Skipped.Message,
		"policy rule failed (not counted against this target; --strict-policy counts it): at step Then the response status is 200 (line 32): expected status 200, got 404"),
		policy.Skipped.Message)

	require.NotNil(t, cases["R-6/fails"].Failure)
	assert.Nil(t, cases["R-6/passes"].Failure)
	require.NotNil(t, cases["R-7"].Failure)
	assert.Equal(t, "undefined", cases["R-7"].Failure.Type)

	// Counted, the policy failure is a failure.
	r.PolicyCounts = true
	out.Reset()
	require.NoError(t, report.WriteJUnit(&out, r))
	counted := out.String()
	doc = junitDoc{}
	require.NoError(t, xml.Unmarshal(out.Bytes(), &doc))
	assert.Equal(t, [2]int{4, 2}, [2]int{doc.Suites[0].Failures, doc.Suites[0].Skipped})

	// Listed as expected failures: a failing one is skipped, saying why it is listed; a passing one
	// fails.
	r.PolicyCounts = false
	r.Expected = map[string]string{"R-6/fails": "known bug 42", "R-1": "fixed since"}
	out.Reset()
	require.NoError(t, report.WriteJUnit(&out, r))
	doc = junitDoc{}
	require.NoError(t, xml.Unmarshal(out.Bytes(), &doc))
	assert.Equal(t, [2]int{3, 4}, [2]int{doc.Suites[0].Failures, doc.Suites[0].Skipped}, "R-1, R-2, R-7 failed; R-3, R-4, R-5, R-6/fails skipped")
	cases = map[string]junitCaseDoc{}
	for _, c := range doc.Suites[0].Cases {
		cases[strings.Fields(c.Name)[0]] = c
	}
	require.NotNil(t, cases["R-6/fails"].Skipped)
	assert.True(t, strings.HasPrefix(cases["R-6/fails"].Skipped.Message,
		"expected failure (known bug 42): at step Then the response status is 200 (line 37): expected status 200, got 404"),
		cases["R-6/fails"].Skipped.Message)
	require.NotNil(t, cases["R-1"].Failure)
	assert.Equal(t, "passed, but is listed as an expected failure (fixed since): take it off the list", cases["R-1"].Failure.Message)

	for _, doc := range []string{uncounted, counted, out.String()} {
		assert.NoError(t, validateJUnit(t, []byte(doc)), doc)
	}
}

func byIDReason(r *report.Report, id string) string { return resultsByID(r)[id].Reason }

// Results that no run produced are written as they are: a failure outside any step is an <error>,
// characters XML cannot carry are replaced, several APIs are several test suites, and a result no
// scenario filled in (a subtest go test -run left out) is left out.
func TestJUnitEdgeCases(t *testing.T) {
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.Local)
	r := &report.Report{Results: []scenario.Result{
		{Scenario: scenario.Scenario{ID: "A-1", Name: "target down", API: "rambase", Feature: "F"}, Status: scenario.Failed,
			Reason: "target: connection refused \x1b[31m", Start: start, Duration: 1500 * time.Microsecond},
		{},
		{Scenario: scenario.Scenario{ID: "B-1", Name: "x & <y>", API: "randaverify", Path: "randaverify/b.feature:3"},
			Status: scenario.Passed, Start: start.Add(time.Second), Duration: time.Second,
			Source: scenario.Source{File: "randaverify/b.feature", Line: 3},
			Steps:  []scenario.StepResult{{Keyword: "When", Text: "it \"works\"", Line: 4, Status: scenario.Passed, Duration: time.Millisecond}}},
	}}
	var out bytes.Buffer
	require.NoError(t, report.WriteJUnit(&out, r))
	var doc junitDoc
	require.NoError(t, xml.Unmarshal(out.Bytes(), &doc))
	require.Len(t, doc.Suites, 2)
	assert.Equal(t, "rambase", doc.Suites[0].Name)
	assert.Equal(t, 1, doc.Suites[0].Errors)
	assert.Equal(t, "0.002", doc.Suites[0].Time)
	assert.Equal(t, "2025-01-02T03:04:05", doc.Suites[0].Timestamp)
	c := doc.Suites[0].Cases[0]
	require.NotNil(t, c.Error)
	assert.Equal(t, "target: connection refused \uFFFD[31m", c.Error.Message)
	assert.Equal(t, "randaverify", doc.Suites[1].Name)
	assert.Equal(t, "B-1 x & <y>", doc.Suites[1].Cases[0].Name)
	assert.Equal(t, "randaverify/b", doc.Suites[1].Cases[0].Classname, "no feature name: its file")
	assert.Equal(t, 2, doc.Tests)
	assert.NoError(t, validateJUnit(t, out.Bytes()), out.String())
}

// The schema test can fail: documents that break the schema in ways a broken writer would are
// refused.
func TestJUnitSchemaRefusesBrokenReports(t *testing.T) {
	xmllint(t)
	var out bytes.Buffer
	require.NoError(t, report.WriteJUnit(&out, reportsRun(t)))
	good := out.String()
	require.NoError(t, validateJUnit(t, []byte(good)), "the report unbroken")
	for name, re := range map[string]*regexp.Regexp{
		"a test suite without tests":     regexp.MustCompile(` tests="\d+"`),
		"a test case without a name":     regexp.MustCompile(`<testcase name="[^"]*"`),
		"a time of more than 3 decimals": regexp.MustCompile(`(<testsuite name="rambase" [^>]*time="\d+\.\d{3})`),
	} {
		repl := ""
		switch name {
		case "a test case without a name":
			repl = "<testcase"
		case "a time of more than 3 decimals":
			repl = "${1}9"
		}
		broken := re.ReplaceAllString(good, repl)
		require.NotEqual(t, good, broken, name)
		assert.Error(t, validateJUnit(t, []byte(broken)), name)
	}
	assert.Error(t, validateJUnit(t, []byte(strings.Replace(good, "<skipped ", "<skip ", 1))), "an unknown element")
}
