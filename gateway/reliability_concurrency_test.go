package gateway_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// TestConcurrencyCapWithHungUpstream: with the upstream hanging and the
// gateway's cap of upstream calls in flight reached, further calls fail at
// once with UNAVAILABLE (CONCURRENCY_LIMIT) instead of queueing behind the
// hung ones; once the upstream heals, the hung calls complete and new calls
// succeed again within a second.
func TestConcurrencyCapWithHungUpstream(t *testing.T) {
	t.Parallel()
	const (
		limit   = 4
		overCap = 200
	)
	e := newFaultEnv(t, withGateway(func(o *gateway.Options) { o.MaxConcurrentUpstream = limit }))
	e.createStaged(t, "capped")
	hang := e.addFault(t, connectsim.FaultRule{Method: "GET", Path: "/connectors/drafts/key=capped",
		Action: connectsim.FaultAction{Kind: connectsim.FaultHang}})
	client := connectv1.NewConnectorStagedServiceClient(e.conn)

	var wg sync.WaitGroup
	hungErrs := make(chan error, limit)
	for range limit {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(e.ctx(t), 30*time.Second)
			defer cancel()
			_, err := client.GetConnectorStaged(ctx, getStaged("capped"))
			hungErrs <- err
		})
	}
	waitCtx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := e.sim.Journal().Wait(waitCtx, "GET", "/connectors/drafts/key=capped", limit); err != nil {
		t.Fatal(err)
	}

	latencies := make([]time.Duration, 0, overCap)
	for i := range overCap {
		start := time.Now()
		_, err := client.GetConnectorStaged(e.ctx(t), getStaged("capped"))
		latencies = append(latencies, time.Since(start))
		if i == 0 {
			wantCode(t, err, codes.Unavailable, "CONCURRENCY_LIMIT")
		} else if status.Code(err) != codes.Unavailable {
			t.Fatalf("call %d over the cap: %v, want UNAVAILABLE", i, err)
		}
	}
	slices.Sort(latencies)
	p50, p99, worst := latencies[overCap/2], latencies[overCap*99/100], latencies[overCap-1]
	t.Logf("%d calls over a cap of %d with a hung upstream: p50 %v, p99 %v, max %v", overCap, limit, p50, p99, worst)
	if n := e.sim.Journal().Count("GET", "/connectors/drafts/key=capped"); n != limit {
		t.Errorf("the upstream received %d requests, want only the %d within the cap", n, limit)
	}
	if worst >= time.Second {
		t.Errorf("a call over the cap took %v: it waited instead of failing fast", worst)
	}

	// The upstream heals: the hang ends (the simulator drops the hung
	// connections, and the GETs are retried) and the fault is gone.
	healed := time.Now()
	e.sim.Faults().Remove(hang.ID)
	e.sim.Close()
	var recovered time.Duration
	for {
		_, err := client.GetConnectorStaged(e.ctx(t), getStaged("capped"))
		if err == nil {
			recovered = time.Since(healed)
			break
		}
		if status.Code(err) != codes.Unavailable || time.Since(healed) > time.Second {
			t.Fatalf("%v after the upstream healed %v ago, want OK within 1s", err, time.Since(healed))
		}
	}
	wg.Wait()
	close(hungErrs)
	for err := range hungErrs {
		if err != nil {
			t.Errorf("a call that hung: %v, want OK once the upstream healed (a GET is retried)", err)
		}
	}
	t.Logf("the first call succeeded %v after the upstream healed", recovered)
}
