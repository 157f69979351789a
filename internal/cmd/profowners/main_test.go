package main

import (
	"strings"
	"testing"
)

// traces is `go tool pprof -traces` text: a header, then samples, each a
// value and its frames leaf first, separated by dashed lines.
const traces = `File: b.test
Type: cpu
-----------+-------------------------------------------------------
      20ms   runtime.mallocgc
             github.com/connect-gateway/connect-gateway/translate.(*translation).build
             google.golang.org/grpc.(*Server).handleStream
-----------+-------------------------------------------------------
      10ms   syscall.Syscall6
             net/http.(*persistConn).writeLoop
-----------+-------------------------------------------------------
      30ms   golang.org/x/net/http2/hpack.huffmanDecode
             google.golang.org/grpc/internal/transport.(*http2Client).reader
-----------+-------------------------------------------------------
      10ms   runtime.scanobject
             runtime.gcDrain
             runtime.gcBgMarkWorker
-----------+-------------------------------------------------------
      10ms   runtime.findRunnable
             runtime.schedule
-----------+-------------------------------------------------------
      10ms   google.golang.org/protobuf/internal/impl.consumeString
             google.golang.org/grpc/encoding/proto.(*codecV2).Unmarshal
             github.com/connect-gateway/connect-gateway/bench.BenchmarkCall.func1
-----------+-------------------------------------------------------
`

func TestOwners(t *testing.T) {
	t.Parallel()
	got, err := owners(strings.NewReader(traces))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"the gateway's code":      20e3, // the allocation counts for the code that made it
		"net/http":                10e3,
		"grpc-go and x/net/http2": 30e3,
		gcOwner:                   10e3,
		restOwner:                 10e3,
		"protobuf-go":             10e3, // the leaf-most owner, not the caller's
	}
	if len(got) != len(want) {
		t.Fatalf("owners %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %v µs, want %v", k, got[k], v)
		}
	}
	var out strings.Builder
	report(&out, got, 10)
	if !strings.Contains(out.String(), "grpc-go and x/net/http2               3000.0 µs/call") ||
		!strings.Contains(out.String(), "total                                 9000.0 µs/call") {
		t.Errorf("report:\n%s", out.String())
	}
}

func TestOwnersNeedsSamples(t *testing.T) {
	t.Parallel()
	if _, err := owners(strings.NewReader("File: x\nType: cpu\n")); err == nil {
		t.Error("no error for input without samples")
	}
}
