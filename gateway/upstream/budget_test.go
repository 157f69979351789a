package upstream

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRetryBudgetStorm: 1,000 calls against an upstream
// answering 502 to everything. Every call ends within its deadline with at
// most 3 attempts, and after the first 20 calls the process makes at most
// 1.2 attempts per call.
func TestRetryBudgetStorm(t *testing.T) {
	t.Parallel()
	const calls, warmup = 1000, 20
	srv, served := countingServer(t, jsonHandler(502, badGatewayBody))
	c := newTestClient(t, srv.URL, Options{})
	attempts := make([]int, calls)
	exhausted := 0
	for i := range calls {
		ctx := ctxTimeout(t, 5*time.Second)
		deadline, _ := ctx.Deadline()
		resp, err := c.Do(ctx, &Request{Method: "GET", Path: "/connectors/x", Bearer: "t"})
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("call %d ended after its deadline", i)
		}
		if resp.StatusCode != 502 || resp.Attempts < 1 || resp.Attempts > 3 {
			t.Fatalf("call %d: status %d after %d attempts; want 502 after 1 to 3", i, resp.StatusCode, resp.Attempts)
		}
		if resp.BudgetExhausted {
			exhausted++
		}
		attempts[i] = resp.Attempts
	}
	total, after := 0, 0
	for i, a := range attempts {
		total += a
		if i >= warmup {
			after += a
		}
	}
	if int(served.Load()) != total {
		t.Errorf("upstream served %d requests, calls report %d attempts", served.Load(), total)
	}
	perCall := float64(after) / float64(calls-warmup)
	t.Logf("attempts: %d in all, %.3f per call after the first %d calls; %d calls denied a retry", total, perCall, warmup, exhausted)
	if perCall > 1.2 {
		t.Errorf("%.3f attempts per call after the first %d calls, want at most 1.2", perCall, warmup)
	}
	if exhausted == 0 {
		t.Errorf("no call reported BudgetExhausted")
	}
}

// TestRetryBudgetConcurrent: with calls racing for the budget, retries
// never exceed the burst plus 20% of calls, and every call ends within its
// deadline.
func TestRetryBudgetConcurrent(t *testing.T) {
	t.Parallel()
	const calls, workers = 1000, 8
	srv, served := countingServer(t, jsonHandler(502, badGatewayBody))
	c := newTestClient(t, srv.URL, Options{})
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= calls {
				ctx := ctxTimeout(t, 5*time.Second)
				deadline, _ := ctx.Deadline()
				resp, err := c.Do(ctx, &Request{Method: "GET", Path: "/x", Bearer: "t"})
				switch {
				case err != nil:
					errs <- err
					return
				case resp.Attempts > 3:
					errs <- errors.New("more than 3 attempts")
					return
				case time.Now().After(deadline):
					errs <- errors.New("a call ended after its deadline")
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if limit := int64(calls + DefaultRetryBurst + calls*DefaultRetryRatio); served.Load() > limit {
		t.Errorf("%d attempts for %d calls, want at most %d", served.Load(), calls, limit)
	}
	t.Logf("%d attempts for %d calls", served.Load(), calls)
}

func TestRetryBudgetBucket(t *testing.T) {
	t.Parallel()
	b := NewRetryBudget(0.2, 2)
	take := func() (n int) {
		for b.allowRetry() {
			n++
		}
		return n
	}
	if got := b.Available(); got != 2 {
		t.Fatalf("a new budget has %v retries available, want its burst of 2", got)
	}
	if got := take(); got != 2 {
		t.Fatalf("a new budget allowed %d retries, want its burst of 2", got)
	}
	for range 4 {
		b.recordCall()
	}
	if got := take(); got != 0 {
		t.Errorf("4 calls at 20%% allowed %d retries, want 0 (0.8 of one)", got)
	}
	b.recordCall()
	if got := take(); got != 1 {
		t.Errorf("5 calls at 20%% allowed %d retries, want 1", got)
	}
	for range 100 {
		b.recordCall()
	}
	if got := take(); got != 2 {
		t.Errorf("after 100 calls the budget allowed %d retries, want the cap of 2", got)
	}
	if got := NewRetryBudget(0, 0); got.allowRetry() {
		t.Errorf("an empty budget allowed a retry")
	}
}
