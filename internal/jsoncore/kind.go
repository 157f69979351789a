package jsoncore

// Kind is the kind of a JSON value, as its first byte tells it.
type Kind uint8

// The kinds of JSON value; Missing stands for no value at all.
const (
	Missing Kind = iota
	Null
	Bool
	Number
	String
	Object
	Array
)

// KindOf returns the kind of the value whose first byte is c: 0 is
// [Missing], and any byte that starts no other kind is a [Number] (valid
// input holds only digits and '-' there).
func KindOf(c byte) Kind {
	switch c {
	case 0:
		return Missing
	case '"':
		return String
	case '{':
		return Object
	case '[':
		return Array
	case 't', 'f':
		return Bool
	case 'n':
		return Null
	}
	return Number
}

var kindNames = [...]struct{ bare, article string }{
	Missing: {"missing", "missing"},
	Null:    {"null", "null"},
	Bool:    {"boolean", "a boolean"},
	Number:  {"number", "a number"},
	String:  {"string", "a string"},
	Object:  {"object", "an object"},
	Array:   {"array", "an array"},
}

// String names the kind: "string", "object", "null", ...
func (k Kind) String() string { return kindNames[k].bare }

// Article names the kind for a sentence: "a string", "an object", "null".
func (k Kind) Article() string { return kindNames[k].article }
