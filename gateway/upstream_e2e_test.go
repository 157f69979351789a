package gateway_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connect-gateway/connect-gateway/connectsim"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

func getStaged(key string) *connectv1.GetConnectorStagedRequest {
	return &connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Key{Key: key}}
}

// TestClientCredentialsShareOneToken: 100 concurrent calls without a cached
// token cause one token request; when the upstream stops accepting the
// token, the gateway fetches a new one and replays the call once.
func TestClientCredentialsShareOneToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withClientCredentials(), seeded(), withSim(func(o *connectsim.Options) { o.TokenTTL = time.Hour }))
	client := connectv1.NewConnectorStagedServiceClient(e.conn)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Go(func() {
			_, err := client.GetConnectorStaged(t.Context(), getStaged(connectsim.DemoPaymentConnectorKey))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("call without a caller token: %v", err)
		}
	}
	if n := e.sim.Journal().Count("POST", "/oauth/token"); n != 1 {
		t.Errorf("%d token requests for 100 concurrent calls, want 1", n)
	}

	// The simulator's clock passes the token's expiry: the next call gets
	// 401 invalid_token, and the gateway refreshes and replays once.
	e.sim.Advance(2 * time.Hour)
	before := e.sim.Journal().Count("GET", "/connectors/drafts/*")
	if _, err := client.GetConnectorStaged(t.Context(), getStaged(connectsim.DemoPaymentConnectorKey)); err != nil {
		t.Fatalf("call after the token expired upstream: %v", err)
	}
	if n := e.sim.Journal().Count("POST", "/oauth/token"); n != 2 {
		t.Errorf("%d token requests, want 2 (one refresh)", n)
	}
	if n := e.sim.Journal().Count("GET", "/connectors/drafts/*") - before; n != 2 {
		t.Errorf("%d upstream attempts, want 2 (the 401 and one replay)", n)
	}
}

// TestHungTokenEndpointHonoursTheCallerDeadline: a token endpoint that
// never answers cannot hold a caller past its deadline.
func TestHungTokenEndpointHonoursTheCallerDeadline(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withClientCredentials())
	if _, err := e.sim.Faults().Add(connectsim.FaultRule{Method: "POST", Path: "/oauth/token",
		Action: connectsim.FaultAction{Kind: connectsim.FaultHang}}); err != nil {
		t.Fatal(err)
	}
	client := connectv1.NewConnectorStagedServiceClient(e.conn)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client.GetConnectorStaged(ctx, getStaged("xx"))
	elapsed := time.Since(start)
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("%v, want DEADLINE_EXCEEDED", err)
	}
	if elapsed > 2*time.Second {
		t.Errorf("the call took %v against a 300ms deadline", elapsed)
	}
}

// TestRetries follows the retry rules (docs/design.md#calling-the-upstream-safely)
// through the gateway: attempts counted by the
// simulator.
func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		method   string
		fault    connectsim.FaultAction
		call     func(t *testing.T, e *env) error
		attempts int
		code     codes.Code
	}{
		{
			name: "GET under a 502 storm", method: "GET",
			fault: connectsim.FaultAction{Kind: connectsim.FaultRespond, Code: "BadGateway"},
			call: func(t *testing.T, e *env) error {
				_, err := connectv1.NewConnectorStagedServiceClient(e.conn).GetConnectorStaged(e.ctx(t), getStaged("storm"))
				return err
			},
			attempts: 3, code: codes.Unavailable,
		},
		{
			name: "POST after a 500", method: "POST",
			fault: connectsim.FaultAction{Kind: connectsim.FaultRespond, Code: "General"},
			call: func(t *testing.T, e *env) error {
				draft := stagedDraft("after-500")
				_, err := connectv1.NewConnectorStagedServiceClient(e.conn).CreateConnectorStaged(e.ctx(t), &connectv1.CreateConnectorStagedRequest{Draft: draft})
				return err
			},
			attempts: 1, code: codes.Internal,
		},
		{
			name: "409 is never retried", method: "POST",
			fault: connectsim.FaultAction{Kind: connectsim.FaultRespond, Code: "ConcurrentModification"},
			call: func(t *testing.T, e *env) error {
				_, err := connectv1.NewConnectorStagedServiceClient(e.conn).UpdateConnectorStaged(e.ctx(t), &connectv1.UpdateConnectorStagedRequest{
					Ref: &connectv1.UpdateConnectorStagedRequest_Key{Key: "kk"}, Version: 1,
					Actions: []*connectv1.ConnectorStagedUpdateAction{{Action: &connectv1.ConnectorStagedUpdateAction_Unlist{Unlist: &connectv1.ConnectorStagedUnlistAction{}}}},
				})
				return err
			},
			attempts: 1, code: codes.Aborted,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			if _, err := e.sim.Faults().Add(connectsim.FaultRule{Method: tt.method, Path: "/connectors/drafts/**", Action: tt.fault}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.sim.Faults().Add(connectsim.FaultRule{Method: tt.method, Path: "/connectors/drafts", Action: tt.fault}); err != nil {
				t.Fatal(err)
			}
			err := tt.call(t, e)
			if status.Code(err) != tt.code {
				t.Fatalf("%v, want %v", err, tt.code)
			}
			got := e.sim.Journal().Count(tt.method, "/connectors/drafts/**") + e.sim.Journal().Count(tt.method, "/connectors/drafts")
			if got != tt.attempts {
				t.Errorf("%d upstream attempts, want %d", got, tt.attempts)
			}
		})
	}
}

// TestHangingUpstreamMeetsTheDeadline: a hanging upstream gives
// DEADLINE_EXCEEDED close to the caller's deadline, and the upstream request
// is cancelled.
func TestHangingUpstreamMeetsTheDeadline(t *testing.T) {
	t.Parallel()
	cancelled := make(chan struct{}, 1)
	e := newEnv(t, withUpstream(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				<-r.Context().Done()
				cancelled <- struct{}{}
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	client := connectv1.NewConnectorStagedServiceClient(e.conn)
	ctx, cancel := context.WithTimeout(e.ctx(t), 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client.GetConnectorStaged(ctx, getStaged("hang"))
	elapsed := time.Since(start)
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("%v, want DEADLINE_EXCEEDED", err)
	}
	if elapsed < 350*time.Millisecond || elapsed > 1500*time.Millisecond {
		t.Errorf("answered after %v, want close to the 400ms deadline", elapsed)
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Error("the upstream request was not cancelled")
	}
	if info, ok := translate.ErrorInfoOf(err); ok && info.GetDomain() != translate.DomainGateway {
		t.Errorf("ErrorInfo domain %q, want %s", info.GetDomain(), translate.DomainGateway)
	}
}
