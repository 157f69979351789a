package gateway_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// checkLeaks makes t fail when goroutines started during t outlive it: the
// check runs after every cleanup registered later (envs, connections), and
// ignores the goroutines that existed when it was called. Call it first in
// a test that does not run in parallel with others.
func checkLeaks(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		if t.Failed() {
			return // a failed call may leave a stream behind; the failure is what matters
		}
		if err := goleak.Find(ignore); err != nil {
			t.Errorf("goroutine leak: %v", err)
		}
	})
}

// newFaultEnv is newEnv for tests that make the simulator hang: its hanging
// handlers end before the simulator's server closes. (A hung POST whose body
// the simulator never reads does not see its client go away, and
// httptest.Server.Close waits for it; the harness closes the server before
// the simulator.)
func newFaultEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	e := newEnv(t, opts...)
	t.Cleanup(e.sim.Close) // runs before newEnv's cleanups
	return e
}

// op is one gRPC operation of the fault matrix, on a ConnectorStaged
// addressed by key.
type op struct {
	name string
	// method and path are the upstream request the call makes, as the
	// journal records it.
	method, path string
	// needsResource makes the cell create the ConnectorStaged first.
	needsResource bool
	call          func(ctx context.Context, c connectv1.ConnectorStagedServiceClient, key string) error
}

func stagedOps() []op {
	return []op{
		{name: "get", method: "GET", path: "/connectors/drafts/key=%s", needsResource: true,
			call: func(ctx context.Context, c connectv1.ConnectorStagedServiceClient, key string) error {
				_, err := c.GetConnectorStaged(ctx, &connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Key{Key: key}})
				return err
			}},
		{name: "create", method: "POST", path: "/connectors/drafts",
			call: func(ctx context.Context, c connectv1.ConnectorStagedServiceClient, key string) error {
				_, err := c.CreateConnectorStaged(ctx, &connectv1.CreateConnectorStagedRequest{Draft: stagedDraft(key)})
				return err
			}},
		{name: "update", method: "POST", path: "/connectors/drafts/key=%s", needsResource: true,
			call: func(ctx context.Context, c connectv1.ConnectorStagedServiceClient, key string) error {
				_, err := c.UpdateConnectorStaged(ctx, &connectv1.UpdateConnectorStagedRequest{
					Ref:     &connectv1.UpdateConnectorStagedRequest_Key{Key: key},
					Version: 1,
					Actions: []*connectv1.ConnectorStagedUpdateAction{{Action: &connectv1.ConnectorStagedUpdateAction_SetName{
						SetName: &connectv1.ConnectorStagedSetNameAction{Name: "renamed"}}}},
				})
				return err
			}},
		{name: "delete", method: "DELETE", path: "/connectors/drafts/key=%s", needsResource: true,
			call: func(ctx context.Context, c connectv1.ConnectorStagedServiceClient, key string) error {
				_, err := c.DeleteConnectorStaged(ctx, &connectv1.DeleteConnectorStagedRequest{Ref: &connectv1.DeleteConnectorStagedRequest_Key{Key: key}})
				return err
			}},
	}
}

// upstreamPath is the op's upstream path for key.
func (o op) upstreamPath(key string) string {
	if o.path == "/connectors/drafts" {
		return o.path
	}
	return fmt.Sprintf(o.path, key)
}

// createStaged creates a ConnectorStaged with key through the gateway.
func (e *env) createStaged(t testing.TB, key string) *connectv1.ConnectorStaged {
	t.Helper()
	resp, err := connectv1.NewConnectorStagedServiceClient(e.conn).CreateConnectorStaged(e.ctx(t),
		&connectv1.CreateConnectorStagedRequest{Draft: stagedDraft(key)})
	if err != nil {
		t.Fatalf("creating ConnectorStaged %s: %v", key, err)
	}
	return resp.GetConnectorStaged()
}

// addFault adds a simulator fault rule or fails t.
func (e *env) addFault(t testing.TB, rule connectsim.FaultRule) connectsim.FaultRule {
	t.Helper()
	r, err := e.sim.Faults().Add(rule)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// ctxWithID returns the env's authenticated context with a correlation id.
func (e *env) ctxWithID(t testing.TB, parent context.Context, cid string) context.Context {
	return metadata.AppendToOutgoingContext(parent, "authorization", "Bearer "+e.token, "x-correlation-id", cid)
}

// reasonAndDomain returns the ErrorInfo reason and domain of err.
func reasonAndDomain(err error) (string, string) {
	info, _ := translate.ErrorInfoOf(err)
	return info.GetReason(), info.GetDomain()
}

// wantCode fails t unless err has code c (and, when reason is set, that
// ErrorInfo reason).
func wantCode(t testing.TB, err error, c codes.Code, reason string) {
	t.Helper()
	if got := status.Code(err); got != c {
		t.Fatalf("code %v, want %v: %v", got, c, err)
	}
	if reason == "" {
		return
	}
	if got, _ := reasonAndDomain(err); got != reason {
		t.Errorf("ErrorInfo reason %q, want %q (%v)", got, reason, err)
	}
}

// bareGateway is a gateway in front of an upstream of the test's choosing
// (not a simulator), on loopback.
type bareGateway struct {
	gw       *gateway.Gateway
	conn     *grpc.ClientConn
	grpcAddr string
	httpURL  string
	logs     *lockedWriter
	stop     func() error // cancels Serve and returns its error; idempotent
}

// startGateway serves a gateway with opts (listeners and, unless set, a
// logger capturing into logs are filled in) until the test ends.
func startGateway(t testing.TB, opts gateway.Options) *bareGateway {
	t.Helper()
	b := &bareGateway{logs: &lockedWriter{}}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewJSONHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if opts.DrainTimeout == 0 {
		opts.DrainTimeout = 5 * time.Second
	}
	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts.GRPCListener, opts.HTTPListener = gl, hl
	if b.gw, err = gateway.New(opts); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.gw.Serve(ctx) }()
	var serveErr error
	stopped := false
	b.stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			serveErr = <-done
		}
		return serveErr
	}
	t.Cleanup(func() {
		if err := b.stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	b.httpURL, b.grpcAddr = "http://"+hl.Addr().String(), gl.Addr().String()
	if b.conn, err = grpc.NewClient(gl.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials())); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.conn.Close() })
	return b
}

// discard is a logger for gateways whose logs no test reads.
var discard = slog.New(slog.NewTextHandler(io.Discard, nil))
