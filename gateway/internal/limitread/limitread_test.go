package limitread

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"unsafe"
)

func TestRead(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("0123456789", 10_000) // 100,000 bytes: several chunks
	tests := []struct {
		name   string
		r      io.Reader
		length int64
		limit  int64
		want   string
		over   bool
		err    error
	}{
		{"unknown length under the limit", strings.NewReader(body), -1, 200_000, body, false, nil},
		{"unknown length at the limit", strings.NewReader(body), -1, 100_000, body, false, nil},
		{"unknown length one over", strings.NewReader(body), -1, 99_999, "", true, nil},
		{"unknown length, one byte at a time", iotest.OneByteReader(strings.NewReader(body[:70_000])), -1, 100_000, body[:70_000], false, nil},
		{"empty", strings.NewReader(""), -1, 10, "", false, nil},
		{"known length", strings.NewReader(body), 100_000, 100_000, body, false, nil},
		{"known length, short body", strings.NewReader(body[:10]), 20, 100, "", false, io.ErrUnexpectedEOF},
		{"known length, longer body", strings.NewReader(body[:30]), 20, 100, "", false, ErrLonger},
		{"known length over a chunk", strings.NewReader(body), 100_000, 200_000, body, false, nil},
		{"known length over a chunk, short body", strings.NewReader(body[:50_000]), 100_000, 200_000, "", false, io.ErrUnexpectedEOF},
		{"known length over a chunk, longer body", strings.NewReader(body), 50_000, 200_000, "", false, ErrLonger},
		{"declared over the limit is read as unknown", strings.NewReader(body), 1 << 30, 100, "", true, nil},
		{"read error", iotest.ErrReader(io.ErrClosedPipe), -1, 100, "", false, io.ErrClosedPipe},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, over, err := Read(tt.r, tt.length, tt.limit)
			if !errors.Is(err, tt.err) || over != tt.over || string(got) != tt.want {
				t.Errorf("Read = %d bytes, over %v, err %v; want %d bytes, over %v, err %v", len(got), over, err, len(tt.want), tt.over, tt.err)
			}
		})
	}
}

// TestReadPooled: ReadPooled reads every body as Read does (the cases of
// TestRead, and lengths at the edges of each pooled size), and hands back
// memory only for a body it read into the pool's.
func TestReadPooled(t *testing.T) {
	t.Parallel()
	lengths := []int{0, 1, 511, 512, 1023, 1024, 1145, 8191, 16383, 16384, 20000, 40000}
	for _, n := range lengths {
		body := strings.Repeat("x", n)
		for _, declared := range []int64{int64(n), -1} {
			got, buf, over, err := ReadPooled(strings.NewReader(body), declared, 1<<20)
			if err != nil || over || string(got) != body {
				t.Errorf("ReadPooled of %d bytes (declared %d) = %d bytes, over %v, err %v", n, declared, len(got), over, err)
			}
			if pooled := buf != (Buffer{}); pooled != (declared >= 0 && n < 1<<maxClass) {
				t.Errorf("ReadPooled of %d bytes (declared %d): pooled %v", n, declared, pooled)
			}
			buf.Recycle()
			buf.Recycle() // a second call does nothing
		}
	}
	for _, tt := range []struct {
		name   string
		body   string
		length int64
		err    error
	}{
		{"short body", "0123456789", 20, io.ErrUnexpectedEOF},
		{"longer body", strings.Repeat("x", 30), 20, ErrLonger},
	} {
		got, buf, _, err := ReadPooled(strings.NewReader(tt.body), tt.length, 100)
		if !errors.Is(err, tt.err) || got != nil || buf != (Buffer{}) {
			t.Errorf("%s: ReadPooled = %q, %+v, %v; want nothing and %v", tt.name, got, buf, err, tt.err)
		}
	}
}

// TestRecycledMemoryIsReused: a body read after one of the same size was
// recycled takes its memory, and holds only its own bytes. sync.Pool may
// drop what it is given (the race detector makes it drop a quarter), so
// the test asks for one reuse in 20 tries. Not parallel: another test's
// reads would take the recycled memory.
func TestRecycledMemoryIsReused(t *testing.T) {
	for range 20 {
		first, buf, _, err := ReadPooled(strings.NewReader(strings.Repeat("a", 1000)), 1000, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		mem := unsafe.SliceData(first)
		buf.Recycle()
		second, buf2, _, err := ReadPooled(strings.NewReader("bb"), 2, 1<<20)
		if err != nil || string(second) != "bb" || cap(second) != 2 {
			t.Fatalf("second read = %q (cap %d), %v; want \"bb\"", second, cap(second), err)
		}
		buf2.Recycle() // another size: it must not take the first's memory
		third, buf3, _, err := ReadPooled(strings.NewReader(strings.Repeat("c", 700)), 700, 1<<20)
		if err != nil || string(third) != strings.Repeat("c", 700) {
			t.Fatalf("third read = %d bytes, %v", len(third), err)
		}
		buf3.Recycle()
		if unsafe.SliceData(third) == mem {
			return
		}
	}
	t.Error("20 bodies of 1 KiB recycled, and none of the next ones of that size took the memory")
}

// TestDeclaredLengthAllocatesNothingAhead: a body that declares 900,000
// bytes and sends 7 costs at most one chunk (pooled, but the race detector
// makes the pool drop some), not a buffer of the declared size. Not
// parallel: the allocation counter is the whole process's.
func TestDeclaredLengthAllocatesNothingAhead(t *testing.T) {
	const declared = 900_000
	slow := io.MultiReader(strings.NewReader(`{"key":`), iotest.ErrReader(iotest.ErrTimeout))
	_, _, _ = Read(strings.NewReader("warm the pool"), -1, declared) // the pool's first chunk
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := Read(slow, declared, 1<<20)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, iotest.ErrTimeout) {
		t.Fatalf("err %v, want the reader's", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n >= 2*chunkSize {
		t.Errorf("7 bytes of a declared %d allocated %d bytes, want at most one chunk (%d)", declared, n, chunkSize)
	}
}

func BenchmarkReadUnknown1MiB(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1<<20)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Read(bytes.NewReader(body), -1, 2<<20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadAll1MiB(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1<<20)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := io.ReadAll(io.LimitReader(bytes.NewReader(body), 2<<20)); err != nil {
			b.Fatal(err)
		}
	}
}
