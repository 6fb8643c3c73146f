package steps

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// decodeXML turns an XML document into the shape a JSON body would have, so that field paths and
// the steps that read them work on XML responses too: the root element is dropped; an element with
// children is an object of them, a child name that repeats is an array; any other element is its
// text. Attributes are left out.
func decodeXML(raw []byte) (any, error) {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if start, ok := tok.(xml.StartElement); ok {
			return decodeElement(dec, start)
		}
	}
}

func decodeElement(dec *xml.Decoder, start xml.StartElement) (any, error) {
	var text strings.Builder
	children := map[string]any{}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text.Write(t)
		case xml.StartElement:
			v, err := decodeElement(dec, t)
			if err != nil {
				return nil, err
			}
			name := t.Name.Local
			switch prev := children[name].(type) {
			case nil:
				children[name] = v
			case []any:
				children[name] = append(prev, v)
			default:
				children[name] = []any{prev, v}
			}
		case xml.EndElement:
			if len(children) > 0 {
				return children, nil
			}
			return strings.TrimSpace(text.String()), nil
		}
	}
}
