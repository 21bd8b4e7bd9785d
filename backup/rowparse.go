package backup

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Row lines are nearly all of a backup and are read twice by Restore, so
// they get their own parser: encoding/json, decoding into interfaces with
// UseNumber, took about half of a restore's time. It reads the JSON subset
// the format allows — an array of null, booleans, integers, strings and
// one-key typed objects — and is stricter than JSON where the format is
// (no fractions or exponents in bare numbers, no invalid UTF-8).

type rowParser struct {
	b []byte
	i int
}

var errSyntax = errors.New("malformed row")

// decodeRow parses a row line (newline optional) into n values of the types
// appendValue takes.
func decodeRow(line []byte, n int) ([]any, error) {
	p := rowParser{b: line}
	p.space()
	if !p.eat('[') {
		return nil, errSyntax
	}
	vals := make([]any, 0, n)
	p.space()
	if !p.eat(']') {
		for {
			if len(vals) == n {
				return nil, fmt.Errorf("row has more than %d values", n)
			}
			v, err := p.value()
			if err != nil {
				return nil, fmt.Errorf("value %d: %w", len(vals)+1, err)
			}
			vals = append(vals, v)
			p.space()
			if p.eat(']') {
				break
			}
			if !p.eat(',') {
				return nil, errSyntax
			}
			p.space()
		}
	}
	p.space()
	if p.i != len(p.b) {
		return nil, errors.New("text after the row")
	}
	if len(vals) != n {
		return nil, fmt.Errorf("row has %d values for %d columns", len(vals), n)
	}
	return vals, nil
}

func (p *rowParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *rowParser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *rowParser) word(w string) bool {
	if len(p.b)-p.i >= len(w) && string(p.b[p.i:p.i+len(w)]) == w {
		p.i += len(w)
		return true
	}
	return false
}

func (p *rowParser) value() (any, error) {
	if p.i >= len(p.b) {
		return nil, errSyntax
	}
	switch c := p.b[p.i]; {
	case c == '"':
		return p.string()
	case c == '-' || c >= '0' && c <= '9':
		return p.integer()
	case c == '{':
		return p.typed()
	case p.word("null"):
		return nil, nil
	case p.word("true"):
		return true, nil
	case p.word("false"):
		return false, nil
	}
	return nil, errSyntax
}

func (p *rowParser) integer() (int64, error) {
	start := p.i
	p.eat('-')
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	digits := p.b[start:p.i]
	if p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		return 0, errors.New("a bare number must be an integer (floats are written as {\"f\":...})")
	}
	if len(digits) > 2 && digits[0] == '-' && digits[1] == '0' || len(digits) > 1 && digits[0] == '0' {
		return 0, errSyntax // JSON allows no leading zeros
	}
	n, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("number %s is not a 64-bit integer", digits)
	}
	return n, nil
}

// typed reads {"KIND":"TEXT"}.
func (p *rowParser) typed() (any, error) {
	p.i++ // {
	p.space()
	kind, err := p.string()
	if err != nil {
		return nil, err
	}
	p.space()
	if !p.eat(':') {
		return nil, errSyntax
	}
	p.space()
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, fmt.Errorf("typed value %q is not a string", kind)
	}
	s, err := p.string()
	if err != nil {
		return nil, err
	}
	p.space()
	if !p.eat('}') {
		return nil, errors.New("typed value must have exactly one key")
	}
	return decodeTyped(kind, s)
}

func decodeTyped(kind, s string) (any, error) {
	switch kind {
	case "b64":
		return base64.StdEncoding.DecodeString(s)
	case "s64":
		b, err := base64.StdEncoding.DecodeString(s)
		return string(b), err
	case "f":
		return strconv.ParseFloat(s, 64)
	case "t":
		return time.Parse(time.RFC3339Nano, s)
	}
	return nil, fmt.Errorf("unknown typed value %q", kind)
}

// string reads a JSON string; the common case, without escapes, costs one
// scan and one copy.
func (p *rowParser) string() (string, error) {
	if !p.eat('"') {
		return "", errSyntax
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			raw := p.b[start:p.i]
			p.i++
			if !utf8.Valid(raw) {
				return "", errors.New("text is not valid UTF-8")
			}
			return string(raw), nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", errors.New("control character in text")
		}
		p.i++
	}
	return "", errors.New("unterminated text")
}

// escaped finishes a string that has escapes, from its first one.
func (p *rowParser) escaped(start int) (string, error) {
	out := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			if !utf8.Valid(out) {
				return "", errors.New("text is not valid UTF-8")
			}
			return string(out), nil
		case c < 0x20:
			return "", errors.New("control character in text")
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			break
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", errors.New("bad \\u escape")
			}
			if utf16.IsSurrogate(r) {
				// The second half of a pair must follow, or it is an error
				// (encoding/json would substitute U+FFFD silently).
				if !p.word(`\u`) {
					return "", errors.New("lone surrogate in \\u escape")
				}
				r2, ok := p.hex4()
				if r = utf16.DecodeRune(r, r2); !ok || r == utf8.RuneError {
					return "", errors.New("lone surrogate in \\u escape")
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", fmt.Errorf("unknown escape \\%c", e)
		}
	}
	return "", errors.New("unterminated text")
}

func (p *rowParser) hex4() (rune, bool) {
	if len(p.b)-p.i < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(n), true
}
