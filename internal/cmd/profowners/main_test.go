package main

import (
	"strings"
	"testing"
)

// cpuTraces is `go tool pprof -traces` text of a CPU profile: a header,
// then samples, each a value and its frames leaf first, separated by dashed
// lines.
const cpuTraces = `File: b.test
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

// heapTraces is the same text of the difference of two heap profiles
// (-sample_index=inuse_space -diff_base): each sample has a label line
// before its value, values carry pprof's units (a kB is 1,024 bytes), a
// zero has none, and the base's samples are negative.
const heapTraces = `File: connect-gateway
Build ID: aca18ca21c7729fe43b162817f1c15415c09a1ea
Type: inuse_space
Time: 2026-12-06 05:57:01 UTC
-----------+-------------------------------------------------------
     bytes:  4kB
    3.91MB   bufio.NewWriterSize (inline)
             net/http.newBufioWriterSize
             net/http.(*conn).serve
-----------+-------------------------------------------------------
     bytes:  2kB
       2kB   bufio.NewReaderSize (inline)
             net/http.(*Transport).dialConn
             net/http.(*Transport).dialConnFor
             net/http.(*Transport).startDialConnForLocked.func1
-----------+-------------------------------------------------------
     bytes:  352B
     352kB   net/textproto.MIMEHeader.Set (inline)
             net/http.Header.Set (inline)
             net/http.(*persistConn).roundTrip
             net/http.(*Transport).roundTrip
             github.com/connect-gateway/connect-gateway/gateway/upstream.(*Client).roundTrip
             github.com/connect-gateway/connect-gateway/gateway.(*Gateway).invoke
             net/http.serverHandler.ServeHTTP
             net/http.(*conn).serve
-----------+-------------------------------------------------------
     bytes:  48B
      48kB   context.WithCancel
             github.com/connect-gateway/connect-gateway/gateway/upstream.(*Client).attempt
             net/http.(*conn).serve
-----------+-------------------------------------------------------
     bytes:  448B
     448kB   runtime.malg
             runtime.newproc1
             runtime.newproc.func1
             runtime.systemstack
             runtime.newproc
             net/http.(*Server).Serve
-----------+-------------------------------------------------------
     bytes:  896B
      896B   fmt.(*buffer).write (inline)
             runtime/pprof.writeHeapInternal
             net/http/pprof.handler.ServeHTTP
             net/http.(*conn).serve
-----------+-------------------------------------------------------
     bytes:  896B
     -704B   fmt.(*buffer).write (inline)
             runtime/pprof.writeHeapInternal
             net/http/pprof.handler.ServeHTTP
             net/http.(*conn).serve
-----------+-------------------------------------------------------
     bytes:  512B
         0   sync.(*Pool).pinSlow
             google.golang.org/grpc/mem.(*simpleBufferPool).Get
-----------+-------------------------------------------------------
     bytes:  64B
     -64kB   google.golang.org/grpc/internal/transport.newWriteQuota
             google.golang.org/grpc/internal/transport.(*http2Server).operateHeaders
-----------+-------------------------------------------------------
     bytes:  160B
     160kB   github.com/grpc-ecosystem/grpc-gateway/v2/runtime.(*ServeMux).handleHandler
             net/http.(*ServeMux).ServeHTTP
             net/http.(*conn).serve
-----------+-------------------------------------------------------
     bytes:  32B
      32kB   runtime.allocm
             runtime.newm
-----------+-------------------------------------------------------
`

func TestOwners(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		traces string
		calls  int
		want   map[string]float64
		lines  []string // in the report
	}{{
		name:   "cpu",
		traces: cpuTraces,
		calls:  10,
		want: map[string]float64{ // µs
			"the gateway's code":               20e3, // the allocation counts for the code that made it
			"net/http":                         10e3,
			"grpc-go and x/net/http2":          30e3,
			"GC (background)":                  10e3,
			"scheduler, netpoll, system calls": 10e3,
			"protobuf-go":                      10e3, // the leaf-most owner, not the caller's
		},
		lines: []string{
			"grpc-go and x/net/http2               3000.0 µs/call",
			"total                                 9000.0 µs/call",
		},
	}, {
		name:   "heap difference",
		traces: heapTraces,
		calls:  1000,
		want: map[string]float64{ // KiB
			// A bufio buffer is net/http's when net/http asked for it, the
			// server's under its connection loop, the client's under the
			// Transport's.
			"net/http, server end": 3.91*1024 + (896-704)/1024.0, // and the debug endpoint's, one sample less the base's
			// net/http called from the gateway's code, even under the
			// server's loop, is its client's.
			"net/http, client end": 2 + 352,
			// A context is its maker's.
			"the gateway's code":        48,
			"goroutines (runtime.malg)": 448,
			"grpc-go and x/net/http2":   -64, // freed since the base
			"grpc-gateway's runtime":    160,
			"runtime and the rest":      32,
		},
		lines: []string{
			"net/http, server end                     4.0 KiB/call",
			"goroutines (runtime.malg)                0.4 KiB/call",
			"grpc-go and x/net/http2                 -0.1 KiB/call",
			"total                                    5.0 KiB/call",
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, k, err := owners(strings.NewReader(tc.traces))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("owners %v, want %v", got, tc.want)
			}
			for o, v := range tc.want {
				if d := got[o] - v; d > 1e-9 || d < -1e-9 {
					t.Errorf("%s: %v %s, want %v", o, got[o], k.unit, v)
				}
			}
			var out strings.Builder
			report(&out, got, k, tc.calls)
			for _, l := range tc.lines {
				if !strings.Contains(out.String(), l+"\n") {
					t.Errorf("report has no line %q:\n%s", l, out.String())
				}
			}
		})
	}
}

func TestOwnersRejects(t *testing.T) {
	t.Parallel()
	for name, traces := range map[string]string{
		"no samples":    "File: x\nType: cpu\n",
		"no type":       "-----------+---\n      10ms   runtime.schedule\n",
		"object counts": "Type: inuse_objects\n-----------+---\n      10   runtime.malg\n",
		"bytes in cpu":  "Type: cpu\n-----------+---\n      10kB   runtime.malg\n",
		"time in heap":  "Type: inuse_space\n-----------+---\n      10ms   runtime.malg\n",
		"bad value":     "Type: cpu\n-----------+---\n      1.2.3ms   runtime.malg\n",
	} {
		if _, _, err := owners(strings.NewReader(traces)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
