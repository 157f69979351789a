package translate

import (
	"strconv"
	"unicode/utf8"

	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

// This file holds what the parser and the renderer add to the shared JSON
// core (internal/jsoncore) for Connect's error bodies. Duplicate object keys
// resolve to the last one, as in encoding/json.

// span is the byte range of one JSON value in a body; the zero span means
// "absent".
type span = jsoncore.Span

// keyIs reports whether the object key at s (a JSON string) equals name.
func keyIs(src []byte, s span, name string) bool {
	inner := s.Inner(src)
	if len(inner) == len(name) && string(inner) == name {
		return true
	}
	// An escaped key ("\u0063ode") can still equal name.
	for _, c := range inner {
		if c == '\\' {
			return jsoncore.DecodeString(src, s) == name
		}
	}
	return false
}

// keyString returns the object key at s, without allocating for the names
// Connect uses.
func keyString(src []byte, s span) string {
	switch string(s.Inner(src)) {
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
	return jsoncore.DecodeString(src, s)
}

// rawText returns the JSON text of the value at s as a valid UTF-8 string that
// decodes to the same value: invalid bytes (only possible inside strings)
// become U+FFFD, as encoding/json decodes them. Whitespace is removed from
// composite values so that the text is compact.
func rawText(src []byte, s span) string {
	b := s.Bytes(src)
	if k := s.Kind(src); (k == jsoncore.Object || k == jsoncore.Array) && jsoncore.HasSpace(b) {
		return jsoncore.ValidUTF8(string(jsoncore.AppendCompact(nil, b)))
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return jsoncore.ValidUTF8(string(b))
}

// clip returns s as valid UTF-8 of at most max bytes, cut at a rune boundary.
func clip(s string, max int) (string, bool) {
	s = jsoncore.ValidUTF8(s)
	if len(s) <= max {
		return s, false
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
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
