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
	"math/bits"
	"sync"
	"unsafe"
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
		return readKnown(r, length, make([]byte, length+1))
	}
	return readUnknown(r, length, limit)
}

// A Buffer is the memory of a body [ReadPooled] read, to hand back with
// [Buffer.Recycle] once nothing uses the body any more; the zero Buffer
// holds nothing.
type Buffer struct {
	start *byte // the pooled allocation, of size 1<<(class+minClass); nil for none
	class int
}

// ReadPooled is [Read] for a body its caller is done with soon (decoded,
// copied on, or written out): a body of known length up to 16 KiB is read
// into pooled memory, which buf hands back. A body that is not recycled is
// only garbage, like Read's.
func ReadPooled(r io.Reader, length, limit int64) (body []byte, buf Buffer, over bool, err error) {
	if length >= 0 && length <= min(limit, chunkSize) {
		if c := classOf(int(length) + 1); c >= 0 {
			mem := getClass(c)
			body, over, err = readKnown(r, length, mem[:length+1])
			if err != nil || over {
				putClass(c, mem)
				return nil, Buffer{}, over, err
			}
			return body, Buffer{start: unsafe.SliceData(mem), class: c}, false, nil
		}
	}
	body, over, err = Read(r, length, limit)
	return body, Buffer{}, over, err
}

// Recycle hands the body's memory back for a later body. Nothing may use
// the body (or any slice of it) afterwards; b is zeroed, so that a second
// call does nothing.
func (b *Buffer) Recycle() {
	if b.start != nil {
		putClass(b.class, unsafe.Slice(b.start, 1<<(b.class+minClass)))
		*b = Buffer{}
	}
}

// Pooled bodies come in power-of-two sizes from 512 bytes to 16 KiB: the
// Connect API's resources and error bodies are a few KiB, and a larger
// body is rare enough to be read as Read reads it. (grpc-go's buffer pool,
// which the gRPC face's answers use, would hand a 1 KiB body 4 KiB and
// clear it on every Get; a body is read over all of its bytes, so these
// buffers need no clearing.)
const (
	minClass = 9
	maxClass = 14
)

// classes pool each size's memory by a pointer to its first byte, which
// needs no allocation to go into an interface and keeps the whole buffer
// alive.
var classes [maxClass - minClass + 1]sync.Pool

// classOf returns the pool of the smallest size that holds n bytes, or -1
// when n is over the largest.
func classOf(n int) int {
	if n > 1<<maxClass {
		return -1
	}
	return max(bits.Len(uint(n-1))-minClass, 0)
}

func getClass(c int) []byte {
	size := 1 << (c + minClass)
	if p, ok := classes[c].Get().(*byte); ok {
		return unsafe.Slice(p, size)
	}
	return make([]byte, size)
}

func putClass(c int, mem []byte) { classes[c].Put(unsafe.SliceData(mem)) }

// readUnknown reads a body of unknown length, or of a length over a chunk,
// through pooled chunks.
func readUnknown(r io.Reader, length, limit int64) (body []byte, over bool, err error) {
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

// readKnown reads a body of the declared length into buf, which holds it
// and one byte past it, to see that it ends there (a separate byte would
// escape to the heap through r).
func readKnown(r io.Reader, length int64, buf []byte) ([]byte, bool, error) {
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
