package gateway

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/connect-gateway/connect-gateway/gateway/watch"
	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// Defaults of [StreamOptions].
const (
	DefaultStreamPollInterval = time.Second
	DefaultStreamIdleInterval = 15 * time.Second
	DefaultStreamLogBuffer    = 10_000
)

// StreamOptions configure the server streams (WatchDeployment,
// TailDeploymentLogs), which poll the upstream once per gateway for all
// their callers. Zero fields take the defaults.
type StreamOptions struct {
	// PollInterval is the wait between polls while the polled resource
	// changes; IdleInterval bounds the wait, which doubles after each poll
	// that saw no change. Each wait is spread over ±20% (jitter).
	PollInterval, IdleInterval time.Duration
	// LogBuffer is how many log entries a tail may fall behind before it
	// ends with RESOURCE_EXHAUSTED (STREAM_OVERFLOW).
	LogBuffer int

	// sleep replaces the pollers' timer in tests.
	sleep func(ctx context.Context, d time.Duration) error
}

// streamJitter spreads polling waits over ±20%.
const streamJitter = 0.2

// maxStreamFailures bounds the failed polls in a row that a poller retries.
const maxStreamFailures = 5

// maxLogPagesPerPoll bounds the log pages one poll reads while catching up;
// the next poll continues after MinInterval.
const maxLogPagesPerPoll = 20

// maxLogEntriesPerMessage bounds the entries of one TailDeploymentLogs
// message.
const maxLogEntriesPerMessage = 100

// streamKey names what a poller polls and with whose authority: callers
// share a poller only when every field is equal.
type streamKey struct {
	project, ref string
	// credential is a keyed hash of the caller's bearer token under
	// passthrough auth, so that a poll never uses one caller's token for
	// another caller's stream; "" when the gateway holds the credentials.
	credential string
	// The log tail's start point and end; zero for watches.
	application, startDate, pageToken string
	endWhenTerminal                   bool
}

// watchEvent is one state of a watched Deployment.
type watchEvent struct {
	deployment *connectv1.Deployment
	deleted    bool
}

// logEvent is one log entry; cursor is Connect's cursor after it, set on
// the last entry of a page that had one.
type logEvent struct {
	entry  *connectv1.DeploymentLog
	cursor string
}

// streams are the pollers of the server streams and the unary routes they
// poll through, so that a poll is built, authorised, retried, translated and
// scrubbed exactly as the unary call would be.
type streams struct {
	watches *watch.Hub[streamKey, watchEvent]
	tails   *watch.Hub[streamKey, logEvent]
	// get and logs are the GetDeployment and GetDeploymentLogs routes.
	get, logs *route
	// watchRoute and tailRoute name the streaming methods for logs and
	// metrics.
	watchRoute, tailRoute *route
	salt                  []byte
}

var (
	watchMethod = connectv1.DeploymentService_WatchDeployment_FullMethodName
	tailMethod  = connectv1.DeploymentService_TailDeploymentLogs_FullMethodName
)

// newStreams makes the pollers. Every streaming method of the served
// services must have a handler here.
func (g *Gateway) newStreams(o StreamOptions) (*streams, error) {
	s := &streams{salt: make([]byte, 32)}
	if _, err := rand.Read(s.salt); err != nil {
		return nil, fmt.Errorf("streams: %w", err)
	}
	for _, r := range g.routes {
		switch r.fullMethod {
		case connectv1.DeploymentService_GetDeployment_FullMethodName:
			s.get = r
		case connectv1.DeploymentService_GetDeploymentLogs_FullMethodName:
			s.logs = r
		}
	}
	if s.get == nil || s.logs == nil {
		return nil, errors.New("streams: the GetDeployment and GetDeploymentLogs routes are missing")
	}
	for _, name := range services() {
		d, _ := protoregistry.GlobalFiles.FindDescriptorByName(name)
		methods := d.(protoreflect.ServiceDescriptor).Methods()
		for i := range methods.Len() {
			md := methods.Get(i)
			if !md.IsStreamingClient() && !md.IsStreamingServer() {
				continue
			}
			r := &route{fullMethod: "/" + string(name) + "/" + string(md.Name()), desc: md}
			r.series[faceGRPC] = g.metrics.seriesOf(r.fullMethod, faceGRPC)
			switch r.fullMethod {
			case watchMethod:
				s.watchRoute = r
			case tailMethod:
				s.tailRoute = r
			default:
				return nil, fmt.Errorf("streams: no handler for the streaming method %s", md.FullName())
			}
		}
	}
	o.PollInterval = cmpOr(o.PollInterval, DefaultStreamPollInterval)
	o.IdleInterval = cmpOr(o.IdleInterval, DefaultStreamIdleInterval)
	o.LogBuffer = cmpOr(o.LogBuffer, DefaultStreamLogBuffer)
	budget := g.upstream.RetryBudget()
	cfg := watch.Config{
		MinInterval: o.PollInterval,
		MaxInterval: max(o.IdleInterval, o.PollInterval),
		Jitter:      streamJitter,
		PollTimeout: g.opts.DefaultTimeout,
		Transient:   transientPollError,
		AllowRetry:  budget.Withdraw,
		MaxFailures: maxStreamFailures,
		Sleep:       o.sleep,
	}
	wcfg := cfg
	wcfg.Retain, wcfg.Coalesce = 1, true // states supersede: a slow watcher gets the latest
	s.watches = watch.NewHub[streamKey, watchEvent](wcfg)
	lcfg := cfg
	lcfg.Retain = o.LogBuffer // every entry counts: a tail further behind ends
	s.tails = watch.NewHub[streamKey, logEvent](lcfg)
	g.metrics.registry.MustRegister(
		hubGauge("connect_gateway_stream_pollers", "Upstream pollers running for server streams, by gRPC method.", watchMethod, func() float64 { return float64(s.watches.Stats().Pollers) }),
		hubGauge("connect_gateway_stream_pollers", "Upstream pollers running for server streams, by gRPC method.", tailMethod, func() float64 { return float64(s.tails.Stats().Pollers) }),
		hubGauge("connect_gateway_stream_subscribers", "Server streams attached to a poller, by gRPC method.", watchMethod, func() float64 { return float64(s.watches.Stats().Subscribers) }),
		hubGauge("connect_gateway_stream_subscribers", "Server streams attached to a poller, by gRPC method.", tailMethod, func() float64 { return float64(s.tails.Stats().Subscribers) }),
	)
	return s, nil
}

func hubGauge(name, help, method string, f func() float64) prometheus.GaugeFunc {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: prometheus.Labels{"method": method}}, f)
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// close ends every stream with UNAVAILABLE (SHUTTING_DOWN), so that a
// graceful stop is not held by streams that would otherwise run until
// their callers end them.
func (s *streams) close() {
	s.watches.Close()
	s.tails.Close()
}

// transientPollError reports whether a failed poll may be retried by the
// poller: the upstream was unreachable, overloaded or slow, as opposed to
// an answer that will not change by asking again.
func transientPollError(err error) bool {
	switch codeOf(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
		return true
	}
	return false
}

// registerStreams adds the streaming methods to the service descriptions
// that registerServices built from the routes.
func (g *Gateway) registerStreams(descs map[string]*grpc.ServiceDesc) {
	for _, r := range []*route{g.streams.watchRoute, g.streams.tailRoute} {
		handler := g.serveWatch
		if r == g.streams.tailRoute {
			handler = g.serveTail
		}
		desc := descs[string(r.desc.Parent().FullName())]
		desc.Streams = append(desc.Streams, grpc.StreamDesc{
			StreamName:    string(r.desc.Name()),
			Handler:       func(_ any, ss grpc.ServerStream) error { return handler(ss) },
			ServerStreams: true,
		})
	}
}

// serveStream runs one server stream: it reads the request, sets the
// correlation id header, runs body, and logs and counts the call as a unary
// call is. The stream's error is what body returns, with the ends of the
// caller's context as CANCELLED or DEADLINE_EXCEEDED.
func (g *Gateway) serveStream(ss grpc.ServerStream, r *route, req proto.Message, body func(ctx context.Context, in callIn) error) error {
	start := time.Now()
	ctx := ss.Context()
	in := callIn{
		face:          faceGRPC,
		correlationID: correlationID(first(ctx, "x-correlation-id")),
		bearer:        bearerToken(first(ctx, "authorization")),
	}
	_ = ss.SetHeader(metadata.MD{"x-correlation-id": {in.correlationID}})
	err := ss.RecvMsg(req)
	if err == nil {
		err = body(ctx, in)
	}
	if ctx.Err() != nil && (err == nil || errors.Is(err, ctx.Err())) {
		err = status.FromContextError(ctx.Err()).Err()
	}
	var out callOut
	err = g.scrubCall(err, &out, in, req)
	g.finish(ctx, r, in, out, err, start)
	return grpcError(ctx, err) // the status marshalled once, as a unary call's
}

// subscriptionEnd turns the end of a subscription into the stream's error:
// nil after a terminal state, the poll's status (as the unary call would
// return it), or a status of the gateway's own.
func subscriptionEnd(err error, target translate.Target) error {
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case errors.Is(err, watch.ErrOverflow):
		return translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_STREAM_OVERFLOW,
			"the stream fell further behind than its buffer allows; resume with the next_page_token of the last message read", target, nil)
	case errors.Is(err, watch.ErrClosed):
		return translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_SHUTTING_DOWN,
			"the gateway is shutting down; call again", target, nil)
	}
	return err
}

// keyFor returns the poller key of a stream addressed by project and ref,
// called with in's credentials.
func (g *Gateway) keyFor(in callIn, project, id, key string) streamKey {
	k := streamKey{project: project, ref: "id:" + id}
	if key != "" {
		k.ref = "key:" + key
	}
	if g.opts.Auth == AuthPassthrough {
		mac := hmac.New(sha256.New, g.streams.salt)
		mac.Write([]byte(in.bearer))
		k.credential = hex.EncodeToString(mac.Sum(nil))
	}
	return k
}

// poll makes one upstream call of route r for a poller, with the bearer of
// the callers it polls for and a correlation id of its own.
func (g *Gateway) poll(ctx context.Context, r *route, req proto.Message, bearer string) (proto.Message, error) {
	in := callIn{face: faceGRPC, bearer: bearer, correlationID: correlationID("")}
	resp, out, err := g.invoke(ctx, r, req, in)
	return resp, g.scrubCall(err, &out, in, req)
}

// isTerminal reports whether a Deployment status ends a watch.
func isTerminal(status string) bool {
	switch status {
	case "Deployed", "Failed", "UndeployFailed":
		return true
	}
	return false
}

// isNotFound reports whether err is the upstream's ResourceNotFound.
func isNotFound(err error) bool {
	te, ok := errors.AsType[*translate.Error](err)
	return ok && te.Code() == codes.NotFound && te.Parts().Label == "ResourceNotFound"
}
