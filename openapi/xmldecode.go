package openapi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Decode reads an XML body into the value its JSON form would decode to (maps, slices, strings,
// float64s, booleans), taking each text's type from the schema: "3" is a number where the schema
// has an integer and a string where it has a string, and an element of an array is an array of one.
// A text that does not read as its type stays a string, so that validation names it as it would
// name the JSON form's. A body it refuses is a Failure of KindBody whose Rule says why:
//
//	size    over MaxXMLBytes
//	utf-8   not UTF-8, or declaring another encoding
//	dtd     a document type declaration (a DTD, entities): never read, so nothing is expanded or fetched;
//	        the text <!DOCTYPE is searched for before the body is read, so it is refused wherever it
//	        is, in a comment or a CDATA section too
//	syntax  not well-formed: an unknown entity, unmatched tags, text or a second element beside the root
//	depth   elements nested deeper than MaxXMLDepth
//	root    a root element other than the body's
//	type    text where the schema has an object or an array (Field says where)
//	unknown an element a wrapped array or a map does not take
//	repeated  a property's element, or a map's key, given twice
//	entry   a map's entry that is not a <key> then a <value>
//
// It is a single pass of encoding/xml's strict tokenizer, with no entity but XML's five and
// character references, so a body refused is refused at the first token that shows it.
func (b *XMLBody) Decode(body []byte) (any, *Failure) {
	if len(body) > MaxXMLBytes {
		return nil, &Failure{Kind: KindBody, Rule: "size"}
	}
	if !utf8.Valid(body) {
		return nil, &Failure{Kind: KindBody, Rule: "utf-8"}
	}
	// encoding/xml reads a whole declaration, a byte at a time, before it hands it over as a token:
	// a billion laughs' kilobyte cost more than the rest of the request.
	if bytes.Contains(body, doctype) {
		return nil, &Failure{Kind: KindBody, Rule: "dtd"}
	}
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(body, utf8BOM)))
	d.Strict = true
	d.CharsetReader = func(string, io.Reader) (io.Reader, error) { return nil, errNotUTF8 }
	r := &xmlReader{d: d}
	for {
		tok, f := r.next()
		if f != nil {
			return nil, f
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != b.root {
				return nil, &Failure{Kind: KindBody, Rule: "root"}
			}
			v, f := r.element(b.node, t.Name.Local, 1)
			if f != nil {
				return nil, f
			}
			if f := r.end(); f != nil {
				return nil, f
			}
			return v, nil
		case xml.CharData:
			if !blank(t) {
				return nil, &Failure{Kind: KindBody, Rule: "syntax"}
			}
		}
	}
}

var (
	doctype    = []byte("<!DOCTYPE")
	utf8BOM    = []byte("\uFEFF")
	errNotUTF8 = errors.New("xml: only UTF-8 is read")
)

// xmlReader reads one document, knowing where it is for the Failures it reports.
type xmlReader struct {
	d    *xml.Decoder
	open []xml.Name // the elements started and not yet ended
	path []string   // the keys and indexes from the root to the element being read
	text []byte     // scratch for an element's text
}

// next is the next token that is no comment or processing instruction; a document type
// declaration, and any error, is a Failure.
func (r *xmlReader) next() (xml.Token, *Failure) {
	for {
		tok, err := r.token()
		switch {
		case errors.Is(err, errNotUTF8):
			return nil, &Failure{Kind: KindBody, Rule: "utf-8"}
		case err != nil:
			return nil, &Failure{Kind: KindBody, Rule: "syntax"}
		}
		switch tok.(type) {
		case xml.Directive:
			return nil, &Failure{Kind: KindBody, Rule: "dtd"}
		case xml.Comment, xml.ProcInst:
			continue
		}
		return tok, nil
	}
}

// errUnmatched is an end tag that does not close the element last started.
var errUnmatched = errors.New("xml: end tag does not match")

// token is the tokenizer's next token, each end tag checked against the element it closes.
// RawToken rather than Token: Token checks the same, but also resolves namespaces, which this
// mapping ignores, at a few allocations an element.
func (r *xmlReader) token() (xml.Token, error) {
	tok, err := r.d.RawToken()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		r.open = append(r.open, t.Name)
	case xml.EndElement:
		if len(r.open) == 0 || r.open[len(r.open)-1] != t.Name {
			return nil, errUnmatched
		}
		r.open = r.open[:len(r.open)-1]
	}
	return tok, nil
}

// end reads what follows the root element: nothing but white space, comments and processing
// instructions.
func (r *xmlReader) end() *Failure {
	for {
		tok, err := r.token()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return &Failure{Kind: KindBody, Rule: "syntax"}
		}
		switch t := tok.(type) {
		case xml.Directive:
			return &Failure{Kind: KindBody, Rule: "dtd"}
		case xml.StartElement:
			return &Failure{Kind: KindBody, Rule: "syntax"}
		case xml.CharData:
			if !blank(t) {
				return &Failure{Kind: KindBody, Rule: "syntax"}
			}
		}
	}
}

func (r *xmlReader) fail(rule string, more ...string) *Failure {
	field := ""
	if len(r.path)+len(more) > 0 {
		field = "/" + strings.Join(append(r.path[:len(r.path):len(r.path)], more...), "/")
	}
	return &Failure{Kind: KindBody, Field: field, Rule: rule}
}

// element reads the content of the element just started, named name, as n describes it.
func (r *xmlReader) element(n *xmlNode, name string, depth int) (any, *Failure) {
	if depth > MaxXMLDepth {
		return nil, &Failure{Kind: KindBody, Rule: "depth"}
	}
	switch n.kind {
	case xmlObject:
		return r.object(n, depth)
	case xmlArray:
		item := n.itemName
		if item == "" {
			item = name
		}
		return r.array(n.items, item, depth)
	case xmlMap:
		return r.dict(n, depth)
	}
	return r.scalar(n.scalar, depth)
}

// object reads an object's properties: each child element by its name, an array that is not wrapped
// from each of its items, and an element the schema does not name as what it looks like (which
// validation refuses where the schema is closed).
func (r *xmlReader) object(n *xmlNode, depth int) (any, *Failure) {
	out := map[string]any{}
	f := r.children(func(t xml.StartElement) *Failure {
		name := t.Name.Local
		p := n.byElem[name]
		if p == nil {
			r.path = append(r.path, name)
			v, f := r.any(depth + 1)
			r.path = r.path[:len(r.path)-1]
			if f == nil {
				add(out, name, v)
			}
			return f
		}
		if p.node.kind == xmlArray && !p.node.wrapped {
			list, _ := out[p.key].([]any)
			r.path = append(r.path, p.key, strconv.Itoa(len(list)))
			v, f := r.element(p.node.items, name, depth+1)
			r.path = r.path[:len(r.path)-2]
			out[p.key] = append(list, v)
			return f
		}
		if _, dup := out[p.key]; dup {
			return r.fail("repeated", p.key)
		}
		r.path = append(r.path, p.key)
		v, f := r.element(p.node, name, depth+1)
		r.path = r.path[:len(r.path)-1]
		out[p.key] = v
		return f
	})
	if f != nil {
		return nil, f
	}
	return out, nil
}

// children calls each with every child element of the element being read, up to its end; text
// between them other than white space is refused (an object, an array or a map has no text).
func (r *xmlReader) children(each func(xml.StartElement) *Failure) *Failure {
	for {
		tok, f := r.next()
		if f != nil {
			return f
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.CharData:
			if !blank(t) {
				return r.fail("type")
			}
		case xml.StartElement:
			if f := each(t); f != nil {
				return f
			}
		}
	}
}

// add sets a key of an element the schema does not describe, or makes it an array of the values
// given it when the name repeats, as steps would read such an element (never an array itself).
func add(out map[string]any, key string, v any) {
	switch prev := out[key].(type) {
	case nil:
		out[key] = v
	case []any:
		out[key] = append(prev, v)
	default:
		out[key] = []any{prev, v}
	}
}

// array reads a wrapped array: each child element, named item, is an item.
func (r *xmlReader) array(items *xmlNode, item string, depth int) (any, *Failure) {
	out := []any{}
	f := r.children(func(t xml.StartElement) *Failure {
		if t.Name.Local != item {
			return r.fail("unknown", t.Name.Local)
		}
		r.path = append(r.path, strconv.Itoa(len(out)))
		v, f := r.element(items, item, depth+1)
		r.path = r.path[:len(r.path)-1]
		out = append(out, v)
		return f
	})
	if f != nil {
		return nil, f
	}
	return out, nil
}

// dict reads a map: each child element, an entry, holds a <key> and a <value>.
func (r *xmlReader) dict(n *xmlNode, depth int) (any, *Failure) {
	out := map[string]any{}
	f := r.children(func(t xml.StartElement) *Failure {
		if t.Name.Local != n.entry {
			return r.fail("unknown", t.Name.Local)
		}
		key, v, f := r.entry(n.values, depth+1)
		if f != nil {
			return f
		}
		if _, dup := out[key]; dup {
			return r.fail("repeated", key)
		}
		out[key] = v
		return nil
	})
	if f != nil {
		return nil, f
	}
	return out, nil
}

// entry reads one entry of a map: its key's text and its value (required both).
func (r *xmlReader) entry(values *xmlNode, depth int) (string, any, *Failure) {
	if depth > MaxXMLDepth {
		return "", nil, &Failure{Kind: KindBody, Rule: "depth"}
	}
	var key *string
	var value any
	hasValue := false
	f := r.children(func(t xml.StartElement) *Failure {
		switch {
		case t.Name.Local == "key" && key == nil:
			k, f := r.scalar("string", depth+1)
			if f != nil {
				return f
			}
			s, ok := k.(string)
			if !ok {
				return r.fail("entry")
			}
			key = &s
		case t.Name.Local == "value" && key != nil && !hasValue:
			r.path = append(r.path, *key)
			v, f := r.element(values, "value", depth+1)
			r.path = r.path[:len(r.path)-1]
			if f != nil {
				return f
			}
			value, hasValue = v, true
		default:
			return r.fail("entry")
		}
		return nil
	})
	switch {
	case f != nil:
		return "", nil, f
	case key == nil:
		return "", nil, r.fail("entry")
	case !hasValue:
		return "", nil, r.fail("required", *key)
	}
	return *key, value, nil
}

// scalar reads an element's text as the JSON type typ: a string exactly, a number or boolean by
// JSON's grammar once XML white space is trimmed; text that does not read so stays a string. An
// element with children is what they look like (an object), for validation to refuse.
func (r *xmlReader) scalar(typ string, depth int) (any, *Failure) {
	r.text = r.text[:0]
	var children map[string]any
	for {
		tok, f := r.next()
		if f != nil {
			return nil, f
		}
		switch t := tok.(type) {
		case xml.CharData:
			r.text = append(r.text, t...)
		case xml.StartElement:
			if children == nil {
				children = map[string]any{}
			}
			r.path = append(r.path, t.Name.Local)
			v, f := r.any(depth + 1)
			r.path = r.path[:len(r.path)-1]
			if f != nil {
				return nil, f
			}
			add(children, t.Name.Local, v)
		case xml.EndElement:
			if children != nil {
				return children, nil
			}
			return typedText(typ, r.text), nil
		}
	}
}

// any reads an element the schema does not describe: its text, or an object of its children (a
// name that repeats an array).
func (r *xmlReader) any(depth int) (any, *Failure) {
	if depth > MaxXMLDepth {
		return nil, &Failure{Kind: KindBody, Rule: "depth"}
	}
	return r.scalar("string", depth)
}

// typedText is an element's text as the JSON type typ.
func typedText(typ string, text []byte) any {
	if typ == "string" {
		return string(text)
	}
	t := bytes.Trim(text, " \t\r\n")
	switch typ {
	case "boolean":
		switch string(t) {
		case "true":
			return true
		case "false":
			return false
		}
	case "integer", "number":
		if jsonNumber(t) {
			if f, err := strconv.ParseFloat(string(t), 64); err == nil {
				return f
			}
		}
	}
	return string(text)
}

// jsonNumber reports whether b is a number as JSON writes one (RFC 8259, 6): no sign but '-', no
// leading zeros, no hexadecimal, Inf or NaN, which strconv alone would read.
func jsonNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

// blank reports whether character data is only XML white space.
func blank(b []byte) bool {
	return len(bytes.Trim(b, " \t\r\n")) == 0
}
