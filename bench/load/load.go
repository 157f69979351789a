package load

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Call is one request. It returns nil when the outcome was the expected
// one, and an error otherwise.
type Call func(ctx context.Context) error

// Options configure [Run].
type Options struct {
	// Rate is the calls per second to start; zero runs as fast as
	// Concurrency workers can (max-throughput mode).
	Rate float64
	// Duration is how long calls are started.
	Duration time.Duration
	// Concurrency is the number of workers, so the most calls in flight.
	Concurrency int
	// Timeout bounds each call. Zero means 10s.
	Timeout time.Duration
}

func (o Options) check() error {
	switch {
	case o.Duration <= 0:
		return errors.New("load: Duration must be positive")
	case o.Concurrency <= 0:
		return errors.New("load: Concurrency must be positive")
	case o.Rate < 0:
		return errors.New("load: Rate must not be negative")
	}
	return nil
}

// Run makes calls for opts.Duration and returns what it measured. It
// returns early, with what it measured so far, when ctx ends.
func Run(ctx context.Context, call Call, opts Options) (Result, error) {
	if err := opts.check(); err != nil {
		return Result{}, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	start := time.Now()
	end := start.Add(opts.Duration)
	workers := make([]worker, opts.Concurrency)
	var wg sync.WaitGroup
	if opts.Rate > 0 {
		due := make(chan time.Time, opts.Concurrency)
		for i := range workers {
			wg.Go(func() { workers[i].paced(ctx, call, opts.Timeout, due) })
		}
		schedule(ctx, due, start, end, opts.Rate)
		close(due)
	} else {
		for i := range workers {
			wg.Go(func() { workers[i].closed(ctx, call, opts.Timeout, end) })
		}
	}
	wg.Wait()
	res := Result{Elapsed: time.Since(start), Rate: opts.Rate, Concurrency: opts.Concurrency}
	for i := range workers {
		res.add(&workers[i])
	}
	res.sort()
	return res, ctx.Err()
}

// schedule sends the due instants start + i/rate for every instant before
// end. A send blocks while every worker is busy; the instants it sends
// then are already past, and their calls' latencies include the wait.
// An instant the scheduler had to sleep for is sent as the time it woke.
func schedule(ctx context.Context, due chan<- time.Time, start, end time.Time, rate float64) {
	interval := time.Duration(float64(time.Second) / rate)
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for i := int64(0); ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if !at.Before(end) {
			return
		}
		if d := time.Until(at); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return
			}
			// The timer may fire late (a virtual machine's timers often do
			// by hundreds of µs): that lateness is the load generator's, not
			// the server's, so the call's clock starts now.
			at = time.Now()
		}
		select {
		case due <- at:
		case <-ctx.Done():
			return
		}
	}
}

// worker makes calls one after another and keeps their latencies.
type worker struct {
	latencies []time.Duration
	errors    int
	firstErr  error
}

func (w *worker) paced(ctx context.Context, call Call, timeout time.Duration, due <-chan time.Time) {
	for at := range due {
		w.do(ctx, call, timeout, at)
	}
}

func (w *worker) closed(ctx context.Context, call Call, timeout time.Duration, end time.Time) {
	for ctx.Err() == nil {
		now := time.Now()
		if !now.Before(end) {
			return
		}
		w.do(ctx, call, timeout, now)
	}
}

// do makes one call and records its latency from since.
func (w *worker) do(ctx context.Context, call Call, timeout time.Duration, since time.Time) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	err := call(cctx)
	cancel()
	w.latencies = append(w.latencies, time.Since(since))
	if err != nil {
		w.errors++
		if w.firstErr == nil {
			w.firstErr = err
		}
	}
}

// Warm makes n calls with c workers and discards them: connections are
// dialled and pools filled before measuring.
func Warm(ctx context.Context, call Call, n, c int) error {
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	per := (n + c - 1) / c
	for range c {
		wg.Go(func() {
			for range per {
				if err := call(ctx); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		return fmt.Errorf("load: warm-up call failed: %w", first)
	}
	return nil
}
