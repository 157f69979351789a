package jsoncore

import (
	"bytes"
	"unicode/utf8"
)

// The functions of this file walk input that [Valid] accepted: they do not
// check it again, and on input that is not valid they return nonsense
// rather than fail (never panic).

// Span is the byte range [Start, End) of one JSON value in its input. The
// zero Span means "absent".
type Span struct{ Start, End int }

// Present reports whether the span holds a value.
func (s Span) Present() bool { return s.End > s.Start }

// Kind is the kind of the value at s in src; [Missing] when absent.
func (s Span) Kind(src []byte) Kind {
	if !s.Present() {
		return Missing
	}
	return KindOf(src[s.Start])
}

// Bytes returns the JSON text of the value at s.
func (s Span) Bytes(src []byte) []byte { return src[s.Start:s.End] }

// Inner returns the text between the quotes of the JSON string at s.
func (s Span) Inner(src []byte) []byte { return src[s.Start+1 : s.End-1] }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// SkipSpace returns the offset of the first byte at or after i that is not
// JSON whitespace.
func SkipSpace(src []byte, i int) int {
	for i < len(src) && isSpace(src[i]) {
		i++
	}
	return i
}

// SkipValue returns the end of the valid value that starts at i. The scan
// only tracks strings and nesting depth; it is iterative, so deep nesting
// cannot exhaust the stack.
func SkipValue(src []byte, i int) int {
	switch src[i] {
	case '"':
		return SkipString(src, i)
	case '{', '[':
		depth := 0
		for i < len(src) {
			switch src[i] {
			case '"':
				i = SkipString(src, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default:
		for i < len(src) {
			switch src[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// SkipString returns the offset after the closing quote of the string that
// starts at i: the first quote not escaped by an odd run of backslashes.
func SkipString(src []byte, i int) int {
	start := i + 1
	for i = start; ; i++ {
		j := bytes.IndexByte(src[i:], '"')
		if j < 0 {
			return len(src)
		}
		i += j
		n := 0
		for k := i - 1; k >= start && src[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return i + 1
		}
	}
}

// ForMembers calls f with the key (a span of the quoted key) and the value
// of each member of the valid object that starts at i, in order.
func ForMembers(src []byte, i int, f func(key, val Span)) {
	i = SkipSpace(src, i+1)
	for i < len(src) && src[i] == '"' {
		k := Span{i, SkipString(src, i)}
		i = SkipSpace(src, k.End)
		i = SkipSpace(src, i+1) // ':'
		v := Span{i, SkipValue(src, i)}
		f(k, v)
		i = SkipSpace(src, v.End)
		if i < len(src) && src[i] == ',' {
			i = SkipSpace(src, i+1)
		}
	}
}

// ForElements calls f with the index and the value of each element of the
// valid array that starts at i.
func ForElements(src []byte, i int, f func(int, Span)) {
	i = SkipSpace(src, i+1)
	for n := 0; i < len(src) && src[i] != ']'; n++ {
		v := Span{i, SkipValue(src, i)}
		f(n, v)
		i = SkipSpace(src, v.End)
		if i < len(src) && src[i] == ',' {
			i = SkipSpace(src, i+1)
		}
	}
}

// PlainString reports whether the valid JSON string at s has no escapes and
// valid UTF-8, so that the text between its quotes is its value.
func PlainString(src []byte, s Span) bool {
	inner := s.Inner(src)
	ascii := true
	for _, c := range inner {
		if c == '\\' {
			return false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	return ascii || utf8.Valid(inner)
}

// DecodeString returns the value of the valid JSON string at s.
func DecodeString(src []byte, s Span) string {
	if PlainString(src, s) {
		return string(s.Inner(src))
	}
	sc := Scanner{data: src[:s.End], pos: s.Start}
	b, err := sc.StringBytes()
	if err != nil {
		// Unreachable for a span of a valid input; keep the text rather
		// than lose it.
		return ValidUTF8(string(s.Inner(src)))
	}
	return string(b)
}

// HasSpace reports whether the valid JSON text b has whitespace outside its
// strings, which [AppendCompact] would remove.
func HasSpace(b []byte) bool {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			i = SkipString(b, i) - 1
		case isSpace(c):
			return true
		}
	}
	return false
}

// AppendCompact appends the valid JSON text b without insignificant
// whitespace.
func AppendCompact(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			j := SkipString(b, i)
			dst = append(dst, b[i:j]...)
			i = j - 1
		case isSpace(c):
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
