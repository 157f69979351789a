package pathparam

import (
	"strings"
	"testing"
)

// FuzzRule holds each rule's byte check equal to the regular expression
// that states the rule.
func FuzzRule(f *testing.F) {
	for _, s := range []string{"", "a", "ab", "tax-connector", "a_b-C9", "a.b", "a/b", "%2e", "key=x", "ä", "a\n",
		strings.Repeat("a", 36), strings.Repeat("a", 37), strings.Repeat("a", 256), strings.Repeat("a", 257)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, r := range []Rule{Key, ProjectKey, ID} {
			if got, want := r.Match(v), r.re.MatchString(v); got != want {
				t.Fatalf("%s: Match(%q) = %v, the expression says %v", r, v, got, want)
			}
		}
	})
}

func TestRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rule Rule
		v    string
		want bool
	}{
		{"a key", Key, "tax-connector", true},
		{"a one-letter key", Key, "a", false},
		{"a dot segment as a key", Key, "..", false},
		{"a slash in an id", ID, "a/b", false},
		{"a one-letter id", ID, "a", true},
		{"an empty id", ID, "", false},
		{"a project key of 36", ProjectKey, strings.Repeat("p", 36), true},
		{"a project key of 37", ProjectKey, strings.Repeat("p", 37), false},
		{"a percent-encoded dot", ProjectKey, "%2e%2e", false},
		{"the key= form", ID, "key=x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.rule.Match(tt.v); got != tt.want {
				t.Errorf("%s.Match(%q) = %v, want %v", tt.rule, tt.v, got, tt.want)
			}
		})
	}
}
