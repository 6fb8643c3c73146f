package apihttp

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/idvkit/idvkit/openapi"
)

// An operation whose spec gives some response an XML body (openapi.Operation.AnswersXML) answers
// in JSON or XML, as the request's Accept asks; every other operation answers as its spec says and
// never reads Accept, so an API of JSON only pays nothing for this. One Go value is the answer in
// either form: XML is written from the value's JSON form by the response's schema (openapi.XMLBody).

// answer is the media type a request is answered in.
type answer uint8

const (
	answerJSON answer = iota // the zero value: what every operation answers unless XML was asked for
	answerXML
	answerNone // Accept takes neither: 406
)

// answersIn is what a 406 names: the media types a negotiated operation answers in.
const answersIn = "application/json or application/xml"

var xmlContentType = []string{"application/xml; charset=utf-8"}

// negotiate judges Accept headers between JSON and XML: each type is rated by the most specific media
// range that matches it (application/xml, then application/*, then */*; the first of equal ones), at
// its q-value (1 unless given; one that does not parse is 0). XML when it is rated above JSON, or
// rated the same by a more specific range than JSON's, or by one as specific named before JSON's;
// JSON otherwise, so JSON without a media range or with */* alone; answerNone when both are rated 0.
func negotiate(accept []string) answer {
	var j, x rating
	pos := 0
	for _, header := range accept {
		for mediaRange := range strings.SplitSeq(header, ",") {
			typ, params, _ := strings.Cut(mediaRange, ";")
			typ = strings.ToLower(strings.TrimSpace(typ))
			if typ == "" {
				continue
			}
			q := quality(params)
			switch typ {
			case "application/json":
				j.offer(3, q, pos)
			case "application/xml":
				x.offer(3, q, pos)
			case "application/*":
				j.offer(2, q, pos)
				x.offer(2, q, pos)
			case "*/*":
				j.offer(1, q, pos)
				x.offer(1, q, pos)
			}
			pos++
		}
	}
	switch {
	case pos == 0:
		return answerJSON // no Accept, or none that names a media range
	case j.q == 0 && x.q == 0:
		return answerNone
	case x.q != j.q:
		return answerFor(x.q > j.q)
	case x.specificity != j.specificity:
		return answerFor(x.specificity > j.specificity)
	}
	return answerFor(x.pos < j.pos)
}

func answerFor(xml bool) answer {
	if xml {
		return answerXML
	}
	return answerJSON
}

// rating is how an Accept header rates one media type: by the most specific range that matches it.
type rating struct {
	specificity int // 0: no range matches
	q           float64
	pos         int // the range's position in the header
}

func (r *rating) offer(specificity int, q float64, pos int) {
	if specificity > r.specificity {
		*r = rating{specificity: specificity, q: q, pos: pos}
	}
}

// quality is a media range's q-value, from its parameters (";q=0.5;level=1"): 1 when it has none,
// 0 when it is not a qvalue as RFC 9110 writes one (0 to 1 with at most three decimals), which
// strconv.ParseFloat alone would take from NaN, Inf or a hex float.
func quality(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		value = strings.TrimSpace(value)
		if !qvalue.MatchString(value) {
			return 0
		}
		q, _ := strconv.ParseFloat(value, 64)
		return q
	}
	return 1
}

// qvalue is RFC 9110's qvalue: ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
var qvalue = regexp.MustCompile(`^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$`)

// Negotiated is a body written in JSON or XML, as the request's Accept asks, from one value (a
// struct, a map) as encoding/json writes it: XML by the schema of the operation's response for the
// status, and JSON where that has no XML form (a 406) or the operation answers JSON only. Flows of an
// operation that answers both return their bodies as one, and the API's Errors writes its errors
// through one.
type Negotiated struct {
	Value any
	// Fallback is the XML form of an answer to a request that reached no operation (an unknown
	// path's 404, a 405), when it asks for XML; nil answers such a request in JSON.
	Fallback *openapi.XMLBody
}

// WriteBody implements Body.
func (n Negotiated) WriteBody(w http.ResponseWriter, r *http.Request, status int) {
	var body *openapi.XMLBody
	if st := state(r); st != nil {
		if st.answer == answerXML {
			body = st.op.ResponseXML(status)
		}
	} else if negotiate(r.Header.Values("Accept")) == answerXML {
		body = n.Fallback
	}
	if body == nil {
		WriteJSON(w, status, n.Value)
		return
	}
	WriteXML(w, status, body, n.Value)
}

// WriteXML writes v as an XML response with the given status, by the body's schema: v is written as
// JSON, and that text as XML, so a struct's json tags (and omitempty) say what its XML holds as they
// say what its JSON holds.
func WriteXML(w http.ResponseWriter, status int, body *openapi.XMLBody, v any) {
	j := jsonWriters.Get().(*jsonWriter)
	defer j.release()
	if err := j.enc.Encode(v); err != nil {
		w.WriteHeader(http.StatusInternalServerError) // a bug, which response validation reports
		return
	}
	out, err := body.AppendJSON(j.xml[:0], j.buf.Bytes())
	j.xml = out
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError) // a value its schema does not describe: a bug
		return
	}
	w.Header()["Content-Type"] = xmlContentType
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// DecodeBody decodes a request body that validation has already checked into v: JSON as DecodeJSON
// does, and XML as validation read it by the request schema (the value its JSON form would decode
// to), so a flow reads both forms of its body alike.
func DecodeBody(r *http.Request, v any) error {
	st := state(r)
	if st == nil || st.xml == nil {
		return DecodeJSON(r, v)
	}
	text, err := json.Marshal(st.xml)
	if err != nil {
		return err
	}
	return json.Unmarshal(text, v)
}

// AnswersXML reports whether a request is answered in XML: its operation answers in JSON or XML, and
// Accept asked for XML.
func AnswersXML(r *http.Request) bool {
	st := state(r)
	return st != nil && st.answer == answerXML
}
