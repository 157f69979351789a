package load

import (
	"slices"
	"time"
)

// Result is what [Run] measured.
type Result struct {
	// Calls counts the calls made, failed ones included.
	Calls int
	// Errors counts the calls whose outcome was not the expected one.
	Errors int
	// FirstError is the first such outcome, or nil.
	FirstError error
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
	// Rate is the rate asked for (0 in max-throughput mode), Concurrency
	// the number of workers.
	Rate        float64
	Concurrency int

	latencies []time.Duration // sorted
}

func (r *Result) add(w *worker) {
	r.Calls += len(w.latencies)
	r.Errors += w.errors
	if r.FirstError == nil {
		r.FirstError = w.firstErr
	}
	r.latencies = append(r.latencies, w.latencies...)
}

func (r *Result) sort() { slices.Sort(r.latencies) }

// Merge returns the union of two results of the same setup, as if measured
// in one run of their summed elapsed time.
func Merge(a, b Result) Result {
	m := a
	m.Calls += b.Calls
	m.Errors += b.Errors
	if m.FirstError == nil {
		m.FirstError = b.FirstError
	}
	m.Elapsed += b.Elapsed
	m.latencies = append(slices.Clone(a.latencies), b.latencies...)
	m.sort()
	if m.Concurrency == 0 {
		m.Rate, m.Concurrency = b.Rate, b.Concurrency
	}
	return m
}

// Throughput is the completed calls per second.
func (r Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Calls) / r.Elapsed.Seconds()
}

// Quantile returns the latency at quantile q in [0, 1] (nearest rank), or 0
// when there were no calls.
func (r Result) Quantile(q float64) time.Duration {
	n := len(r.latencies)
	if n == 0 {
		return 0
	}
	i := int(q*float64(n)+0.5) - 1
	return r.latencies[min(max(i, 0), n-1)]
}

// FromLatencies builds a Result from latencies measured elsewhere: calls
// made over elapsed, errors of them failed.
func FromLatencies(latencies []time.Duration, errors int, elapsed time.Duration) Result {
	r := Result{Calls: len(latencies), Errors: errors, Elapsed: elapsed, latencies: slices.Clone(latencies)}
	r.sort()
	return r
}
