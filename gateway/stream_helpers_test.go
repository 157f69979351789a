package gateway_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// fastPolling makes the stream pollers poll every few milliseconds, so
// that tests driven by the simulator's clock see each change quickly.
func fastPolling() envOption {
	return withGateway(func(o *gateway.Options) {
		o.Streams.PollInterval, o.Streams.IdleInterval = 2*time.Millisecond, 10*time.Millisecond
	})
}

// pollTicks makes the stream pollers poll only when the test ticks, so
// that the number of upstream requests is exact.
type pollTicks struct{ ch chan struct{} }

func withPollTicks() (envOption, *pollTicks) {
	p := &pollTicks{ch: make(chan struct{})}
	return withGateway(func(o *gateway.Options) {
		gateway.SetStreamSleep(o, func(ctx context.Context, _ time.Duration) error {
			select {
			case <-p.ch:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}), p
}

// tick lets the waiting poller poll once; it returns once the poller took it.
func (p *pollTicks) tick(t *testing.T) {
	t.Helper()
	select {
	case p.ch <- struct{}{}:
	case <-time.After(10 * time.Second):
		t.Fatal("no poller waited for a tick in 10s")
	}
}

// createDeployment creates a sandbox Deployment of the demo payment
// connector with key; it starts Queued.
func createDeployment(t *testing.T, e *env, key string) *connectv1.Deployment {
	t.Helper()
	return createDeploymentOf(t, e, key, connectsim.DemoPaymentConnectorKey)
}

// createFailingDeployment creates a Deployment whose build fails: of a
// Connector published from the simulator's failing tag.
func createFailingDeployment(t *testing.T, e *env, key string) *connectv1.Deployment {
	t.Helper()
	staged := connectv1.NewConnectorStagedServiceClient(e.conn)
	draft := stagedDraft(key + "-connector")
	draft.Repository.Tag = connectsim.TagFailing
	cs, err := staged.CreateConnectorStaged(e.ctx(t), &connectv1.CreateConnectorStagedRequest{Draft: draft})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := staged.UpdateConnectorStaged(e.ctx(t), &connectv1.UpdateConnectorStagedRequest{
		Ref: &connectv1.UpdateConnectorStagedRequest_Id{Id: cs.GetConnectorStaged().GetId()}, Version: cs.GetConnectorStaged().GetVersion(),
		Actions: []*connectv1.ConnectorStagedUpdateAction{{Action: &connectv1.ConnectorStagedUpdateAction_Publish{
			Publish: &connectv1.ConnectorStagedPublishAction{Certification: false}}}},
	}); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(time.Minute) // published
	return createDeploymentOf(t, e, key, key+"-connector")
}

func createDeploymentOf(t *testing.T, e *env, key, connector string) *connectv1.Deployment {
	t.Helper()
	c := connectv1.NewDeploymentServiceClient(e.conn)
	res, err := c.CreateDeployment(e.ctx(t), &connectv1.CreateDeploymentRequest{ProjectKey: "demo", Draft: &connectv1.DeploymentDraft{
		Key:       proto.String(key),
		Type:      proto.String("sandbox"),
		Connector: &connectv1.ConnectorReference{Key: proto.String(connector)},
		Region:    "europe-west1.gcp",
		Configurations: []*connectv1.DeploymentConfigurationApplication{
			{ApplicationName: "processor", StandardConfiguration: []*connectv1.ConfigurationValue{{Key: "CTP_PROJECT_KEY", Value: "demo"}},
				SecuredConfiguration: []*connectv1.SecuredConfigurationValue{{Key: "CTP_CLIENT_SECRET", Value: "stream-secret"}}},
			{ApplicationName: "enabler"},
		},
	}})
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	return res.GetDeployment()
}

func watchByKey(key string) *connectv1.WatchDeploymentRequest {
	return &connectv1.WatchDeploymentRequest{ProjectKey: "demo", Ref: &connectv1.WatchDeploymentRequest_Key{Key: key}}
}

// recvStatus reads the next message of a watch and checks its status.
func recvStatus(t *testing.T, s grpc.ServerStreamingClient[connectv1.WatchDeploymentResponse], want string) *connectv1.WatchDeploymentResponse {
	t.Helper()
	m, err := s.Recv()
	if err != nil {
		t.Fatalf("Recv, waiting for %s: %v", want, err)
	}
	if got := m.GetDeployment().GetStatus(); got != want {
		t.Fatalf("status %s, want %s", got, want)
	}
	return m
}

// recvEnd reads the end of a stream: nil for OK, else the status error;
// a message instead fails the test.
func recvEnd[T any](t *testing.T, s grpc.ServerStreamingClient[T]) error {
	t.Helper()
	m, err := s.Recv()
	if err == nil {
		t.Fatalf("got %v, want the end of the stream", m)
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// errorInfo returns the ErrorInfo detail of st, or nil.
func errorInfo(st *status.Status) *errdetails.ErrorInfo {
	for _, d := range st.Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok {
			return ei
		}
	}
	return nil
}

// detailTypes names the detail types of st, in order.
func detailTypes(st *status.Status) []string {
	var out []string
	for _, d := range st.Proto().GetDetails() {
		out = append(out, d.GetTypeUrl())
	}
	return out
}
