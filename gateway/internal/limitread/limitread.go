// Package limitread reads HTTP bodies under a size limit without the
// allocation churn of io.ReadAll, and only as fast as they arrive: a small
// body of known length is read into one buffer of that length, any other
// body into pooled chunks, taken one by one as bytes arrive and copied once
// into a buffer of the exact size. A declared length never allocates ahead
// of the bytes beyond one chunk (a client that declares 900 KB and sends 7
// bytes holds 32 KiB, not 900 KB), and a body over the limit costs no
// allocation beyond the pool.
package limitread

import (
	"errors"
	"io"
	"sync"
)

const chunkSize = 32 << 10

var chunks = sync.Pool{New: func() any { return new([chunkSize]byte) }}

// ErrLonger is returned when a body is longer than the length it declared.
var ErrLonger = errors.New("body longer than its declared length")

// Read reads r to EOF and returns its bytes, or over = true (and no bytes)
// once more than limit bytes arrive; it reads at most limit plus 32 KiB.
// length, when between 0 and limit, is the body's declared length (a
// Content-Length): a body of at most 32 KiB is read into a buffer of
// exactly that size; a longer one is trusted no further than the bytes
// that arrive.
func Read(r io.Reader, length, limit int64) (body []byte, over bool, err error) {
	if length >= 0 && length <= min(limit, chunkSize) {
		return readKnown(r, length)
	}
	var held []*[chunkSize]byte
	defer func() {
		for _, c := range held {
			chunks.Put(c)
		}
	}()
	var total int64
	for {
		c := chunks.Get().(*[chunkSize]byte)
		held = append(held, c)
		n, err := io.ReadFull(r, c[:])
		total += int64(n)
		if total > limit {
			return nil, true, nil
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
	}
	switch {
	case length >= 0 && total < length:
		return nil, false, io.ErrUnexpectedEOF
	case length >= 0 && total > length:
		return nil, false, ErrLonger
	}
	body = make([]byte, total)
	for i, c := range held {
		copy(body[i*chunkSize:], c[:])
	}
	return body, false, nil
}

func readKnown(r io.Reader, length int64) ([]byte, bool, error) {
	// The body, and one byte past it to see that it ends there: one
	// allocation (a separate byte would escape to the heap through r).
	buf := make([]byte, length+1)
	body := buf[:length:length]
	if _, err := io.ReadFull(r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, false, err
	}
	switch n, err := r.Read(buf[length:]); {
	case n > 0:
		return nil, false, ErrLonger
	case err != nil && err != io.EOF:
		return nil, false, err
	}
	return body, false, nil
}
