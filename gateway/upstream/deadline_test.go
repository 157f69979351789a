package upstream

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// TestDeadlineHangingUpstream: against an upstream that never answers, the
// call ends at the caller's deadline (or the default timeout) with a timeout
// error, and the upstream sees its request cancelled.
func TestDeadlineHangingUpstream(t *testing.T) {
	t.Parallel()
	const d = 150 * time.Millisecond
	cases := []struct {
		name string
		ctx  func(t *testing.T) context.Context
		opts Options
	}{
		{name: "caller deadline", ctx: func(t *testing.T) context.Context { return ctxTimeout(t, d) }},
		{name: "default timeout", ctx: func(*testing.T) context.Context { return context.Background() }, opts: Options{DefaultTimeout: d}},
	}
	for _, tc := range cases {
		for _, method := range []string{"GET", "POST"} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				t.Parallel()
				cancelled := make(chan struct{})
				srv, _ := countingServer(t, hangUntilCancelled(cancelled))
				c := newTestClient(t, srv.URL, tc.opts)
				start := time.Now()
				resp, err := c.Do(tc.ctx(t), &Request{Method: method, Path: "/x", Body: []byte(`{}`), Bearer: "t"})
				elapsed := time.Since(start)
				if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("Do = %v, %v; want ErrTimeout wrapping context.DeadlineExceeded", resp, err)
				}
				e, _ := errors.AsType[*Error](err)
				if e.Attempts != 1 {
					t.Errorf("attempts = %d, want 1", e.Attempts)
				}
				if want := method == "POST"; e.Ambiguous != want {
					t.Errorf("Ambiguous = %v, want %v", e.Ambiguous, want)
				}
				if elapsed < d {
					t.Errorf("returned after %v, before the %v deadline", elapsed, d)
				}
				t.Logf("returned %v after the deadline", elapsed-d)
				waitOrFail(t, cancelled, "upstream request cancellation")
			})
		}
	}
}

// TestDeadlineCancelled: a caller that cancels gets ErrCancelled, not a
// timeout.
func TestDeadlineCancelled(t *testing.T) {
	t.Parallel()
	cancelled := make(chan struct{})
	arrived := make(chan struct{})
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		hangUntilCancelled(cancelled)(w, r)
	})
	c := newTestClient(t, srv.URL, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, err := c.Do(ctx, &Request{Method: "GET", Path: "/x", Bearer: "t"})
	if !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Do error = %v, want ErrCancelled wrapping context.Canceled", err)
	}
	waitOrFail(t, cancelled, "upstream request cancellation")
}

// TestDeadlineBoundsRetries: in a 502 storm, a retry whose backoff would
// end past the deadline is not made: the call returns the last answer at
// once instead of sleeping into a timeout.
func TestDeadlineBoundsRetries(t *testing.T) {
	t.Parallel()
	srv, served := countingServer(t, jsonHandler(502, badGatewayBody))
	c := newTestClient(t, srv.URL, Options{BackoffBase: time.Millisecond, BackoffMax: time.Hour})
	// The first backoff is 1ms; the second draws an hour, past any deadline.
	c.jitter = func(n time.Duration) time.Duration {
		if n <= time.Millisecond {
			return n
		}
		return time.Hour
	}
	ctx := ctxTimeout(t, 10*time.Second)
	deadline, _ := ctx.Deadline()
	resp, err := c.Do(ctx, &Request{Method: "GET", Path: "/x", Bearer: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if time.Now().After(deadline) {
		t.Errorf("Do returned after the deadline")
	}
	if resp.StatusCode != 502 || resp.Attempts != 2 || served.Load() != 2 {
		t.Errorf("status %d after %d attempts (%d served); want 502 after 2", resp.StatusCode, resp.Attempts, served.Load())
	}
}

// TestCancelledDuringBackoff: a caller that cancels while the call waits to
// retry gets ErrCancelled at once; a POST waiting after a 502 BadGateway is
// not Ambiguous, since the upstream did not act on it.
func TestCancelledDuringBackoff(t *testing.T) {
	t.Parallel()
	srv, served := countingServer(t, jsonHandler(502, badGatewayBody))
	c := newTestClient(t, srv.URL, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.sleep = func(ctx context.Context, _ time.Duration) error {
		cancel()
		return ctx.Err()
	}
	_, err := c.Do(ctx, &Request{Method: "POST", Path: "/x", Body: []byte(`{}`), Bearer: "t"})
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Kind != KindCancelled || e.Attempts != 1 || e.Ambiguous {
		t.Fatalf("Do = %v (%+v), want KindCancelled after 1 attempt, not ambiguous", err, e)
	}
	if served.Load() != 1 {
		t.Errorf("served %d, want 1", served.Load())
	}
}
