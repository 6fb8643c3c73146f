package report

import (
	"encoding/json"
	"io"
	"strings"
	"unicode"

	"github.com/idvkit/idvkit/steps/scenario"
)

// WriteCucumber writes the report in the Cucumber JSON format as Cucumber-JVM writes it (the shape
// Jenkins' cucumber-reports, Xray and Allure read): an array of features, one per feature file, each
// with its scenarios as elements of type "scenario" (an outline's example row is one of its own, with
// the row's line), and each scenario with every one of its steps, Background steps first: keyword
// (with its trailing space), name, line, and result {status, duration in nanoseconds, error_message}.
//
// Every scenario appears. One that failed or was skipped before any step ran (our capability gating,
// a target that could not be opened) has its steps skipped and a "before" hook whose result carries
// the status and the reason, as Cucumber reports a failing Before hook. A failure that does not fail
// the run keeps its failed step, whose error_message starts with why it does not count ("policy rule
// failed (not counted ...)", "expected failure (<why it is listed>)"); a relaxed check of our own part
// of a rule is such a failed step too, though the scenario went on. A listed scenario that passed
// gets a failed "after" hook saying so.
func WriteCucumber(w io.Writer, r *Report) error {
	features := []*cukeFeature{}
	byFile := map[string]*cukeFeature{}
	for _, res := range r.Results {
		if res.Status == "" {
			continue
		}
		key := res.Source.File
		if key == "" {
			key = "\x00" + res.Feature
		}
		f := byFile[key]
		if f == nil {
			src := res.Source.Feature
			keyword := src.Keyword
			if keyword == "" {
				keyword = "Feature"
			}
			f = &cukeFeature{URI: res.Source.File, ID: slug(res.Feature), Keyword: keyword, Name: res.Feature,
				Description: src.Description, Line: src.Line, Elements: []cukeElement{}}
			for _, t := range src.Tags {
				f.Tags = append(f.Tags, cukeLocationTag{Name: t.Name, Type: "Tag", Location: cukeLocation{Line: t.Line, Column: t.Column}})
			}
			byFile[key] = f
			features = append(features, f)
		}
		f.Elements = append(f.Elements, cukeScenario(r, res, f.ID))
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(features)
}

type cukeFeature struct {
	URI         string            `json:"uri"`
	ID          string            `json:"id"`
	Keyword     string            `json:"keyword"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Line        int               `json:"line"`
	Tags        []cukeLocationTag `json:"tags,omitempty"`
	Elements    []cukeElement     `json:"elements"`
}

type cukeLocationTag struct {
	Name     string       `json:"name"`
	Type     string       `json:"type"`
	Location cukeLocation `json:"location"`
}

type cukeLocation struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

type cukeElement struct {
	ID             string     `json:"id"`
	Keyword        string     `json:"keyword"`
	Type           string     `json:"type"`
	Name           string     `json:"name"`
	Description    string     `json:"description"`
	Line           int        `json:"line"`
	StartTimestamp string     `json:"start_timestamp,omitempty"`
	Tags           []cukeTag  `json:"tags,omitempty"`
	Before         []cukeHook `json:"before,omitempty"`
	Steps          []cukeStep `json:"steps"`
	After          []cukeHook `json:"after,omitempty"`
}

type cukeTag struct {
	Name string `json:"name"`
}

type cukeHook struct {
	Match  cukeMatch  `json:"match"`
	Result cukeResult `json:"result"`
}

type cukeMatch struct {
	Location string `json:"location,omitempty"`
}

type cukeStep struct {
	Keyword   string         `json:"keyword"`
	Name      string         `json:"name"`
	Line      int            `json:"line"`
	DocString *cukeDocString `json:"doc_string,omitempty"`
	Rows      []cukeRow      `json:"rows,omitempty"`
	Result    cukeResult     `json:"result"`
}

type cukeDocString struct {
	Value       string `json:"value"`
	ContentType string `json:"content_type,omitempty"`
	Line        int    `json:"line"`
}

type cukeRow struct {
	Cells []string `json:"cells"`
}

type cukeResult struct {
	Status       string `json:"status"`
	Duration     int64  `json:"duration,omitempty"` // nanoseconds
	ErrorMessage string `json:"error_message,omitempty"`
}

func cukeScenario(r *Report, res scenario.Result, featureID string) cukeElement {
	keyword := res.Source.Keyword
	if keyword == "" {
		keyword = "Scenario"
	}
	el := cukeElement{ID: featureID + ";" + slug(res.Name), Keyword: keyword, Type: "scenario", Name: res.Name,
		Description: res.Source.Description, Line: res.Source.Line, Steps: []cukeStep{}}
	if _, line := res.Where(); line != 0 && line != res.Source.Line {
		// an outline's example row: its own line, and its row in the ID, as Cucumber-JVM adds
		el.ID += ";" + slug(res.ID[strings.LastIndex(res.ID, "/")+1:])
	}
	if !res.Start.IsZero() {
		el.StartTimestamp = res.Start.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	for _, t := range res.Tags {
		el.Tags = append(el.Tags, cukeTag{Name: t})
	}
	outcome, prefix := r.Outcome(res), ""
	if outcome == OutcomePolicyFailed || outcome == OutcomeExpectedFailure {
		prefix = notCounted(r, res)
	}
	stepFailed := false
	for _, st := range res.Steps {
		cs := cukeStep{Keyword: st.Keyword + " ", Name: st.Text, Line: st.Line,
			Result: cukeResult{Status: string(st.Status), Duration: st.Duration.Nanoseconds(), ErrorMessage: st.Error}}
		switch {
		case st.Relaxed:
			stepFailed = true
			cs.Result.Status = string(scenario.Failed)
			if !r.PolicyCounts {
				cs.Result.ErrorMessage = policyNotCounted + cs.Result.ErrorMessage
			}
		case st.Status == scenario.Failed, st.Status == scenario.Undefined, st.Status == scenario.Pending:
			stepFailed = true
			if cs.Result.ErrorMessage != "" {
				cs.Result.ErrorMessage = prefix + cs.Result.ErrorMessage
			}
		}
		if st.DocString != nil {
			cs.DocString = &cukeDocString{Value: st.DocString.Content, ContentType: st.DocString.MediaType, Line: st.DocString.Line}
		}
		for _, row := range st.Table {
			cs.Rows = append(cs.Rows, cukeRow{Cells: row})
		}
		el.Steps = append(el.Steps, cs)
	}
	ranAStep := false
	for _, st := range res.Steps {
		ranAStep = ranAStep || st.Status != scenario.Skipped || st.Error != ""
	}
	switch {
	case res.Status == scenario.Skipped && !ranAStep:
		el.Before = []cukeHook{{Match: cukeMatch{Location: "idvkit"}, Result: cukeResult{Status: string(scenario.Skipped), ErrorMessage: res.Reason}}}
	case res.Status == scenario.Failed && !stepFailed:
		el.Before = []cukeHook{{Match: cukeMatch{Location: "idvkit"}, Result: cukeResult{Status: string(scenario.Failed), ErrorMessage: prefix + res.Reason}}}
	case outcome == OutcomeUnexpectedPass:
		el.After = []cukeHook{{Match: cukeMatch{Location: "idvkit verdict"}, Result: cukeResult{Status: string(scenario.Failed),
			ErrorMessage: unexpectedPass(r, res)}}}
	}
	return el
}

// slug is a name as Cucumber writes it in an ID: lower case, with a dash for each run of other
// characters than letters and digits.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}
