// Package pathparam states, once, the rules the Connect API documents for
// the values of its path parameters: the gateway checks them before a value
// becomes part of an upstream URL, and the simulator answers
// InvalidPathParam by them as the Connect API does.
//
//   - [Key]: the key constraint of Connector, ConnectorStaged and Deployment
//     and of their drafts, `^[A-Za-z0-9_-]+$`, 2 to 256 characters
//     (https://docs.commercetools.com/connect/connectors-staged, the `key`
//     of ConnectorStagedDraft in the Connect RAML);
//   - [ProjectKey]: a Composable Commerce Project key, the same alphabet, 2
//     to 36 characters (https://docs.commercetools.com/api/projects/project);
//   - [ID]: ids are server-made, from the same alphabet; 1 to 256
//     characters.
//
// The alphabet has no '.', '/', '%' or '=': a value that passes cannot be a
// dot segment or an empty segment, and cannot change the path or Connect's
// key= form.
package pathparam

import "regexp"

// The rules.
var (
	Key        = Rule{regexp.MustCompile(`^[A-Za-z0-9_-]{2,256}$`), 2, 256}
	ProjectKey = Rule{regexp.MustCompile(`^[a-zA-Z0-9_-]{2,36}$`), 2, 36}
	ID         = Rule{regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`), 1, 256}
)

// Rule is min to max bytes of the alphabet [A-Za-z0-9_-]. Its regular
// expression states it and names it in error messages; [Rule.Match] checks
// it without running the expression (FuzzRule holds the two equal).
type Rule struct {
	re       *regexp.Regexp
	min, max int
}

// Match reports whether v follows the rule.
func (r Rule) Match(v string) bool {
	if len(v) < r.min || len(v) > r.max {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// String is the rule's regular expression, as error messages name it.
func (r Rule) String() string { return r.re.String() }
