package jsoncore

// MaxDepth is encoding/json's nesting limit, which [Valid] applies.
const MaxDepth = 10000

// Valid reports whether src is one JSON value, with surrounding whitespace,
// exactly as encoding/json's Valid does (including its nesting limit, and
// accepting invalid UTF-8 inside strings). It exists because
// encoding/json's state machine costs a function call per byte.
func Valid(src []byte) bool {
	i := validValue(src, SkipSpace(src, 0), MaxDepth)
	return i >= 0 && SkipSpace(src, i) == len(src)
}

// validValue returns the end of the valid JSON value at i, nested at most
// maxDepth levels, or -1.
func validValue(src []byte, i, maxDepth int) int {
	v := validator{src: src, maxDepth: maxDepth}
	return v.value(i, 0)
}

type validator struct {
	src      []byte
	maxDepth int
}

// value returns the end of the value at i, or -1.
func (v *validator) value(i, depth int) int {
	src := v.src
	if i >= len(src) {
		return -1
	}
	switch c := src[i]; {
	case c == '"':
		return v.str(i)
	case c == '{':
		return v.container(i, depth+1, '}')
	case c == '[':
		return v.container(i, depth+1, ']')
	case c == '-' || c >= '0' && c <= '9':
		return numberEnd(src, i)
	case c == 't':
		return literalEnd(src, i, "true")
	case c == 'f':
		return literalEnd(src, i, "false")
	case c == 'n':
		return literalEnd(src, i, "null")
	}
	return -1
}

// literalEnd returns the end of the literal word lit at i, or -1.
func literalEnd(src []byte, i int, lit string) int {
	if len(src)-i < len(lit) || string(src[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// container returns the end of the object or array at i, or -1; close is
// its closing delimiter, and an object's members have a key and a colon
// before the value.
func (v *validator) container(i, depth int, close byte) int {
	if depth > v.maxDepth {
		return -1
	}
	src := v.src
	i = SkipSpace(src, i+1)
	if i < len(src) && src[i] == close {
		return i + 1
	}
	for {
		if close == '}' {
			if i >= len(src) || src[i] != '"' {
				return -1
			}
			if i = v.str(i); i < 0 {
				return -1
			}
			i = SkipSpace(src, i)
			if i >= len(src) || src[i] != ':' {
				return -1
			}
			i = SkipSpace(src, i+1)
		}
		if i = v.value(i, depth); i < 0 {
			return -1
		}
		i = SkipSpace(src, i)
		if i >= len(src) {
			return -1
		}
		switch src[i] {
		case ',':
			i = SkipSpace(src, i+1)
		case close:
			return i + 1
		default:
			return -1
		}
	}
}

// str validates the string at i: no control characters, valid escapes.
func (v *validator) str(i int) int {
	src := v.src
	for i++; i < len(src); i++ {
		if i, _ = plainRun(src, i); i == len(src) {
			return -1
		}
		switch c := src[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			i++
			if i >= len(src) {
				return -1
			}
			switch src[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(src)-i < 5 {
					return -1
				}
				for _, h := range src[i+1 : i+5] {
					if hexValue(h) < 0 {
						return -1
					}
				}
				i += 4
			default:
				return -1
			}
		}
	}
	return -1
}

// hexValue is the value of the hexadecimal digit c, or -1.
func hexValue(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}
