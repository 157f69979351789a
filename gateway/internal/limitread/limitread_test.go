package limitread

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
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
