package openapi

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonReader reads a JSON text token by token without building values, for AppendJSON, which writes
// XML as it reads. Its texts are encoding/json's (a response's body, valid by construction), so it
// reads only what the writer needs, and a text that is not JSON is refused where it shows or, for a
// misplaced ',' or ':', which it skips rather than checks, read leniently; never a panic. Strings are
// read exactly, every escape with them; a number or literal is the run of characters up to the next
// delimiter, checked against JSON's grammar, and carried into the document as written.
//
// encoding/json/jsontext would do this, but needs Go 1.27, and the module supports Go 1.26.
type jsonReader struct {
	text []byte
	pos  int
}

var errNotJSON = errors.New("xml: the body is not JSON text")

// peek is the first byte of the next token, after white space; 0 at the end.
func (r *jsonReader) peek() byte {
	for r.pos < len(r.text) {
		switch c := r.text[r.pos]; c {
		case ' ', '\t', '\n', '\r':
			r.pos++
		case ',', ':':
			r.pos++ // separators carry nothing the writer needs: the next token says what comes
		default:
			return c
		}
	}
	return 0
}

// delim reads a delimiter, { } [ or ].
func (r *jsonReader) delim(c byte) error {
	if r.peek() != c {
		return errNotJSON
	}
	r.pos++
	return nil
}

// literal reads a number, true, false or null as its text.
func (r *jsonReader) literal() ([]byte, error) {
	r.peek()
	start := r.pos
	for r.pos < len(r.text) {
		switch r.text[r.pos] {
		case ',', '}', ']', ' ', '\t', '\n', '\r', ':', '"', '{', '[':
			return r.checked(start)
		}
		r.pos++
	}
	return r.checked(start)
}

func (r *jsonReader) checked(start int) ([]byte, error) {
	lit := r.text[start:r.pos]
	switch string(lit) {
	case "true", "false", "null":
		return lit, nil
	}
	if !jsonNumber(lit) {
		return nil, errNotJSON
	}
	return lit, nil
}

// str reads a string, appending its text, unescaped, to dst.
func (r *jsonReader) str(dst []byte) ([]byte, error) {
	if r.peek() != '"' {
		return dst, errNotJSON
	}
	r.pos++
	for r.pos < len(r.text) {
		// The run up to the next quote, backslash or control character is the text as it is.
		start := r.pos
		for r.pos < len(r.text) && r.text[r.pos] != '"' && r.text[r.pos] != '\\' && r.text[r.pos] >= 0x20 {
			r.pos++
		}
		dst = append(dst, r.text[start:r.pos]...)
		if r.pos == len(r.text) {
			break
		}
		switch c := r.text[r.pos]; {
		case c == '"':
			r.pos++
			return dst, nil
		case c == '\\':
			var err error
			if dst, err = r.escape(dst); err != nil {
				return dst, err
			}
		default: // a control character
			return dst, errNotJSON
		}
	}
	return dst, errNotJSON
}

// escape reads an escape sequence at r.pos, appending what it stands for: a \u escape of half a
// surrogate pair that is not paired stands for no character, and is written U+FFFD, as
// encoding/json reads it.
func (r *jsonReader) escape(dst []byte) ([]byte, error) {
	if r.pos+1 >= len(r.text) {
		return dst, errNotJSON
	}
	c := r.text[r.pos+1]
	r.pos += 2
	switch c {
	case '"', '\\', '/':
		return append(dst, c), nil
	case 'b':
		return append(dst, '\b'), nil
	case 'f':
		return append(dst, '\f'), nil
	case 'n':
		return append(dst, '\n'), nil
	case 'r':
		return append(dst, '\r'), nil
	case 't':
		return append(dst, '\t'), nil
	case 'u':
		first, ok := r.unit()
		if !ok {
			return dst, errNotJSON
		}
		if !utf16.IsSurrogate(first) {
			return utf8.AppendRune(dst, first), nil
		}
		if r.pos+1 < len(r.text) && r.text[r.pos] == '\\' && r.text[r.pos+1] == 'u' {
			save := r.pos
			r.pos += 2
			if second, ok := r.unit(); ok {
				if pair := utf16.DecodeRune(first, second); pair != utf8.RuneError {
					return utf8.AppendRune(dst, pair), nil
				}
			}
			r.pos = save
		}
		return utf8.AppendRune(dst, utf8.RuneError), nil
	}
	return dst, errNotJSON
}

// unit reads the four hexadecimal digits of a \u escape.
func (r *jsonReader) unit() (rune, bool) {
	if r.pos+4 > len(r.text) {
		return 0, false
	}
	var u rune
	for _, c := range r.text[r.pos : r.pos+4] {
		switch {
		case c >= '0' && c <= '9':
			u = u<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			u = u<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			u = u<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	r.pos += 4
	return u, true
}
