package jsoncore

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// SyntaxError reports JSON that is not well formed, or nested too deeply.
type SyntaxError struct{ Err error }

func (e *SyntaxError) Error() string { return "malformed JSON: " + e.Err.Error() }
func (e *SyntaxError) Unwrap() error { return e.Err }

var errEOF = errors.New("unexpected end of JSON input")

// Scanner reads JSON tokens from a byte slice. Its methods return a
// *[SyntaxError] for input that is not well formed; they never panic.
type Scanner struct {
	data     []byte
	pos      int
	depth    int
	maxDepth int
}

// NewScanner returns a Scanner of data that allows at most maxDepth levels
// of nesting.
func NewScanner(data []byte, maxDepth int) Scanner {
	return Scanner{data: data, maxDepth: maxDepth}
}

// State is a position of a Scanner, to return to with [Scanner.Restore].
type State struct{ pos, depth int }

// Save returns the current position.
func (s *Scanner) Save() State { return State{s.pos, s.depth} }

// Restore returns to a position that [Scanner.Save] returned.
func (s *Scanner) Restore(st State) { s.pos, s.depth = st.pos, st.depth }

func (s *Scanner) syntax(format string, args ...any) error {
	return &SyntaxError{Err: fmt.Errorf(format+" (offset %d)", append(args, s.pos)...)}
}

// skipSpace is SkipSpace on the scanner's position, kept as a loop of its
// own: it is the innermost loop of every token.
func (s *Scanner) skipSpace() {
	for s.pos < len(s.data) && s.data[s.pos] <= ' ' { // one comparison for the byte after a token in compact JSON
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// Peek returns the next non-space byte without consuming it, or 0 at the
// end of the input. A NUL byte in the input, never valid between tokens, is
// returned as 1 so that it is not taken for the end; error messages print
// the real byte.
func (s *Scanner) Peek() byte {
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
func (s *Scanner) at() byte { return s.data[s.pos] }

// expect consumes c after optional space.
func (s *Scanner) expect(c byte) error {
	switch got := s.Peek(); {
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
func (s *Scanner) enter() error {
	if s.depth++; s.depth > s.maxDepth {
		return &SyntaxError{Err: fmt.Errorf("nested deeper than %d levels", s.maxDepth)}
	}
	return nil
}

func (s *Scanner) leave() { s.depth-- }

// Object calls each for every member of the object at the current position,
// with the key (as [Scanner.StringBytes] returns it: do not keep it) and the
// scanner positioned at the value. each must consume the value.
func (s *Scanner) Object(each func(key []byte) error) error {
	more, err := s.OpenObject()
	for ; more && err == nil; more, err = s.NextMember() {
		var key []byte
		if key, err = s.Key(); err != nil {
			break
		}
		if err = each(key); err != nil {
			break
		}
	}
	return err
}

// OpenObject consumes the '{' of the object at the current position, one
// level deeper, and reports whether a member follows. The members are then
// read in turn, each as its key ([Scanner.Key] or [Scanner.TakeKey]) and its
// value, with [Scanner.NextMember] after each value, until NextMember
// reports none. It is [Scanner.Object] without a function call per member,
// for loops that are hot enough to care. After an error the scanner is
// of no further use.
func (s *Scanner) OpenObject() (more bool, err error) {
	if err := s.open('{'); err != nil {
		return false, err
	}
	if s.Peek() == '}' {
		s.pos++
		s.leave()
		return false, nil
	}
	return true, nil
}

// Key consumes a member's key and the colon after it, and returns the key
// as [Scanner.StringBytes] does.
func (s *Scanner) Key() ([]byte, error) {
	if c := s.Peek(); c != '"' {
		if c == 0 {
			return nil, &SyntaxError{Err: errEOF}
		}
		return nil, s.syntax("invalid character %q, want an object key", s.at())
	}
	key, err := s.StringBytes()
	if err != nil {
		return nil, err
	}
	return key, s.expect(':')
}

// TakeKey consumes a member's key and the colon after it when the key is
// written as quoted (a key in its quotes, holding no character JSON must
// escape) and reports whether it was; otherwise it consumes nothing. It
// saves decoding the key when the caller can guess it.
func (s *Scanner) TakeKey(quoted string) bool {
	s.skipSpace()
	end := s.pos + len(quoted)
	if end >= len(s.data) || string(s.data[s.pos:end]) != quoted {
		return false
	}
	for ; end < len(s.data); end++ {
		switch s.data[end] {
		case ':':
			s.pos = end + 1
			return true
		case ' ', '\t', '\n', '\r':
			continue
		}
		return false
	}
	return false
}

// NextMember is called after a member's value: it consumes the ',' before
// the next member and reports true, or the '}' that ends the object (one
// level up) and reports false.
func (s *Scanner) NextMember() (more bool, err error) {
	return s.next('}', "an object member")
}

// Array calls each for every element of the array at the current position,
// with the scanner positioned at the element. each must consume it.
func (s *Scanner) Array(each func(i int) error) error {
	more, err := s.OpenArray()
	for i := 0; more && err == nil; i++ {
		if err = each(i); err != nil {
			break
		}
		more, err = s.NextElement()
	}
	return err
}

// OpenArray consumes the '[' of the array at the current position, one
// level deeper, and reports whether an element follows; each element is
// then followed by [Scanner.NextElement], as [Scanner.OpenObject]'s members
// are.
func (s *Scanner) OpenArray() (more bool, err error) {
	if err := s.open('['); err != nil {
		return false, err
	}
	if s.Peek() == ']' {
		s.pos++
		s.leave()
		return false, nil
	}
	return true, nil
}

// NextElement is called after an element: it consumes the ',' before the
// next one and reports true, or the ']' that ends the array (one level up)
// and reports false.
func (s *Scanner) NextElement() (more bool, err error) {
	return s.next(']', "an array element")
}

// next consumes the ',' after a member or element, or the delimiter that
// closes its container.
func (s *Scanner) next(close byte, what string) (bool, error) {
	if s.Peek() == ',' {
		s.pos++
		return true, nil
	}
	if err := s.close(close, what); err != nil {
		return false, err
	}
	s.leave()
	return false, nil
}

// open consumes the delimiter c that opens a container, one level deeper.
func (s *Scanner) open(c byte) error {
	if err := s.expect(c); err != nil {
		return err
	}
	return s.enter()
}

// close consumes the delimiter that ends a container after its last member
// or element (what).
func (s *Scanner) close(close byte, what string) error {
	switch c := s.Peek(); c {
	case close:
		s.pos++
		return nil
	case 0:
		return &SyntaxError{Err: errEOF}
	}
	return s.syntax("invalid character %q after %s", s.at(), what)
}

// Literal consumes the literal word (true, false or null).
func (s *Scanner) Literal(word string) error {
	s.skipSpace()
	if end := literalEnd(s.data, s.pos, word); end >= 0 {
		s.pos = end
		return nil
	}
	if rest := s.data[s.pos:]; len(rest) < len(word) && string(rest) == word[:len(rest)] {
		return &SyntaxError{Err: errEOF}
	}
	return s.syntax("invalid literal")
}

// Number consumes a JSON number and returns its text.
func (s *Scanner) Number() ([]byte, error) {
	s.skipSpace()
	start := s.pos
	end, ok := scanNumber(s.data, start)
	s.pos = end
	switch {
	case ok:
		return s.data[start:end], nil
	case end == len(s.data):
		return nil, &SyntaxError{Err: errEOF}
	}
	return nil, s.syntax("invalid character %q in a number", s.data[end])
}

// StringBytes consumes a JSON string and returns its value: a slice of the
// input when it holds no escape and is valid UTF-8 (do not keep it), a new
// slice otherwise. Invalid UTF-8 and lone surrogates become U+FFFD, as
// encoding/json decodes them.
func (s *Scanner) StringBytes() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	d := s.data
	start := s.pos
	i, nonASCII := plainRun(d, start) // only text above ASCII needs a UTF-8 check
	switch {
	case i == len(d):
		s.pos = len(d)
		return nil, &SyntaxError{Err: errEOF}
	case d[i] == '"':
		s.pos = i + 1
		if nonASCII && !utf8.Valid(d[start:i]) {
			return AppendValidUTF8(nil, d[start:i]), nil
		}
		return d[start:i], nil
	case d[i] == '\\':
		return s.unescape(start, i)
	}
	s.pos = i
	return nil, s.syntax("invalid control character in a string")
}

// unescape decodes the rest of a string with escapes; d[start:i] is the
// escape-free prefix already scanned.
func (s *Scanner) unescape(start, i int) ([]byte, error) {
	d := s.data
	out := make([]byte, 0, i-start+16)
	out = append(out, d[start:i]...)
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			s.pos = i + 1
			if !utf8.Valid(out) {
				out = AppendValidUTF8(make([]byte, 0, len(out)+8), out)
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
func (s *Scanner) unicodeEscape(i int) (rune, int, error) {
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

func (s *Scanner) hex4(i int) (rune, error) {
	if i+4 > len(s.data) {
		s.pos = len(s.data)
		return 0, &SyntaxError{Err: errEOF}
	}
	var r rune
	for _, c := range s.data[i : i+4] {
		v := hexValue(c)
		if v < 0 {
			s.pos = i
			return 0, s.syntax("invalid \\u escape in a string")
		}
		r = r<<4 | v
	}
	return r, nil
}

// Skip consumes one value of any kind, checking that it is well formed. A
// valid value takes the loop of [Valid]; only a value that is not is
// scanned token by token, for the error.
func (s *Scanner) Skip() error {
	s.skipSpace()
	if end := validValue(s.data, s.pos, s.maxDepth-s.depth); end >= 0 {
		s.pos = end
		return nil
	}
	return s.skipTokens()
}

func (s *Scanner) skipTokens() error {
	switch c := s.Peek(); {
	case c == '{':
		return s.Object(func([]byte) error { return s.skipTokens() })
	case c == '[':
		return s.Array(func(int) error { return s.skipTokens() })
	case c == '"':
		_, err := s.StringBytes()
		return err
	case c == 't':
		return s.Literal("true")
	case c == 'f':
		return s.Literal("false")
	case c == 'n':
		return s.Literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := s.Number()
		return err
	case c == 0:
		return &SyntaxError{Err: errEOF}
	default:
		return s.syntax("invalid character %q looking for the beginning of a value", s.at())
	}
}

// Value consumes one value and returns it as encoding/json would decode it
// with UseNumber: map[string]any, []any, json.Number, string, bool or nil.
func (s *Scanner) Value() (any, error) {
	switch c := s.Peek(); {
	case c == '{':
		obj := map[string]any{}
		err := s.Object(func(key []byte) error {
			v, err := s.Value()
			obj[string(key)] = v
			return err
		})
		return obj, err
	case c == '[':
		arr := []any{}
		err := s.Array(func(int) error {
			v, err := s.Value()
			arr = append(arr, v)
			return err
		})
		return arr, err
	case c == '"':
		b, err := s.StringBytes()
		return string(b), err
	case c == 't':
		return true, s.Literal("true")
	case c == 'f':
		return false, s.Literal("false")
	case c == 'n':
		return nil, s.Literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		b, err := s.Number()
		return json.Number(b), err
	case c == 0:
		return nil, &SyntaxError{Err: errEOF}
	default:
		return nil, s.syntax("invalid character %q looking for the beginning of a value", s.at())
	}
}

// KindAt returns the kind of the value at the current position; [Missing]
// at the end of the input.
func (s *Scanner) KindAt() Kind { return KindOf(s.Peek()) }
