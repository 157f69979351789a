package translate

// validJSON reports whether src is one JSON value, with surrounding
// whitespace, exactly as encoding/json's Valid does (including its nesting
// limit, and accepting invalid UTF-8 inside strings). It exists because
// encoding/json's state machine costs a function call per byte, a quarter of
// FromResponse. FuzzValidJSON checks that the two agree.
func validJSON(src []byte) bool {
	v := validator{src: src}
	i := skipSpace(src, 0)
	i = v.value(i, 0)
	if i < 0 {
		return false
	}
	return skipSpace(src, i) == len(src)
}

// maxDepth is encoding/json's maxNestingDepth.
const maxDepth = 10000

type validator struct{ src []byte }

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
		return v.object(i, depth+1)
	case c == '[':
		return v.array(i, depth+1)
	case c == '-' || c >= '0' && c <= '9':
		return v.number(i)
	case c == 't':
		return v.literal(i, "true")
	case c == 'f':
		return v.literal(i, "false")
	case c == 'n':
		return v.literal(i, "null")
	}
	return -1
}

func (v *validator) literal(i int, lit string) int {
	if len(v.src)-i < len(lit) || string(v.src[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

func (v *validator) object(i, depth int) int {
	if depth > maxDepth {
		return -1
	}
	src := v.src
	i = skipSpace(src, i+1)
	if i < len(src) && src[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(src) || src[i] != '"' {
			return -1
		}
		if i = v.str(i); i < 0 {
			return -1
		}
		i = skipSpace(src, i)
		if i >= len(src) || src[i] != ':' {
			return -1
		}
		if i = v.value(skipSpace(src, i+1), depth); i < 0 {
			return -1
		}
		i = skipSpace(src, i)
		if i >= len(src) {
			return -1
		}
		switch src[i] {
		case ',':
			i = skipSpace(src, i+1)
		case '}':
			return i + 1
		default:
			return -1
		}
	}
}

func (v *validator) array(i, depth int) int {
	if depth > maxDepth {
		return -1
	}
	src := v.src
	i = skipSpace(src, i+1)
	if i < len(src) && src[i] == ']' {
		return i + 1
	}
	for {
		if i = v.value(i, depth); i < 0 {
			return -1
		}
		i = skipSpace(src, i)
		if i >= len(src) {
			return -1
		}
		switch src[i] {
		case ',':
			i = skipSpace(src, i+1)
		case ']':
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
					if !isHex(h) {
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

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number validates -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (v *validator) number(i int) int {
	src := v.src
	if src[i] == '-' {
		i++
	}
	switch {
	case i < len(src) && src[i] == '0':
		i++
	case i < len(src) && src[i] >= '1' && src[i] <= '9':
		i = digits(src, i)
	default:
		return -1
	}
	if i < len(src) && src[i] == '.' {
		j := digits(src, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		j := digits(src, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digits(src []byte, i int) int {
	for i < len(src) && src[i] >= '0' && src[i] <= '9' {
		i++
	}
	return i
}
