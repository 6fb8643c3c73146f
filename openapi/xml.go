package openapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// XML bodies. A spec describes a body once, as a schema, and lists it under application/json and
// application/xml alike; the XML form is the JSON form's value, element for element, so one Go value
// answers in either and both are validated against the same schema. kin-openapi reads no XML, so
// this package registers a decoder for application/xml that reads a body into the value its JSON form
// would decode to, by the schema (which says what JSON's syntax says: that a text is a number, that
// an element is an array of one).
//
// The mapping follows the OpenAPI XML object:
//   - the document is one root element, named by the body schema's xml.name (else its component's
//     name), after the declaration <?xml version="1.0" encoding="UTF-8"?>;
//   - an object's properties are its child elements, named by their xml.name or key, written in the
//     order its JSON form has them (encoding/json's: a struct's fields in order, a map's keys
//     sorted) and read in any order;
//   - an array with xml.wrapped is an element holding one element per item, named by the items'
//     xml.name (else the array's own name); one without is its items, each an element of the
//     property's name (an empty one then writes nothing and reads back absent);
//   - an object of additionalProperties only (a map) holds one element per key, named by the values'
//     xml.name (else "entry"), of a <key> and a <value>, so that any key can be written;
//   - a scalar is its text: a string exactly, a number as JSON writes it (1e+21), a boolean true or
//     false.
//
// null has no XML form (a schema reached by an XML body may not be nullable), nor do allOf, anyOf,
// oneOf and not; Parse refuses a spec whose XML bodies use them. Attributes and namespaces are
// ignored when read and never written.

// XMLMediaType is the media type of XML bodies.
const XMLMediaType = "application/xml"

// The bounds of an XML body, beyond which it is refused unread: what the specs' bodies need, many
// times over, and far short of what would cost a request much.
const (
	MaxXMLBytes = 1 << 20
	MaxXMLDepth = 32
)

// xmlHeader begins every XML body written.
const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>`

// XMLBody is how the values of one body schema are written and read as XML.
type XMLBody struct {
	root string
	node *xmlNode
}

type xmlKind uint8

const (
	xmlScalar xmlKind = iota
	xmlObject
	xmlArray
	xmlMap
)

// xmlNode is a schema as XML sees it, compiled once: element names, and what a text is.
type xmlNode struct {
	kind xmlKind
	// scalar: the JSON type its text reads as (string, integer, number or boolean).
	scalar string
	// object: its properties by key (sorted, the order they are written in) and by element name
	// (the order does not matter when read); closed when additionalProperties is false.
	props  []xmlProp
	byElem map[string]*xmlProp
	closed bool
	// array: its items, their own element name ("" for the array's), and whether wrapped.
	items    *xmlNode
	itemName string
	wrapped  bool
	// map: the schema of its values, and the name of the element of each key.
	values *xmlNode
	entry  string
}

// xmlProp is a property of an object: its key, its element name (each item's, for an array that is
// not wrapped) and its schema.
type xmlProp struct {
	key, elem string
	node      *xmlNode
}

// itemElem is the element name of each item of an array property.
func (p *xmlProp) itemElem() string {
	if p.node.items != nil && p.node.itemName != "" {
		return p.node.itemName
	}
	return p.elem
}

// compileXML maps a body schema to XML, refusing what has no XML form here.
func compileXML(ref *openapi3.SchemaRef) (*XMLBody, error) {
	if ref == nil || ref.Value == nil {
		return nil, errors.New("no schema")
	}
	root := componentName(ref.Ref)
	if x := ref.Value.XML; x != nil && x.Name != "" {
		root = x.Name
	}
	if !xmlName(root) {
		return nil, fmt.Errorf("root element %q: give the body schema an xml.name", root)
	}
	c := xmlCompiler{nodes: map[*openapi3.Schema]*xmlNode{}}
	node, err := c.node(ref.Value, "")
	if err != nil {
		return nil, err
	}
	if node.kind == xmlArray {
		node = wrappedRoot(node)
	}
	return &XMLBody{root: root, node: node}, nil
}

// componentName is the last segment of a reference: "User" for "#/components/schemas/User".
func componentName(ref string) string {
	return ref[strings.LastIndexByte(ref, '/')+1:]
}

type xmlCompiler struct {
	nodes map[*openapi3.Schema]*xmlNode // a schema reached again (a recursive one) is the same node
}

// wrappedRoot is a root array as XML has it: the root element always wraps the items, named by
// their xml.name, else "item".
func wrappedRoot(n *xmlNode) *xmlNode {
	root := *n
	root.wrapped = true
	if root.itemName == "" {
		root.itemName = "item"
	}
	return &root
}

func (c *xmlCompiler) node(s *openapi3.Schema, at string) (*xmlNode, error) {
	if n := c.nodes[s]; n != nil {
		return n, nil
	}
	fail := func(format string, args ...any) (*xmlNode, error) {
		return nil, fmt.Errorf("%s: %s", "/"+at, fmt.Sprintf(format, args...))
	}
	switch {
	case s.Nullable:
		return fail("nullable: null has no XML form")
	case len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) > 0 || s.Not != nil:
		return fail("allOf, anyOf, oneOf and not have no XML form")
	case s.Type == nil || len(*s.Type) != 1:
		return fail("an XML body's schema has one type")
	}
	n := &xmlNode{}
	c.nodes[s] = n
	switch t := (*s.Type)[0]; t {
	case openapi3.TypeString, openapi3.TypeInteger, openapi3.TypeNumber, openapi3.TypeBoolean:
		n.kind, n.scalar = xmlScalar, t
	case openapi3.TypeArray:
		if s.Items == nil || s.Items.Value == nil {
			return fail("an array without items")
		}
		items, err := c.node(s.Items.Value, at+"/items")
		if err != nil {
			return nil, err
		}
		n.kind, n.items = xmlArray, items
		n.wrapped = s.XML != nil && s.XML.Wrapped
		if x := s.Items.Value.XML; x != nil {
			n.itemName = x.Name
		}
	case openapi3.TypeObject:
		return n, c.object(n, s, at)
	default:
		return fail("type %s", t)
	}
	return n, nil
}

func (c *xmlCompiler) object(n *xmlNode, s *openapi3.Schema, at string) error {
	extra := s.AdditionalProperties
	if extra.Schema != nil && extra.Schema.Value != nil {
		if len(s.Properties) > 0 {
			return fmt.Errorf("/%s: properties beside an additionalProperties schema have no XML form", at)
		}
		values, err := c.node(extra.Schema.Value, at+"/additionalProperties")
		if err != nil {
			return err
		}
		n.kind, n.values, n.entry = xmlMap, values, "entry"
		if x := extra.Schema.Value.XML; x != nil && x.Name != "" {
			n.entry = x.Name
		}
		return nil
	}
	n.kind, n.closed = xmlObject, extra.Has != nil && !*extra.Has
	n.byElem = map[string]*xmlProp{}
	for _, key := range slices.Sorted(maps.Keys(s.Properties)) {
		ref := s.Properties[key]
		if ref == nil || ref.Value == nil {
			return fmt.Errorf("/%s/%s: no schema", at, key)
		}
		node, err := c.node(ref.Value, at+"/"+key)
		if err != nil {
			return err
		}
		n.props = append(n.props, xmlProp{key: key, elem: key, node: node})
		p := &n.props[len(n.props)-1]
		if x := ref.Value.XML; x != nil && x.Name != "" && !(node.kind == xmlArray && !node.wrapped) {
			p.elem = x.Name // an array that is not wrapped has no element of its own to name
		}
	}
	for i := range n.props {
		p := &n.props[i]
		elem := p.elem
		if p.node.kind == xmlArray && !p.node.wrapped {
			elem = p.itemElem()
		}
		if !xmlName(elem) {
			return fmt.Errorf("/%s/%s: %q is not an XML name; give it an xml.name", at, p.key, elem)
		}
		if other := n.byElem[elem]; other != nil {
			return fmt.Errorf("/%s: %s and %s are both the element %s", at, other.key, p.key, elem)
		}
		n.byElem[elem] = p
	}
	return nil
}

// xmlName reports whether s is an element name this mapping writes: letters, digits, '_', '-' and
// '.', not beginning with a digit, '-' or '.' (XML allows more; names of other scripts and colons,
// which are namespace prefixes, are left out).
func xmlName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case (c >= '0' && c <= '9' || c == '-' || c == '.') && i > 0:
		default:
			return false
		}
	}
	return true
}

// Root is the name of the body's root element.
func (b *XMLBody) Root() string { return b.root }

// Append writes v, a value as encoding/json writes it (maps, slices, strings, numbers, booleans, a
// struct by its json tags), as the XML document of the body, appended to dst: AppendJSON of its JSON
// text. A value the schema does not describe (null, a string where an object belongs, a key the
// schema closes) is an error: a body is validated before it is written.
func (b *XMLBody) Append(dst []byte, v any) ([]byte, error) {
	text, err := json.Marshal(v)
	if err != nil {
		return dst, err
	}
	return b.AppendJSON(dst, text)
}

// AppendJSON writes a JSON text as the XML document of the body, appended to dst, reading the text
// as it writes, so no value is built: properties in the order the text has them (encoding/json's: a
// struct's fields in order, a map's keys sorted), each scalar as JSON wrote it (a string's text, a
// number's digits, true or false). What the schema does not describe is an error, as for Append.
func (b *XMLBody) AppendJSON(dst, text []byte) ([]byte, error) {
	w := xmlWriters.Get().(*xmlWriter)
	defer w.release()
	w.r = jsonReader{text: text}
	dst = append(dst, xmlHeader...)
	return w.element(dst, b.root, b.node, 1)
}

// xmlWriter reads a JSON text and writes its XML form; pooled, as every XML answer goes through one.
type xmlWriter struct {
	r    jsonReader
	text []byte // scratch: the text of a string, or of a property's name
}

var xmlWriters = sync.Pool{New: func() any { return new(xmlWriter) }}

// release returns the writer to the pool, unless its scratch grew large (a long text), which the pool
// would then keep alive.
func (w *xmlWriter) release() {
	if cap(w.text) > 64<<10 {
		return
	}
	w.r = jsonReader{}
	xmlWriters.Put(w)
}

func (w *xmlWriter) element(dst []byte, name string, n *xmlNode, depth int) ([]byte, error) {
	if depth > MaxXMLDepth {
		return dst, fmt.Errorf("xml: %s nests deeper than %d elements", name, MaxXMLDepth)
	}
	var err error
	switch n.kind {
	case xmlScalar:
		return w.scalar(dst, name)
	case xmlObject:
		if err = w.open('{', name, "an object"); err != nil {
			return dst, err
		}
		dst = appendOpen(dst, name)
		if dst, err = w.properties(dst, n, depth); err != nil {
			return dst, err
		}
	case xmlArray:
		item := n.itemName
		if item == "" {
			item = name
		}
		dst = appendOpen(dst, name)
		if dst, err = w.items(dst, name, item, n.items, depth+1); err != nil {
			return dst, err
		}
	case xmlMap:
		if err = w.open('{', name, "an object"); err != nil {
			return dst, err
		}
		dst = appendOpen(dst, name)
		for w.r.peek() == '"' {
			if w.text, err = w.r.str(w.text[:0]); err != nil {
				return dst, err
			}
			dst = appendText(append(appendOpen(dst, n.entry), "<key>"...), w.text)
			dst = append(dst, "</key>"...)
			if dst, err = w.element(dst, "value", n.values, depth+2); err != nil {
				return dst, err
			}
			dst = appendClose(dst, n.entry)
		}
		if err = w.r.delim('}'); err != nil {
			return dst, err
		}
	}
	return appendClose(dst, name), nil
}

// properties writes an object's properties, up to its end; one the schema does not name is written
// as any writes it, where the schema allows it.
func (w *xmlWriter) properties(dst []byte, n *xmlNode, depth int) ([]byte, error) {
	var err error
	for w.r.peek() == '"' {
		if w.text, err = w.r.str(w.text[:0]); err != nil {
			return dst, err
		}
		p := n.prop(w.text)
		switch {
		case p == nil && (n.closed || !xmlName(string(w.text))):
			return dst, fmt.Errorf("xml: %s is not a property the schema allows in XML", w.text)
		case p == nil:
			dst, err = w.any(dst, string(w.text), depth+1)
		case w.r.peek() == 'n':
			return dst, fmt.Errorf("xml: %s is null, which has no XML form", p.key)
		case p.node.kind != xmlArray || p.node.wrapped:
			dst, err = w.element(dst, p.elem, p.node, depth+1)
		default:
			dst, err = w.items(dst, p.key, p.itemElem(), p.node.items, depth+1)
		}
		if err != nil {
			return dst, err
		}
	}
	return dst, w.r.delim('}')
}

// items writes an array's items, each an element named item.
func (w *xmlWriter) items(dst []byte, name, item string, n *xmlNode, depth int) ([]byte, error) {
	if err := w.open('[', name, "an array"); err != nil {
		return dst, err
	}
	var err error
	for c := w.r.peek(); c != ']'; c = w.r.peek() {
		if c == 'n' || c == 0 {
			return dst, fmt.Errorf("xml: an item of %s is null or missing, which has no XML form", name)
		}
		if dst, err = w.element(dst, item, n, depth); err != nil {
			return dst, err
		}
	}
	return dst, w.r.delim(']')
}

// any writes a value the schema does not describe (a property an open object allows): a scalar as
// its text, an object as elements named by its keys, an array as one element per item.
func (w *xmlWriter) any(dst []byte, name string, depth int) ([]byte, error) {
	if depth > MaxXMLDepth {
		return dst, fmt.Errorf("xml: %s nests deeper than %d elements", name, MaxXMLDepth)
	}
	var err error
	switch w.r.peek() {
	case '{':
		w.r.pos++
		dst = appendOpen(dst, name)
		for w.r.peek() == '"' {
			if w.text, err = w.r.str(w.text[:0]); err != nil {
				return dst, err
			}
			key := string(w.text)
			if !xmlName(key) || w.r.peek() == 'n' {
				return dst, fmt.Errorf("xml: %s/%s has no XML form", name, key)
			}
			if dst, err = w.any(dst, key, depth+1); err != nil {
				return dst, err
			}
		}
		return appendClose(dst, name), w.r.delim('}')
	case '[':
		w.r.pos++
		for c := w.r.peek(); c != ']'; c = w.r.peek() {
			if c == 'n' || c == 0 {
				return dst, fmt.Errorf("xml: an item of %s is null or missing, which has no XML form", name)
			}
			if dst, err = w.any(dst, name, depth); err != nil {
				return dst, err
			}
		}
		return dst, w.r.delim(']')
	}
	return w.scalar(dst, name)
}

// scalar writes the next value, a scalar, as an element of its text.
func (w *xmlWriter) scalar(dst []byte, name string) ([]byte, error) {
	var err error
	switch c := w.r.peek(); c {
	case '"':
		if w.text, err = w.r.str(w.text[:0]); err != nil {
			return dst, err
		}
		return appendClose(appendText(appendOpen(dst, name), w.text), name), nil
	case '{', '[', 'n', 0:
		return dst, fmt.Errorf("xml: %s: %s is not a scalar", name, jsonKind(c))
	}
	lit, err := w.r.literal()
	if err != nil {
		return dst, err
	}
	return appendClose(append(appendOpen(dst, name), lit...), name), nil
}

// open reads the delimiter that opens an object or an array, or says what the value is instead.
func (w *xmlWriter) open(delim byte, name, what string) error {
	if c := w.r.peek(); c != delim {
		return fmt.Errorf("xml: %s: %s is not %s", name, jsonKind(c), what)
	}
	w.r.pos++
	return nil
}

// jsonKind names the kind of value a token begins.
func jsonKind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 0:
		return "nothing"
	}
	return "a number or boolean"
}

// prop finds an object's property by its key.
func (n *xmlNode) prop(key []byte) *xmlProp {
	lo, hi := 0, len(n.props)
	for lo < hi {
		mid := (lo + hi) / 2
		switch k := n.props[mid].key; {
		case k == string(key):
			return &n.props[mid]
		case k < string(key):
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return nil
}

func appendOpen(dst []byte, name string) []byte {
	return append(append(append(dst, '<'), name...), '>')
}

func appendClose(dst []byte, name string) []byte {
	return append(append(append(dst, "</"...), name...), '>')
}

// appendText writes s as element content: the markup characters escaped, a carriage return as a
// reference (a parser turns a literal one into a line feed), and what XML 1.0 cannot carry (control
// characters but tab, line feed and carriage return, U+FFFE, U+FFFF, bytes that are not UTF-8) as
// U+FFFD.
func appendText(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		// The run of characters that need nothing goes at once.
		start := i
		for i < len(s) && plainText[s[i]] {
			i++
		}
		dst = append(dst, s[start:i]...)
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '&':
				dst = append(dst, "&amp;"...)
			case c == '<':
				dst = append(dst, "&lt;"...)
			case c == '>':
				dst = append(dst, "&gt;"...)
			case c == '\r':
				dst = append(dst, "&#xD;"...)
			case c < 0x20 && c != '\t' && c != '\n':
				dst = append(dst, "\uFFFD"...)
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// plainText marks the bytes appendText writes as they are: ASCII but markup and control characters.
var plainText = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '&' && c != '<' && c != '>'
	}
	t['\t'], t['\n'] = true, true
	return t
}()

// xmlBodies caches the mapping of every body schema kin-openapi hands the decoder, by its reference:
// the specs' are compiled by Parse; any other (a program that validates with kin-openapi itself) on
// first use.
var xmlBodies sync.Map // *openapi3.SchemaRef -> *XMLBody or error

func xmlBodyOf(ref *openapi3.SchemaRef) (*XMLBody, error) {
	if v, ok := xmlBodies.Load(ref); ok {
		if b, ok := v.(*XMLBody); ok {
			return b, nil
		}
		return nil, v.(error)
	}
	b, err := compileXML(ref)
	if err != nil {
		xmlBodies.Store(ref, err)
		return nil, err
	}
	xmlBodies.Store(ref, b)
	return b, nil
}

// decodeXMLBody is kin-openapi's body decoder for application/xml: the body read by its schema into
// the value its JSON form would be, which kin-openapi then validates; a body this package refuses is
// its *Failure.
func decodeXMLBody(r io.Reader, _ http.Header, ref *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	b, err := xmlBodyOf(ref)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(r, MaxXMLBytes+1))
	if err != nil {
		return nil, err
	}
	v, f := b.Decode(body)
	if f != nil {
		return nil, f
	}
	return v, nil
}

var xmlDecoderOnce sync.Once

// useXMLDecoder registers decodeXMLBody for application/xml, once, unless a decoder is registered
// already: kin-openapi's registry is the process's, and a program that embeds the mock may have
// registered its own, which it keeps.
func useXMLDecoder() {
	xmlDecoderOnce.Do(func() { registerXMLDecoder() })
}

// registerXMLDecoder registers decodeXMLBody where no decoder for application/xml is registered,
// and reports whether it did.
func registerXMLDecoder() bool {
	if openapi3filter.RegisteredBodyDecoder(XMLMediaType) != nil {
		return false
	}
	openapi3filter.RegisterBodyDecoder(XMLMediaType, decodeXMLBody)
	return true
}

// compileXMLBodies maps the operation's XML bodies, request and responses, so that a spec with an
// XML body that has no XML form here fails to load rather than at its first request; it reports
// whether there was one.
func compileXMLBodies(op *openapi3.Operation) (bool, error) {
	var contents []openapi3.Content
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		contents = append(contents, op.RequestBody.Value.Content)
	}
	for _, r := range op.Responses.Map() {
		if r.Value != nil {
			contents = append(contents, r.Value.Content)
		}
	}
	found := false
	for _, c := range contents {
		if mt := c[XMLMediaType]; mt != nil {
			if _, err := xmlBodyOf(mt.Schema); err != nil {
				return false, fmt.Errorf("%s body: %w", XMLMediaType, err)
			}
			found = true
		}
	}
	return found, nil
}

// answersXML reports whether some response of the operation has an XML body.
func answersXML(op *openapi3.Operation) bool {
	for _, r := range op.Responses.Map() {
		if r.Value != nil && r.Value.Content[XMLMediaType] != nil {
			return true
		}
	}
	return false
}

// AnswersXML reports whether some response of the operation has an XML body: such an operation's
// answers are JSON or XML as the request's Accept asks (apihttp negotiates them), where every other
// operation answers as its spec says without looking at Accept.
func (o *Operation) AnswersXML() bool { return o.answersXML }

// SchemaXML is the XML form of a component schema that has an xml.name, for an answer outside every
// operation (an unknown path's 404, in XML when XML was asked for); nil when the spec has no such
// schema or it has no XML form.
func (s *Spec) SchemaXML(name string) *XMLBody {
	ref := s.doc.Components.Schemas[name]
	if ref == nil {
		return nil
	}
	b, err := xmlBodyOf(ref)
	if err != nil {
		return nil
	}
	return b
}

// validateXML reads an XML request body by its schema, once, into in.XML, and checks the value as
// kin-openapi checks what the decoder it registered reads (decodeXMLBody): as a request, against the
// same schema, failing as requestFailure names a schema error. A flat object that allows more
// properties is checked by its compiled form, as a form is.
func (o *Operation) validateXML(in *Input) *Failure {
	v, f := o.RequestXML().Decode(in.Body)
	if f != nil {
		return f
	}
	in.XML = v
	if o.xmlCheck != nil {
		if m, ok := v.(map[string]any); ok {
			return o.xmlCheck.check(m)
		}
	}
	schema := o.route.Operation.RequestBody.Value.Content[XMLMediaType].Schema.Value
	if err := schema.VisitJSON(v, append([]openapi3.SchemaValidationOption{openapi3.VisitAsRequest()}, formatOptions...)...); err != nil {
		return schemaFailure(KindBody, err)
	}
	return nil
}

// compileXMLCheck compiles the operation's XML request schema when it is a flat object of scalars
// that allows other properties (a closed one's unknown elements are kin-openapi's to name); nil
// otherwise.
func compileXMLCheck(op *openapi3.Operation) *object {
	if op.RequestBody == nil || op.RequestBody.Value.Content[XMLMediaType] == nil {
		return nil
	}
	s := op.RequestBody.Value.Content[XMLMediaType].Schema.Value
	if s == nil || !s.Type.Is(openapi3.TypeObject) || len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) > 0 || s.Not != nil ||
		s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has || s.AdditionalProperties.Schema != nil {
		return nil
	}
	return compileForm(s)
}

// RequestXML is the XML form of the operation's request body, or nil when it takes no XML.
func (o *Operation) RequestXML() *XMLBody {
	rb := o.route.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	return xmlOf(rb.Value.Content)
}

// ResponseXML is the XML form of the operation's response of a status (documented by its code, its
// class as 4XX, or default), or nil when that response has no XML body.
func (o *Operation) ResponseXML(status int) *XMLBody {
	responses := o.route.Operation.Responses
	r := responses.Status(status)
	if r == nil {
		r = responses.Default()
	}
	if r == nil || r.Value == nil {
		return nil
	}
	return xmlOf(r.Value.Content)
}

func xmlOf(c openapi3.Content) *XMLBody {
	mt := c[XMLMediaType]
	if mt == nil {
		return nil
	}
	b, _ := xmlBodyOf(mt.Schema) // compiled by Parse, which refuses a spec where this fails
	return b
}
