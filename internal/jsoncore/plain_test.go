package jsoncore

import (
	"strings"
	"testing"
)

// plainRunByBytes is plainRun one byte at a time: what the word-at-a-time
// scan must agree with.
func plainRunByBytes(d []byte, i int) (int, bool) {
	nonASCII := false
	for ; i < len(d); i++ {
		c := d[i]
		if c == '"' || c == '\\' || c < 0x20 {
			break
		}
		nonASCII = nonASCII || c >= 0x80
	}
	return i, nonASCII
}

func TestPlainRun(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("abcdefgh", 4)
	tests := []string{
		"", `"`, `\`, "\x00", "\x1f", " ", "\x7f\x80\xff",
		long, long + `"`, long + `\n`, long + "\x01", long + "é" + `"`,
		"a\x00bcdefgh", "abcdefg\"h", "\x01\x21" + long, "\xff\x1f",
		// a byte just above each stop byte, and borrows across bytes
		"!!!!!!!!#", "]]]]]]]]]", "\x20\x20\x20\x20\x20\x20\x20\x20\x20", "\x00\x01\x02\x03\x04\x05\x06\x07",
		"\x80\x80\x80\x80\x80\x80\x80\x80\x22", "\xa2\xdc\x22\x5c" + long,
	}
	for _, s := range tests {
		checkPlainRun(t, []byte(s))
	}
}

func FuzzPlainRun(f *testing.F) {
	for _, s := range []string{"", `{"a":"b"}`, "abcdefghij\"", "\x80\x81\\\x1f"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, d []byte) { checkPlainRun(t, d) })
}

func checkPlainRun(t *testing.T, d []byte) {
	t.Helper()
	for i := 0; i <= len(d); i++ {
		gotEnd, gotHigh := plainRun(d, i)
		wantEnd, wantHigh := plainRunByBytes(d, i)
		if gotEnd != wantEnd || gotHigh != wantHigh {
			t.Fatalf("plainRun(%q, %d) = %d, %t; want %d, %t", d, i, gotEnd, gotHigh, wantEnd, wantHigh)
		}
	}
}
