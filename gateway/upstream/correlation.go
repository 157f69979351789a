package upstream

import (
	"crypto/rand"
	"encoding/hex"
)

// HeaderCorrelationID is the header that carries the correlation id to the
// upstream and back.
const HeaderCorrelationID = "X-Correlation-ID"

// NewCorrelationID returns a random version 4 UUID such as
// "0f8fad5b-d9cb-469f-a165-70867728950e", read from crypto/rand.
func NewCorrelationID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])  // never fails (crypto/rand documents a panic instead)
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}
