package load

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunCountsErrorsInLatencies(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	errOdd := errors.New("odd call")
	call := func(context.Context) error {
		if n.Add(1)%2 == 1 {
			return errOdd
		}
		return nil
	}
	res, err := Run(t.Context(), call, Options{Duration: 50 * time.Millisecond, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Calls == 0 || int64(res.Calls) != n.Load() {
		t.Fatalf("Calls %d, want the %d calls made", res.Calls, n.Load())
	}
	if want := (res.Calls + 1) / 2; res.Errors < want-3 || res.Errors > want+3 {
		t.Errorf("Errors %d of %d calls, want about half", res.Errors, res.Calls)
	}
	if len(res.latencies) != res.Calls {
		t.Errorf("%d latencies for %d calls: failed calls dropped out", len(res.latencies), res.Calls)
	}
	if !errors.Is(res.FirstError, errOdd) {
		t.Errorf("FirstError %v, want %v", res.FirstError, errOdd)
	}
}

func TestRunFixedRateStartsEveryDueCall(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	call := func(context.Context) error { n.Add(1); return nil }
	res, err := Run(t.Context(), call, Options{Rate: 200, Duration: 100 * time.Millisecond, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Due instants are start + i*5ms for every i with i*5ms < 100ms.
	if res.Calls != 20 || n.Load() != 20 {
		t.Errorf("Calls %d (made %d), want 20", res.Calls, n.Load())
	}
}

// TestRunFixedRateMeasuresFromDueTime checks that a call started late
// because every worker was busy counts its wait: the first call blocks the
// only worker for 60ms while five more fall due.
func TestRunFixedRateMeasuresFromDueTime(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	call := func(context.Context) error {
		if n.Add(1) == 1 {
			time.Sleep(60 * time.Millisecond) // the slow server under test
		}
		return nil
	}
	res, err := Run(t.Context(), call, Options{Rate: 100, Duration: 100 * time.Millisecond, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Calls != 10 {
		t.Fatalf("Calls %d, want 10", res.Calls)
	}
	if got := res.Quantile(1); got < 60*time.Millisecond {
		t.Errorf("max latency %v, want at least the 60ms the first call took", got)
	}
	// Calls due at 10..50ms started at 60ms or later: five latencies of at
	// least 10ms, so the median is at least 10ms.
	if got := res.Quantile(.5); got < 10*time.Millisecond {
		t.Errorf("p50 %v, want at least 10ms: calls that waited for a worker must count their wait", got)
	}
}

func TestOptionsCheck(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{
		{Duration: 0, Concurrency: 1},
		{Duration: time.Second, Concurrency: 0},
		{Duration: time.Second, Concurrency: 1, Rate: -1},
	} {
		if _, err := Run(t.Context(), func(context.Context) error { return nil }, o); err == nil {
			t.Errorf("Run accepted %+v", o)
		}
	}
}

func TestQuantileAndMerge(t *testing.T) {
	t.Parallel()
	ms := func(vs ...int) []time.Duration {
		d := make([]time.Duration, len(vs))
		for i, v := range vs {
			d[i] = time.Duration(v) * time.Millisecond
		}
		return d
	}
	a := FromLatencies(ms(5, 1, 3), 1, time.Second)
	b := FromLatencies(ms(2, 4), 0, time.Second)
	m := Merge(Merge(Result{}, a), b)
	tests := []struct {
		name string
		got  time.Duration
		want time.Duration
	}{
		{"a p0", a.Quantile(0), time.Millisecond},
		{"a p50", a.Quantile(.5), 3 * time.Millisecond},
		{"a p100", a.Quantile(1), 5 * time.Millisecond},
		{"merged p50", m.Quantile(.5), 3 * time.Millisecond},
		{"merged p80", m.Quantile(.8), 4 * time.Millisecond},
		{"empty", Result{}.Quantile(.5), 0},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if m.Calls != 5 || m.Errors != 1 || m.Elapsed != 2*time.Second || m.Throughput() != 2.5 {
		t.Errorf("merged %+v, want 5 calls, 1 error, 2s, 2.5 calls/s", m)
	}
}
