package bench

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

// inFlightCalls is the burst of BenchmarkInFlight (goal P5 of BENCHMARKS.md).
const inFlightCalls = 1000

// BenchmarkInFlight launches 1,000 concurrent get calls against a slow
// upstream, once per op: the upstream holds every request until all 1,000
// are in flight at once (dialling 1,000 loopback connections takes about a
// second on this machine, so a fixed delay would not line them up), then
// answers them after 200 ms. It reports, for the whole process (client,
// gateway or vanguard, and upstream alike):
//
//   - heap-MiB: growth of HeapInuse from before the burst to the moment
//     all 1,000 calls are in flight at the upstream, each reading after two
//     GCs (see fullGC), so it is memory the in-flight calls hold, not
//     garbage or idle pooled buffers;
//   - stack-MiB: growth of StackInuse over the same span;
//   - goroutines-peak: goroutines above the baseline at that moment;
//   - goroutines-idle: above the baseline once every call returned, with the
//     keep-alive connections still open (each costs goroutines on both
//     ends);
//   - goroutines-after: above the baseline once the upstream closed its
//     connections: 0 means nothing a call started outlives it.
//
// target=direct is the same burst with no gateway at all: the rig's own
// share (upstream server and HTTP client connections).
//
//	go test -run '^$' -bench InFlight -benchtime 3x -count 6 ./bench
func BenchmarkInFlight(b *testing.B) {
	for _, t := range []Target{TargetDirect, TargetGRPCGateway, TargetRESTGateway, TargetVanguard} {
		b.Run("target="+string(t), func(b *testing.B) {
			r, err := Start(context.Background(), Options{
				Bodies:                rig.Bodies,
				UpstreamDelay:         200 * time.Millisecond,
				MaxConcurrentUpstream: inFlightCalls,
				ClientConns:           inFlightCalls,
			})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			call, err := r.Caller(t, ScenarioGet)
			if err != nil {
				b.Fatal(err)
			}
			var m inFlightMetrics
			for b.Loop() {
				m = burst(b, r, call, thisProcess{})
			}
			b.ReportMetric(m.heapMiB, "heap-MiB")
			b.ReportMetric(m.stackMiB, "stack-MiB")
			b.ReportMetric(float64(m.peak), "goroutines-peak")
			b.ReportMetric(float64(m.idle), "goroutines-idle")
			b.ReportMetric(float64(m.after), "goroutines-after")
		})
	}
}

type inFlightMetrics struct {
	heapMiB, stackMiB float64
	peak, idle, after int
}

// fullGC collects twice: the second collection frees what sync.Pool kept
// from before the first (its victim cache), buffers no call holds, which
// would otherwise count in one reading and not in the other.
func fullGC() {
	runtime.GC()
	runtime.GC()
}

// measuredProcess is the process a burst measures: this one
// ([thisProcess]), or a gateway started on its own ([gatewayProcess]).
type measuredProcess interface {
	// memory returns HeapInuse and StackInuse, read after two GCs (see
	// fullGC), at a moment of the burst: "base" before it, "peak" with
	// every call in flight.
	memory(b *testing.B, moment string) (heap, stack int64)
	goroutines(b *testing.B) int
	// separate reports whether the process is not this one: the callers'
	// idle connections to it then close after each burst, since they hold
	// goroutines there.
	separate() bool
}

// thisProcess is the benchmark's own process.
type thisProcess struct{}

func (thisProcess) memory(*testing.B, string) (heap, stack int64) {
	fullGC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse), int64(m.StackInuse)
}

func (thisProcess) goroutines(*testing.B) int { return runtime.NumGoroutine() }

func (thisProcess) separate() bool { return false }

// burst runs one burst of inFlightCalls calls and measures p.
func burst(b *testing.B, r *Rig, call func(context.Context) error, p measuredProcess) inFlightMetrics {
	b.StopTimer()
	r.CloseUpstreamConnections()
	baseline := settleGoroutines(b, p, 0)
	heapBefore, stackBefore := p.memory(b, "base")
	b.StartTimer()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r.HoldUpstream()
	defer r.ReleaseUpstream()
	var wg sync.WaitGroup
	errs := make(chan error, inFlightCalls)
	for range inFlightCalls {
		wg.Go(func() {
			if err := call(ctx); err != nil {
				errs <- err
			}
		})
	}
	if err := r.WaitUpstreamInFlight(ctx, inFlightCalls); err != nil {
		select {
		case cerr := <-errs:
			b.Fatalf("waiting for %d calls in flight: %v; a call failed: %v", inFlightCalls, err, cerr)
		default:
			b.Fatalf("waiting for %d calls in flight: %v", inFlightCalls, err)
		}
	}
	b.StopTimer()
	heap, stack := p.memory(b, "peak")
	m := inFlightMetrics{
		heapMiB:  float64(heap-heapBefore) / (1 << 20),
		stackMiB: float64(stack-stackBefore) / (1 << 20),
		peak:     p.goroutines(b) - baseline,
	}
	r.ReleaseUpstream()
	b.StartTimer()
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatalf("a call failed: %v", err)
	}
	m.idle = p.goroutines(b) - baseline
	r.CloseUpstreamConnections()
	if p.separate() {
		r.clients.http.CloseIdleConnections()
	}
	m.after = settleGoroutines(b, p, baseline) - baseline
	b.StartTimer()
	return m
}

// settleGoroutines waits (up to 5 s) for p's goroutine count to stop
// falling, or to reach target, and returns it. Connection goroutines end
// asynchronously after a close; this is measurement, not synchronisation.
func settleGoroutines(b *testing.B, p measuredProcess, target int) int {
	n := p.goroutines(b)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		m := p.goroutines(b)
		if m <= target || (target == 0 && m == n) {
			return m
		}
		n = m
	}
	return n
}
