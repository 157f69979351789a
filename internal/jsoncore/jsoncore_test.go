package jsoncore

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// seeds are inputs on both sides of every rule of the grammar.
var seeds = []string{
	``, ` `, `{}`, `[]`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `01`, `-`, `-0`, `1.`, `1.5e`, `1e+5`, `"\u12"`, `"\uD800"`,
	"\"\x01\"", "\"\xff\"", `"\/"`, `"\x"`, `truex`, `nul`, `[1 2]`, `{"a":[{"b":null}]}`, ` [ ] `, `{}}`,
	`"\ud83d\ude00"`, `"\ud83dx"`, `"a\u2028b"`, "\"\xe2\x82\"", `{"k":"v","k":"w"}`, "\x00", `[` + "\x00" + `]`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
}

// FuzzValidJSON checks that Valid agrees with encoding/json.
func FuzzValidJSON(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}

// FuzzScanner checks the Scanner against encoding/json: Skip accepts what
// json.Valid accepts (within the depth bound) and ends where the value
// ends; the fast path of Skip and the token-by-token path agree, error for
// error; Value decodes what encoding/json decodes; and a valid string
// decodes, by Scanner and by DecodeString, as encoding/json decodes it.
func FuzzScanner(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		const depth = 64
		fast := NewScanner(b, depth)
		errFast := fast.Skip()
		slow := NewScanner(b, depth)
		errSlow := slow.skipTokens()
		if errString(errFast) != errString(errSlow) || fast.pos != slow.pos {
			t.Fatalf("Skip: %v at %d, token by token: %v at %d", errFast, fast.pos, errSlow, slow.pos)
		}
		whole := errFast == nil && fast.Peek() == 0
		if whole && !json.Valid(b) {
			t.Fatalf("Skip took %q, encoding/json rejects it", b)
		}
		if json.Valid(b) && !whole && !strings.Contains(errString(errFast), "nested deeper") {
			t.Fatalf("Skip rejects %q: %v", b, errFast)
		}
		if !whole {
			return
		}
		vs := NewScanner(b, depth)
		got, err := vs.Value()
		if err != nil {
			t.Fatalf("Value: %v", err)
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var want any
		if err := d.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if g, w := mustMarshal(t, got), mustMarshal(t, want); !bytes.Equal(g, w) {
			t.Fatalf("Value = %s, encoding/json decodes %s", g, w)
		}
		if s, ok := want.(string); ok {
			start := SkipSpace(b, 0)
			if d := DecodeString(b, Span{start, SkipValue(b, start)}); d != s {
				t.Fatalf("DecodeString = %q, encoding/json decodes %q", d, s)
			}
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzAppendString checks that the escaper writes a JSON string that
// decodes to the text (invalid bytes as U+FFFD), and that it writes what
// encoding/json writes without HTML escaping, but for \b and \f.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\s`, "\x00\x1f\n\r\t", "<&>", "\u2028\u2029", "\xff\xfe", "é\xe2\x82", "😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := AppendString(nil, s)
		if !json.Valid(got) {
			t.Fatalf("AppendString(%q) = %s, not JSON", s, got)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != ValidUTF8(s) {
			t.Fatalf("AppendString(%q) = %s decodes to %q, %v", s, got, back, err)
		}
		if !bytes.Equal(got, AppendString(nil, []byte(s))) {
			t.Fatal("string and []byte escape differently")
		}
		if strings.ContainsAny(s, "\b\f") {
			return // encoding/json (since Go 1.22) writes \b and \f short; the escaper keeps \u0008 and \u000c
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if want := bytes.TrimSuffix(buf.Bytes(), []byte("\n")); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) = %s, encoding/json writes %s", s, got, want)
		}
	})
}

func TestValidUTF8(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":             "",
		"ok é":         "ok é",
		"\xff":         "\ufffd",
		"a\xe2\x82b":   "a\ufffd\ufffdb",
		"\xed\xa0\x80": "\ufffd\ufffd\ufffd", // an encoded surrogate is three invalid bytes
	} {
		if got := ValidUTF8(in); got != want || !utf8.ValidString(got) {
			t.Errorf("ValidUTF8(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseIntegral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		bits int
		want int64
		ok   bool
	}{
		{"3", 64, 3, true},
		{"-3", 32, -3, true},
		{"3.0", 64, 3, true},
		{"1e2", 32, 100, true},
		{"3.5", 64, 0, false},
		{"2147483647", 32, 2147483647, true},
		{"2147483648", 32, 0, false},
		{"2147483648.0", 32, 0, false},
		{"-2147483648.0", 32, -2147483648, true},
		{"9223372036854775807", 64, 9223372036854775807, true},
		{"9223372036854775808", 64, 0, false},
		{"9223372036854775808.0", 64, 0, false}, // 2^63 does not wrap to -2^63
		{"-9223372036854775808.0", 64, -9223372036854775808, true},
		{"NaN", 64, 0, false},
		{"Inf", 64, 0, false},
		{"", 64, 0, false},
		{"x", 64, 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseIntegral(tt.text, tt.bits)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseIntegral(%q, %d) = %d, %v; want %d, %v", tt.text, tt.bits, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseInt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"-7", -7, true},
		{"123456789012345678", 123456789012345678, true},
		{"1234567890123456789", 0, false}, // 19 digits: ParseIntegral's
		{"1.0", 0, false},
		{"1e2", 0, false},
		{"-", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		if got, ok := ParseInt([]byte(tt.text)); got != tt.want || ok != tt.ok {
			t.Errorf("ParseInt(%q) = %d, %v; want %d, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

func TestKindNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		first   byte
		name    string
		article string
	}{
		{0, "missing", "missing"},
		{'n', "null", "null"},
		{'t', "boolean", "a boolean"},
		{'f', "boolean", "a boolean"},
		{'-', "number", "a number"},
		{'7', "number", "a number"},
		{'"', "string", "a string"},
		{'{', "object", "an object"},
		{'[', "array", "an array"},
	}
	for _, tt := range tests {
		k := KindOf(tt.first)
		if k.String() != tt.name || k.Article() != tt.article {
			t.Errorf("KindOf(%q) names %q / %q, want %q / %q", tt.first, k, k.Article(), tt.name, tt.article)
		}
	}
}

// TestWalk indexes a valid body with spaces everywhere JSON allows them.
func TestWalk(t *testing.T) {
	t.Parallel()
	src := []byte(" { \"a\" : [ 1 , \"x]\\\"\" , { } ] , \"\\u0062\" : true , \"c\":-1.5e3 } ")
	var keys []string
	var vals []string
	ForMembers(src, SkipSpace(src, 0), func(k, v Span) {
		keys = append(keys, DecodeString(src, k))
		vals = append(vals, string(v.Bytes(src)))
	})
	if got, want := strings.Join(keys, ","), "a,b,c"; got != want {
		t.Errorf("keys %q, want %q", got, want)
	}
	if got, want := strings.Join(vals, "|"), `[ 1 , "x]\"" , { } ]|true|-1.5e3`; got != want {
		t.Errorf("values %q, want %q", got, want)
	}
	arr := []byte(vals[0])
	var elems []string
	ForElements(arr, 0, func(i int, v Span) { elems = append(elems, v.Kind(arr).String()) })
	if got, want := strings.Join(elems, ","), "number,string,object"; got != want {
		t.Errorf("elements %q, want %q", got, want)
	}
	if !HasSpace(arr) {
		t.Error("HasSpace misses the spaces")
	}
	if got, want := string(AppendCompact(nil, arr)), `[1,"x]\"",{}]`; got != want {
		t.Errorf("AppendCompact = %s, want %s", got, want)
	}
	if HasSpace([]byte(`["a b"]`)) {
		t.Error("HasSpace counts a space inside a string")
	}
}

// TestScannerErrors: each error names what is wrong and where.
func TestScannerErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"a":1`, "malformed JSON: unexpected end of JSON input"},
		{`{"a" 1}`, `malformed JSON: invalid character '1', want ':' (offset 5)`},
		{`[1 2]`, `malformed JSON: invalid character '2' after an array element (offset 3)`},
		{`-x`, `malformed JSON: invalid character 'x' in a number (offset 1)`},
		{`"a` + "\x01" + `"`, `malformed JSON: invalid control character in a string (offset 2)`},
		{`"\q"`, `malformed JSON: invalid escape 'q' in a string (offset 1)`},
		{`nul`, "malformed JSON: unexpected end of JSON input"},
		{`nux`, "malformed JSON: invalid literal (offset 0)"},
		{"\x00", `malformed JSON: invalid character '\x00' looking for the beginning of a value (offset 0)`},
		{strings.Repeat("[", 4) + strings.Repeat("]", 4), "malformed JSON: nested deeper than 3 levels"},
	}
	for _, tt := range tests {
		s := NewScanner([]byte(tt.in), 3)
		err := s.Skip()
		var se *SyntaxError
		if !errors.As(err, &se) || err.Error() != tt.want {
			t.Errorf("Skip(%q) = %v, want %s", tt.in, err, tt.want)
		}
	}
}
