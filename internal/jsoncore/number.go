package jsoncore

import (
	"math"
	"strconv"
)

// scanNumber reads the JSON number at i,
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and returns its end and
// true; or the offset of the first byte that does not fit (len(src) when the
// input ends too soon) and false.
func scanNumber(src []byte, i int) (int, bool) {
	if i < len(src) && src[i] == '-' {
		i++
	}
	switch {
	case i < len(src) && src[i] == '0':
		i++
	case i < len(src) && src[i] >= '1' && src[i] <= '9':
		i = digits(src, i+1)
	default:
		return i, false
	}
	if i < len(src) && src[i] == '.' {
		j := digits(src, i+1)
		if j == i+1 {
			return j, false
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
			return j, false
		}
		i = j
	}
	return i, true
}

// numberEnd returns the end of the JSON number at i, or -1.
func numberEnd(src []byte, i int) int {
	if end, ok := scanNumber(src, i); ok {
		return end
	}
	return -1
}

func digits(src []byte, i int) int {
	for i < len(src) && src[i] >= '0' && src[i] <= '9' {
		i++
	}
	return i
}

// ParseInt parses JSON number text without fraction or exponent that fits
// in 18 digits, without allocating; ok is false for anything else, which
// [ParseIntegral] handles.
func ParseInt(b []byte) (n int64, ok bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// IsIntegerText reports whether the JSON number text has no fraction and no
// exponent.
func IsIntegerText(b []byte) bool {
	for _, c := range b {
		if c == '.' || c == 'e' || c == 'E' {
			return false
		}
	}
	return len(b) > 0
}

// ParseIntegral reads a signed integer of the given bit size from number
// text, accepting an integral value written with a fraction or an exponent
// ("3", "3.0", "3e0"); ok is false for anything else, including a value out
// of range.
func ParseIntegral(text string, bits int) (int64, bool) {
	if n, err := strconv.ParseInt(text, 10, bits); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f != math.Trunc(f) {
		return 0, false
	}
	limit := math.Ldexp(1, bits-1)
	if f < -limit || f >= limit {
		return 0, false
	}
	return int64(f), true
}
