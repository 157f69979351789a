package bench

import (
	"context"
	"testing"
	"time"

	"github.com/connect-gateway/connect-gateway/bench/load"
)

// BenchmarkCall measures every target of the rig in both scenarios, side by
// side against the same upstream:
//
//   - mode=serial: one call at a time; ns/op is the mean latency, and
//     p50-ns and p99-ns are the latency percentiles of the run;
//   - mode=parallel: b.RunParallel with 8 goroutines per CPU; ns/op is the
//     inverse of throughput at that concurrency.
//
// Both report cpu-ns/op: the process's CPU time (user and system, client,
// servers and upstream alike) per call. On a shared machine it moves far
// less than wall time, and at saturation throughput is GOMAXPROCS divided
// by it, so it is the figure to compare paths by when the machine is busy.
//
// target=floor-sum makes the two floor calls (direct and grpc-floor) one
// after the other in one op: the floor of a gRPC call through a gateway to a
// REST upstream.
//
//	go test -run '^$' -bench Call -benchmem -count 6 ./bench | tee new.txt
//	benchstat -col /target -row /scenario,/mode new.txt
func BenchmarkCall(b *testing.B) {
	ctx := context.Background()
	for _, sc := range Scenarios() {
		targets := append([]Target{"floor-sum"}, Targets()...)
		for _, t := range targets {
			call := benchCaller(b, t, sc)
			b.Run("scenario="+string(sc)+"/target="+string(t)+"/mode=serial", func(b *testing.B) {
				serial(b, ctx, call)
			})
			b.Run("scenario="+string(sc)+"/target="+string(t)+"/mode=parallel", func(b *testing.B) {
				parallel(b, ctx, call)
			})
		}
	}
}

// benchCaller returns the call of t in sc; "floor-sum" is the two floor
// calls in sequence.
func benchCaller(b *testing.B, t Target, sc Scenario) load.Call {
	b.Helper()
	if t != "floor-sum" {
		call, err := rig.Caller(t, sc)
		if err != nil {
			b.Fatal(err)
		}
		return call
	}
	direct, rpc := benchCaller(b, TargetDirect, sc), benchCaller(b, TargetGRPCFloor, sc)
	return func(ctx context.Context) error {
		if err := direct(ctx); err != nil {
			return err
		}
		return rpc(ctx)
	}
}

// serial makes one call at a time and reports the latency percentiles.
func serial(b *testing.B, ctx context.Context, call load.Call) {
	if err := call(ctx); err != nil { // warm: dial, fill pools
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, 1<<14)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		start := time.Now()
		if err := call(ctx); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportCPU(b, cpu)
	r := load.FromLatencies(lat, 0, 0)
	b.ReportMetric(float64(r.Quantile(.5)), "p50-ns")
	b.ReportMetric(float64(r.Quantile(.99)), "p99-ns")
}

// parallel calls from 8 goroutines per CPU.
func parallel(b *testing.B, ctx context.Context, call load.Call) {
	if err := call(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	cpu := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := call(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportCPU(b, cpu)
}

// reportCPU reports the process CPU time since start per op.
func reportCPU(b *testing.B, start time.Duration) {
	if used := processCPU() - start; used > 0 && b.N > 0 {
		b.ReportMetric(float64(used)/float64(b.N), "cpu-ns/op")
	}
}
