package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/steps/scenario"
)

// WriteJUnit writes the report as JUnit XML, the Surefire flavour that Jenkins, GitLab and GitHub's
// test reporters read: <testsuites> with one <testsuite> per API (its rule coverage as properties)
// and one <testcase> per scenario, classname its feature's name and name "<ID> <scenario name>",
// with its steps, their status and duration in <system-out>.
//
// A failure that counts is a <failure> naming the failing step and its error (an <error> when no step
// failed: the target could not be opened, or godog did not run the scenario). A skipped scenario,
// capability-gated ones included, is <skipped message="why"/>. A failure that does not fail the run
// is <skipped> too, its message saying why and then what failed: "policy rule failed (not counted
// ...)" for a @policy rule, or a relaxed check of our own part of one, without --strict-policy (every
// relaxed step is "relaxed" in <system-out>), "expected failure (<why it is listed>)" for one
// on the expected-failures list; CI tools mark a run red on any <failure>, and such a run is
// conformant. A listed scenario that passed is a <failure>: it fails the run.
func WriteJUnit(w io.Writer, r *Report) error {
	host, _ := os.Hostname()
	doc := junitSuites{Name: "idvkit conform"}
	var all []scenario.Result
	coverage := r.Coverage()
	for _, api := range apisOf(r) {
		suite := junitSuite{Name: api, Hostname: host}
		var results []scenario.Result
		for _, res := range r.Results {
			if res.API == api && res.Status != "" {
				results = append(results, res)
			}
		}
		suite.Time, suite.Timestamp = span(results)
		for _, cov := range coverage {
			if cov.API == api {
				suite.Properties = &junitProperties{Property: []junitProperty{
					{"rules.listed", strings.Join(cov.Listed, " ")},
					{"rules.verified", strings.Join(cov.Verified, " ")},
					{"rules.not-verified", strings.Join(difference(cov.Listed, cov.Verified), " ")},
					{"rules.coverage", fmt.Sprintf("%d/%d", len(cov.Verified), len(cov.Listed))},
				}}
			}
		}
		for _, res := range results {
			tc := junitCase(r, res)
			suite.Tests++
			switch {
			case tc.Failure != nil:
				suite.Failures++
			case tc.Error != nil:
				suite.Errors++
			case tc.Skipped != nil:
				suite.Skipped++
			}
			suite.Cases = append(suite.Cases, tc)
		}
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Errors += suite.Errors
		doc.Suites = append(doc.Suites, suite)
		all = append(all, results...)
	}
	doc.Time, _ = span(all)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Time       string           `xml:"time,attr"`
	Timestamp  string           `xml:"timestamp,attr,omitempty"`
	Hostname   string           `xml:"hostname,attr,omitempty"`
	Properties *junitProperties `xml:"properties"`
	Cases      []junitTestCase  `xml:"testcase"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure"`
	Error     *junitMessage `xml:"error"`
	Skipped   *junitMessage `xml:"skipped"`
	SystemOut *junitText    `xml:"system-out"`
}

// junitText is text written as CDATA, so the report reads as it is printed.
type junitText struct {
	Text string `xml:",cdata"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

func junitCase(r *Report, res scenario.Result) junitTestCase {
	tc := junitTestCase{Name: res.ID + " " + res.Name, Classname: res.Feature, Time: seconds(res.Duration),
		SystemOut: &junitText{xmlText(stepLines(res))}}
	if tc.Classname == "" {
		tc.Classname = strings.TrimSuffix(res.Source.File, ".feature")
	}
	failing, where := failingStep(res)
	switch r.Outcome(res) {
	case OutcomeSkipped:
		tc.Skipped = &junitMessage{Message: res.Reason}
	case OutcomePolicyFailed, OutcomeExpectedFailure:
		_, why := res.Failure()
		tc.Skipped = &junitMessage{Message: notCounted(r, res) + where + why}
	case OutcomeFailed:
		switch {
		case failing != nil:
			tc.Failure = &junitMessage{Message: where + res.Reason, Type: string(failing.Status),
				Text: xmlText(fmt.Sprintf("%s:%d: %s %s\n%s\n", res.Source.File, failing.Line, failing.Keyword, failing.Text, failing.Error))}
		case res.FailedStep != "":
			tc.Failure = &junitMessage{Message: where + res.Reason, Type: string(scenario.Failed)}
		default:
			tc.Error = &junitMessage{Message: res.Reason, Type: "idvkit"}
		}
	case OutcomeUnexpectedPass:
		tc.Failure = &junitMessage{Message: unexpectedPass(r, res), Type: string(OutcomeUnexpectedPass)}
	}
	return tc
}

// notCounted starts the message of a failure that does not fail the run.
func notCounted(r *Report, res scenario.Result) string {
	if why, ok := r.Expected[res.ID]; ok {
		return "expected failure (" + why + "): "
	}
	return policyNotCounted
}

// policyNotCounted starts the message of a failure of our own policy that does not fail the run.
const policyNotCounted = "policy rule failed (not counted against this target; --strict-policy counts it): "

// unexpectedPass is the message of a scenario that passed but is listed as an expected failure.
func unexpectedPass(r *Report, res scenario.Result) string {
	return "passed, but is listed as an expected failure (" + r.Expected[res.ID] + "): take it off the list"
}

// failingStep is the step that failed the scenario (the first one failed, undefined or pending, else
// the first relaxed one), and how a message names it: "at step <keyword> <text> (line N): ".
func failingStep(res scenario.Result) (*scenario.StepResult, string) {
	at := func(i int) (*scenario.StepResult, string) {
		st := &res.Steps[i]
		return st, fmt.Sprintf("at step %s %s (line %d): ", st.Keyword, st.Text, st.Line)
	}
	for i, st := range res.Steps {
		switch st.Status {
		case scenario.Failed, scenario.Undefined, scenario.Pending:
			return at(i)
		}
	}
	if step, _ := res.Failure(); step != "" {
		for i, st := range res.Steps {
			if st.Relaxed {
				return at(i)
			}
		}
		return nil, fmt.Sprintf("at step %s: ", step)
	}
	return nil, ""
}

// stepLines lists a scenario's steps, one a line with status and duration, a failing step's error
// under it.
func stepLines(res scenario.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d  %s  %s\n", res.Source.File, res.Source.Line, res.ID, res.Name)
	if res.Status == scenario.Skipped && res.Reason != "" {
		fmt.Fprintf(&b, "skipped: %s\n", res.Reason)
	}
	for _, st := range res.Steps {
		status := string(st.Status)
		if st.Relaxed {
			status = "relaxed"
		}
		fmt.Fprintf(&b, "%-9s %9s  %s %s (line %d)\n", status, st.Duration.Round(time.Microsecond), st.Keyword, st.Text, st.Line)
		if st.Error != "" {
			fmt.Fprintf(&b, "%21s%s\n", "", strings.ReplaceAll(st.Error, "\n", "\n"+strings.Repeat(" ", 21)))
		}
	}
	return b.String()
}

// apisOf lists the APIs of the results, in the order they first appear.
func apisOf(r *Report) []string {
	var out []string
	seen := map[string]bool{}
	for _, res := range r.Results {
		if res.Status != "" && !seen[res.API] {
			seen[res.API] = true
			out = append(out, res.API)
		}
	}
	return out
}

// span is the wall-clock time results took together, in seconds, and when the first one started in
// the local time without a zone, as Ant and Surefire write a timestamp; without start times, the
// sum of their durations.
func span(results []scenario.Result) (secs, timestamp string) {
	var first, last time.Time
	var sum time.Duration
	for _, res := range results {
		sum += res.Duration
		if res.Start.IsZero() {
			continue
		}
		if first.IsZero() || res.Start.Before(first) {
			first = res.Start
		}
		if end := res.Start.Add(res.Duration); end.After(last) {
			last = end
		}
	}
	if first.IsZero() {
		return seconds(sum), ""
	}
	return seconds(last.Sub(first)), first.Local().Format("2006-01-02T15:04:05")
}

// xmlText replaces what XML cannot carry (control characters, invalid UTF-8) with U+FFFD: CDATA is
// written as it is, where the encoder replaces them in attributes and character data itself.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return '\uFFFD'
	}, s)
}

// seconds formats a duration as JUnit's time: seconds with at most three decimals.
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }
