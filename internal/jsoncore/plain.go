package jsoncore

import "encoding/binary"

// Masks of the word-at-a-time string scan: a byte's lowest bit and its
// highest bit in each of the eight bytes of a word.
const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// plainRun returns the end of the run of bytes from i that need no look
// inside a JSON string: every byte but '"', '\' and the control characters
// below 0x20. It reads eight bytes at a time; nonASCII reports whether the
// run holds a byte of 0x80 or above (text that may need a UTF-8 check).
// The byte at the returned index, if any, is one of those that end the run.
func plainRun(d []byte, i int) (end int, nonASCII bool) {
	var seen uint64
	for ; i+8 <= len(d); i += 8 {
		x := binary.LittleEndian.Uint64(d[i:])
		q := x ^ (lowBits * '"')
		b := x ^ (lowBits * '\\')
		// Each term has a byte's high bit set for every byte below 0x20,
		// equal to '"' or to '\' (and may set it for a byte after one
		// that is: the exact loop below sorts those out); never for a
		// word that holds none.
		if ((x-lowBits*0x20)&^x|(q-lowBits)&^q|(b-lowBits)&^b)&highBits != 0 {
			break
		}
		seen |= x
	}
	for ; i < len(d); i++ {
		c := d[i]
		if c == '"' || c == '\\' || c < 0x20 {
			break
		}
		seen |= uint64(c)
	}
	return i, seen&highBits != 0
}
