package translate

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// This file holds the small JSON text helpers of the parser and the REST
// renderer. They agree with encoding/json (v1) wherever it matters for the
// round trip: a string with invalid UTF-8 decodes with one U+FFFD per invalid
// byte, and duplicate object keys resolve to the last one.

// span is the byte range [start, end) of one JSON value in a body. The zero
// span means "absent".
type span struct{ start, end int }

func (s span) present() bool { return s.end > s.start }

// kind is the first byte of the value: '"', '{', '[', 't', 'f', 'n', or a
// digit or '-' for numbers; 0 when absent.
func (s span) kind(src []byte) byte {
	if !s.present() {
		return 0
	}
	return src[s.start]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(src []byte, i int) int {
	for i < len(src) && isSpace(src[i]) {
		i++
	}
	return i
}

// skipValue returns the end of the value that starts at i. src must be valid
// JSON (json.Valid), so the scan only tracks strings and nesting depth; it is
// iterative, so deep nesting cannot exhaust the stack.
func skipValue(src []byte, i int) int {
	switch src[i] {
	case '"':
		return skipString(src, i)
	case '{', '[':
		depth := 0
		for i < len(src) {
			switch src[i] {
			case '"':
				i = skipString(src, i)
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

// skipString returns the index after the closing quote of the string that
// starts at i: the first quote not escaped by an odd run of backslashes.
func skipString(src []byte, i int) int {
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

// plainString reports whether the JSON string at s has no escapes and valid
// UTF-8, so that its text between the quotes is its value.
func plainString(src []byte, s span) bool {
	inner := src[s.start+1 : s.end-1]
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

// decodeString returns the value of the JSON string at s.
func decodeString(src []byte, s span) string {
	if plainString(src, s) {
		return string(src[s.start+1 : s.end-1])
	}
	var v string
	if err := json.Unmarshal(src[s.start:s.end], &v); err != nil {
		// Unreachable for a span of a valid body; keep the text rather than
		// lose it.
		return sanitizeUTF8(string(src[s.start+1 : s.end-1]))
	}
	return v
}

// keyIs reports whether the object key at s (a JSON string) equals name.
func keyIs(src []byte, s span, name string) bool {
	inner := src[s.start+1 : s.end-1]
	if len(inner) == len(name) && string(inner) == name {
		return true
	}
	// An escaped key ("\u0063ode") can still equal name.
	for _, c := range inner {
		if c == '\\' {
			return decodeString(src, s) == name
		}
	}
	return false
}

// keyString returns the object key at s, without allocating for the names
// Connect uses.
func keyString(src []byte, s span) string {
	inner := src[s.start+1 : s.end-1]
	switch string(inner) {
	case "expectedVersion":
		return "expectedVersion"
	case "currentVersion":
		return "currentVersion"
	case "field":
		return "field"
	case "duplicateValue":
		return "duplicateValue"
	case "value":
		return "value"
	case "detailedErrorMessage":
		return "detailedErrorMessage"
	case "error":
		return "error"
	case "error_description":
		return "error_description"
	}
	return decodeString(src, s)
}

// rawText returns the JSON text of the value at s as a valid UTF-8 string that
// decodes to the same value: invalid bytes (only possible inside strings)
// become U+FFFD, as encoding/json decodes them. Whitespace is removed from
// composite values so that the text is compact.
func rawText(src []byte, s span) string {
	b := src[s.start:s.end]
	if c := b[0]; c == '{' || c == '[' {
		if hasSpaceOutsideStrings(b) {
			var out []byte
			out = appendCompact(out, b)
			return sanitizeUTF8(string(out))
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return sanitizeUTF8(string(b))
}

func hasSpaceOutsideStrings(b []byte) bool {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			i = skipString(b, i) - 1
		case isSpace(c):
			return true
		}
	}
	return false
}

// appendCompact appends valid JSON b without insignificant whitespace.
func appendCompact(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			j := skipString(b, i)
			dst = append(dst, b[i:j]...)
			i = j - 1
		case isSpace(c):
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// sanitizeUTF8 replaces every invalid byte with U+FFFD (one per byte, as
// encoding/json does when it decodes a string).
func sanitizeUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, s[i:i+size]...)
		}
		i += size
	}
	return string(out)
}

// clip returns s as valid UTF-8 of at most max bytes, cut at a rune boundary.
func clip(s string, max int) (string, bool) {
	s = sanitizeUTF8(s)
	if len(s) <= max {
		return s, false
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}

// isIntegerText reports whether the JSON number text has no fraction and no
// exponent.
func isIntegerText(b []byte) bool {
	for _, c := range b {
		if c == '.' || c == 'e' || c == 'E' {
			return false
		}
	}
	return len(b) > 0
}

// httpStatusText caches the decimal text of the statuses 100 to 599, used as
// ErrorInfo metadata on every translated status.
var httpStatusText = func() [600]string {
	var t [600]string
	for i := 100; i < len(t); i++ {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

func itoaStatus(n int) string {
	if n >= 100 && n < len(httpStatusText) {
		return httpStatusText[n]
	}
	return strconv.Itoa(n)
}
