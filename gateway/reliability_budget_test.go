package gateway_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connect-gateway/connect-gateway/connectsim"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// TestRetryBudget: 1,000 calls against an upstream that answers every
// request 502 BadGateway. Each call makes at most 3 attempts and ends within
// its deadline with UNAVAILABLE; once the budget's burst is spent (after the
// first 20 calls) the gateway sends at most 1.2 attempts per call: the
// process-wide retry budget (20% of calls, burst 10) keeps a struggling
// upstream from being hit three times as hard.
func TestRetryBudget(t *testing.T) {
	t.Parallel()
	const (
		calls    = 1000
		warmup   = 20
		deadline = 2 * time.Second
	)
	e := newEnv(t, withSim(func(o *connectsim.Options) { o.JournalSize = 4 * calls }))
	e.addFault(t, connectsim.FaultRule{Method: "GET", Path: "**",
		Action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Code: "BadGateway"}})
	client := connectv1.NewConnectorStagedServiceClient(e.conn)

	var slowest time.Duration
	for i := range calls {
		ctx, cancel := context.WithTimeout(e.ctxWithID(t, t.Context(), fmt.Sprintf("budget-%04d", i)), deadline)
		start := time.Now()
		_, err := client.GetConnectorStaged(ctx, getStaged("storm"))
		elapsed := time.Since(start)
		cancel()
		slowest = max(slowest, elapsed)
		if status.Code(err) != codes.Unavailable {
			t.Fatalf("call %d: %v, want UNAVAILABLE", i, err)
		}
		if elapsed > deadline {
			t.Fatalf("call %d took %v, past its %v deadline", i, elapsed, deadline)
		}
	}

	perCall := map[string]int{}
	for _, en := range e.sim.Journal().Entries() {
		perCall[en.Header.Get("X-Correlation-ID")]++
	}
	total, afterWarmup, most := 0, 0, 0
	for i := range calls {
		n := perCall[fmt.Sprintf("budget-%04d", i)]
		if n < 1 || n > 3 {
			t.Errorf("call %d: %d upstream attempts, want 1 to 3", i, n)
		}
		total += n
		most = max(most, n)
		if i >= warmup {
			afterWarmup += n
		}
	}
	ratio := float64(afterWarmup) / float64(calls-warmup)
	t.Logf("%d calls: %d upstream attempts (%.3f per call); after the first %d calls %d attempts for %d calls (%.3f per call); at most %d per call; slowest call %v",
		calls, total, float64(total)/calls, warmup, afterWarmup, calls-warmup, ratio, most, slowest)
	if 5*afterWarmup > 6*(calls-warmup) { // ratio > 1.2, in integers
		t.Errorf("%.3f upstream attempts per call after the first %d calls, want at most 1.2", ratio, warmup)
	}
}
