package wirejson

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads JSON tokens from a byte slice. Its methods return a
// *SyntaxError for input that is not well formed; they never panic.
type scanner struct {
	data  []byte
	pos   int
	depth int
}

var errEOF = errors.New("unexpected end of JSON input")

func (s *scanner) syntax(format string, args ...any) error {
	return &SyntaxError{Err: fmt.Errorf(format+" (offset %d)", append(args, s.pos)...)}
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it, or 0 at the
// end of the input. A NUL byte in the input, never valid between tokens, is
// returned as 1 so that it is not taken for the end; error messages print
// the real byte ([scanner.at]).
func (s *scanner) peek() byte {
	s.skipSpace()
	if s.pos == len(s.data) {
		return 0
	}
	if c := s.data[s.pos]; c != 0 {
		return c
	}
	return 1
}

// at returns the byte at the current position, which must exist.
func (s *scanner) at() byte { return s.data[s.pos] }

// expect consumes c after optional space.
func (s *scanner) expect(c byte) error {
	switch got := s.peek(); {
	case got == c:
		s.pos++
		return nil
	case got == 0:
		return &SyntaxError{Err: errEOF}
	default:
		return s.syntax("invalid character %q, want %q", s.at(), c)
	}
}

// enter and leave track nesting, bounded by maxDepth.
func (s *scanner) enter() error {
	if s.depth++; s.depth > maxDepth {
		return &SyntaxError{Err: fmt.Errorf("nested deeper than %d levels", maxDepth)}
	}
	return nil
}

func (s *scanner) leave() { s.depth-- }

// object calls each for every member of the object at the current position,
// with the key (as [scanner.stringBytes] returns it: do not keep it) and the
// scanner positioned at the value. each must consume the value.
func (s *scanner) object(each func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		if c := s.peek(); c != '"' {
			if c == 0 {
				return &SyntaxError{Err: errEOF}
			}
			return s.syntax("invalid character %q, want an object key", s.at())
		}
		key, err := s.stringBytes()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := each(key); err != nil {
			return err
		}
		switch c := s.peek(); c {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		case 0:
			return &SyntaxError{Err: errEOF}
		default:
			return s.syntax("invalid character %q after an object member", s.at())
		}
	}
}

// array calls each for every element of the array at the current position,
// with the scanner positioned at the element. each must consume it.
func (s *scanner) array(each func(i int) error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for i := 0; ; i++ {
		if err := each(i); err != nil {
			return err
		}
		switch c := s.peek(); c {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		case 0:
			return &SyntaxError{Err: errEOF}
		default:
			return s.syntax("invalid character %q after an array element", s.at())
		}
	}
}

// literal consumes the literal word (true, false or null).
func (s *scanner) literal(word string) error {
	s.skipSpace()
	end := s.pos + len(word)
	if end > len(s.data) {
		if string(s.data[s.pos:]) == word[:len(s.data)-s.pos] {
			return &SyntaxError{Err: errEOF}
		}
		return s.syntax("invalid literal")
	}
	if string(s.data[s.pos:end]) != word {
		return s.syntax("invalid literal")
	}
	s.pos = end
	return nil
}

// number consumes a JSON number and returns its text.
func (s *scanner) number() ([]byte, error) {
	s.skipSpace()
	start, i, d := s.pos, s.pos, s.data
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	case i == len(d):
		return nil, &SyntaxError{Err: errEOF}
	default:
		s.pos = i
		return nil, s.syntax("invalid character %q in a number", d[i])
	}
	if i < len(d) && d[i] == '.' {
		i++
		if n := digits(d, i); n == 0 {
			s.pos = i
			return nil, s.numberEnd(d, i)
		} else {
			i += n
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if n := digits(d, i); n == 0 {
			s.pos = i
			return nil, s.numberEnd(d, i)
		} else {
			i += n
		}
	}
	s.pos = i
	return d[start:i], nil
}

func (s *scanner) numberEnd(d []byte, i int) error {
	if i == len(d) {
		return &SyntaxError{Err: errEOF}
	}
	return s.syntax("invalid character %q in a number", d[i])
}

func digits(d []byte, i int) int {
	n := 0
	for i+n < len(d) && d[i+n] >= '0' && d[i+n] <= '9' {
		n++
	}
	return n
}

// stringBytes consumes a JSON string and returns its value: a slice of the
// input when it holds no escape and is valid UTF-8 (do not keep it), a new
// slice otherwise. Invalid UTF-8 and lone surrogates become U+FFFD, as
// encoding/json decodes them.
func (s *scanner) stringBytes() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	d := s.data
	start := s.pos
	for i := start; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			if !utf8.Valid(d[start:i]) {
				return []byte(string([]rune(string(d[start:i])))), nil // replaces invalid bytes
			}
			return d[start:i], nil
		case c == '\\':
			return s.unescape(start, i)
		case c < 0x20:
			s.pos = i
			return nil, s.syntax("invalid control character in a string")
		}
	}
	s.pos = len(d)
	return nil, &SyntaxError{Err: errEOF}
}

// unescape decodes the rest of a string with escapes; d[start:i] is the
// escape-free prefix already scanned.
func (s *scanner) unescape(start, i int) ([]byte, error) {
	d := s.data
	out := make([]byte, 0, i-start+16)
	out = append(out, d[start:i]...)
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			s.pos = i + 1
			if !utf8.Valid(out) {
				out = []byte(string([]rune(string(out))))
			}
			return out, nil
		case c < 0x20:
			s.pos = i
			return nil, s.syntax("invalid control character in a string")
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(d) {
			s.pos = len(d)
			return nil, &SyntaxError{Err: errEOF}
		}
		switch e := d[i+1]; e {
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
			r, n, err := s.unicodeEscape(i)
			if err != nil {
				return nil, err
			}
			out = utf8.AppendRune(out, r)
			i += n
			continue
		default:
			s.pos = i
			return nil, s.syntax("invalid escape %q in a string", e)
		}
		i += 2
	}
	s.pos = len(d)
	return nil, &SyntaxError{Err: errEOF}
}

// unicodeEscape reads \uXXXX at i (and a low surrogate after a high one),
// returning the rune and the bytes read.
func (s *scanner) unicodeEscape(i int) (rune, int, error) {
	r, err := s.hex4(i + 2)
	if err != nil {
		return 0, 0, err
	}
	if !utf16.IsSurrogate(r) {
		return r, 6, nil
	}
	if i+12 <= len(s.data) && s.data[i+6] == '\\' && s.data[i+7] == 'u' {
		if r2, err := s.hex4(i + 8); err == nil {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, 12, nil
			}
		}
	}
	return utf8.RuneError, 6, nil
}

func (s *scanner) hex4(i int) (rune, error) {
	if i+4 > len(s.data) {
		s.pos = len(s.data)
		return 0, &SyntaxError{Err: errEOF}
	}
	var r rune
	for _, c := range s.data[i : i+4] {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			s.pos = i
			return 0, s.syntax("invalid \\u escape in a string")
		}
		r = r<<4 | rune(v)
	}
	return r, nil
}

// skip consumes one value of any kind, checking that it is well formed.
func (s *scanner) skip() error {
	switch c := s.peek(); {
	case c == '{':
		return s.object(func([]byte) error { return s.skip() })
	case c == '[':
		return s.array(func(int) error { return s.skip() })
	case c == '"':
		_, err := s.stringBytes()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := s.number()
		return err
	case c == 0:
		return &SyntaxError{Err: errEOF}
	default:
		return s.syntax("invalid character %q looking for the beginning of a value", s.at())
	}
}

// value consumes one value and returns it as encoding/json would decode it
// with UseNumber: map[string]any, []any, json.Number, string, bool or nil.
// The well-known types and unknown update actions are decoded from it.
func (s *scanner) value() (any, error) {
	switch c := s.peek(); {
	case c == '{':
		obj := map[string]any{}
		err := s.object(func(key []byte) error {
			v, err := s.value()
			obj[string(key)] = v
			return err
		})
		return obj, err
	case c == '[':
		arr := []any{}
		err := s.array(func(int) error {
			v, err := s.value()
			arr = append(arr, v)
			return err
		})
		return arr, err
	case c == '"':
		b, err := s.stringBytes()
		return string(b), err
	case c == 't':
		return true, s.literal("true")
	case c == 'f':
		return false, s.literal("false")
	case c == 'n':
		return nil, s.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		b, err := s.number()
		return json.Number(b), err
	case c == 0:
		return nil, &SyntaxError{Err: errEOF}
	default:
		return nil, s.syntax("invalid character %q looking for the beginning of a value", s.at())
	}
}

// kindAt names the kind of the value at the current position, as kindOf
// names a decoded one.
func (s *scanner) kindAt() string {
	switch c := s.peek(); {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	}
	return "a number"
}

// parseInt parses a JSON integer without exponent or fraction that fits in
// 18 digits, without allocating; ok is false for anything else.
func parseInt(b []byte) (n int64, ok bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
