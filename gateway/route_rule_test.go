package gateway

import (
	"strings"
	"testing"
)

// FuzzPathRule holds each path rule's byte check equal to the regular
// expression that states the rule.
func FuzzPathRule(f *testing.F) {
	for _, s := range []string{"", "a", "ab", "tax-connector", "a_b-C9", "a.b", "a/b", "%2e", "key=x", "ä", "a\n",
		strings.Repeat("a", 36), strings.Repeat("a", 37), strings.Repeat("a", 256), strings.Repeat("a", 257)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, r := range []pathRule{keyParam, projectKeyParam, idParam} {
			if got, want := r.match(v), r.re.MatchString(v); got != want {
				t.Fatalf("%s: match(%q) = %v, the expression says %v", r.re, v, got, want)
			}
		}
	})
}
