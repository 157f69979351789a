package gateway

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// servicePackage is the proto package whose services the gateway serves.
const servicePackage protoreflect.FullName = "commercetools.connect.v1"

// Gateway is the gRPC server, the REST face and the upstream client, wired
// together. Make one with [New]; serve with [Gateway.Serve] or [Run].
type Gateway struct {
	opts     Options
	log      *slog.Logger
	routes   []*route
	upstream *upstream.Client
	metrics  *metrics
	grpc     *grpc.Server
	health   *health.Server
	http     *http.Server
	ready    atomic.Bool
	watches  watches
	readers  *bodyReaders
	streams  *streams
}

// Run builds a Gateway from opts and serves until ctx ends, then shuts down
// gracefully.
func Run(ctx context.Context, opts Options) error {
	g, err := New(opts)
	if err != nil {
		return err
	}
	return g.Serve(ctx)
}

// New builds a Gateway without listening.
func New(opts Options) (*Gateway, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &Gateway{opts: opts, log: opts.Logger, metrics: newMetrics()}
	if g.routes, err = loadRoutes(services()...); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	for _, r := range g.routes {
		for f := range numFaces {
			r.series[f] = g.metrics.seriesOf(r.fullMethod, f)
		}
	}
	var auth upstream.Auth = upstream.PassthroughAuth{}
	if opts.Auth == AuthClientCredentials {
		auth = opts.Credentials
	}
	upstreamTLS, err := clientTLS(opts.UpstreamTLS, opts.Logger)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g.upstream, err = upstream.New(upstream.Options{
		TLSConfig:        upstreamTLS,
		WrapTransport:    g.upstreamTracing,
		BaseURL:          opts.UpstreamURL,
		Auth:             auth,
		DefaultTimeout:   opts.DefaultTimeout,
		MaxRequestBytes:  opts.MaxRequestBytes,
		MaxResponseBytes: opts.MaxResponseBytes,
		MaxConcurrent:    opts.MaxConcurrentUpstream,
		RetryBudget:      opts.RetryBudget,
		Logger:           opts.Logger,
		Metrics:          upstreamMetrics{g.metrics},
	})
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if g.streams, err = g.newStreams(opts.Streams); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g.readers = newBodyReaders(cmp.Or(opts.MaxConcurrentUpstream, upstream.DefaultMaxConcurrent))
	if g.grpc, err = g.newGRPCServer(); err != nil {
		return nil, fmt.Errorf("gateway: gRPC listener: %w", err)
	}
	mux, err := g.newHTTPMux()
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g.http = &http.Server{
		Handler:           g.restTracing(mux),
		MaxHeaderBytes:    opts.MaxHeaderBytes,
		ReadHeaderTimeout: opts.ReadHeaderTimeout,
		IdleTimeout:       opts.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	if opts.HTTPTLS != nil {
		if g.http.TLSConfig, err = serverTLS(opts.HTTPTLS, []string{"h2", "http/1.1"}, opts.Logger); err != nil {
			return nil, fmt.Errorf("gateway: HTTP listener: %w", err)
		}
	}
	return g, nil
}

// services lists the services of the commercetools.connect.v1 package.
func services() []protoreflect.FullName {
	_ = connectv1.File_commercetools_connect_v1_connector_proto // registers the package
	var names []protoreflect.FullName
	protoregistry.GlobalFiles.RangeFilesByPackage(servicePackage, func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			names = append(names, fd.Services().Get(i).FullName())
		}
		return true
	})
	return names
}

func (g *Gateway) newGRPCServer() (*grpc.Server, error) {
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(int(g.opts.MaxRequestBytes)),
		grpc.MaxSendMsgSize(int(g.opts.MaxResponseBytes)),
		grpc.ChainStreamInterceptor(g.watches.intercept),
		grpc.ForceServerCodecV2(newServerCodec()),
		grpc.NumStreamWorkers(streamWorkers()),
		grpc.KeepaliveParams(keepalive.ServerParameters{
			MaxConnectionAge:      forever(g.opts.MaxConnectionAge),
			MaxConnectionAgeGrace: forever(g.opts.MaxConnectionAgeGrace),
			Time:                  g.opts.KeepaliveTime,
			Timeout:               g.opts.KeepaliveTimeout,
		}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime:             g.opts.KeepaliveMinTime,
			PermitWithoutStream: true,
		}),
		grpc.MaxConcurrentStreams(g.opts.MaxConcurrentStreams),
		grpc.StaticStreamWindowSize(streamWindow(g.opts.MaxRequestBytes)),
		grpc.StaticConnWindowSize(connWindow),
	}
	opts = append(opts, g.grpcTracing()...)
	if g.opts.GRPCTLS != nil {
		cfg, err := serverTLS(g.opts.GRPCTLS, []string{"h2"}, g.opts.Logger)
		if err != nil {
			return nil, err
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(cfg)))
	}
	s := grpc.NewServer(opts...)
	g.registerServices(s)
	g.health = health.NewServer()
	healthpb.RegisterHealthServer(s, g.health)
	if g.opts.Reflection {
		reflection.Register(s)
	}
	return s, nil
}

// streamWindow is the gRPC server's flow-control window per stream: room
// for the largest request message the gateway accepts (its length prefix
// included), at least HTTP/2's default of 64 KiB. A request is never held
// up by flow control, so a dynamic window has nothing to win, and grpc-go's
// dynamic window (bandwidth-delay estimation) pings the client after data on
// every call it wins nothing from: a PING and its acknowledgement each way,
// frames and wake-ups that a window fixed from the start saves.
func streamWindow(maxRequest int64) int32 {
	const frame = 5 // a gRPC message's length prefix
	return int32(min(max(maxRequest+frame, 64<<10), math.MaxInt32))
}

// connWindow is the gRPC server's flow-control window per connection: what
// a client may send ahead of the gateway reading it, over all its streams.
// grpc-go's dynamic window can grow to 16 MiB; a fixed 4 MiB holds four
// requests of the default largest size in flight, and bounds the memory a
// client that sends without the gateway reading can hold.
const connWindow = 4 << 20

// forever turns a negative duration (off) into grpc-go's "infinity".
func forever(d time.Duration) time.Duration {
	if d < 0 {
		return time.Duration(math.MaxInt64)
	}
	return d
}

// streamWorkers is the number of goroutines that serve gRPC calls, reused
// from call to call: a call's goroutine grows its stack to make the
// upstream HTTP call, and a goroutine per call paid for that growth every
// time (runtime.newstack was 3.6 % of all CPU samples on the benchmark's
// get, 0.85 % with workers). Calls beyond them get a goroutine of their
// own, as without workers.
func streamWorkers() uint32 { return uint32(max(16, 4*runtime.GOMAXPROCS(0))) }

// GRPCServer returns the gRPC server, to serve on a listener of the caller's.
func (g *Gateway) GRPCServer() *grpc.Server { return g.grpc }

// HTTPHandler returns the HTTP face: the REST routes, /healthz, /readyz and /metrics.
func (g *Gateway) HTTPHandler() http.Handler { return g.http.Handler }

// Serve listens on the configured addresses (or listeners) and serves until
// ctx ends. Then it turns health to NOT_SERVING, refuses new calls, lets
// in-flight calls finish for up to DrainTimeout, and returns.
func (g *Gateway) Serve(ctx context.Context) error {
	gl, hl, err := g.listeners()
	if err != nil {
		return err
	}
	errc := make(chan error, 2)
	go func() { errc <- g.grpc.Serve(gl) }()
	go func() {
		serve := g.http.Serve
		if g.http.TLSConfig != nil {
			serve = func(l net.Listener) error { return g.http.ServeTLS(l, "", "") }
		}
		if err := serve(hl); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
			return
		}
		errc <- nil
	}()
	g.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	g.ready.Store(true)
	g.log.Info("connect-gateway serving", "grpc", gl.Addr().String(), "http", hl.Addr().String(),
		"grpc_tls", tlsMode(g.opts.GRPCTLS), "http_tls", tlsMode(g.opts.HTTPTLS),
		"upstream", g.opts.UpstreamURL, "auth", g.opts.Auth)

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	g.shutdown()
	if serveErr != nil {
		return fmt.Errorf("gateway: %w", serveErr)
	}
	return nil
}

func (g *Gateway) listeners() (net.Listener, net.Listener, error) {
	gl, hl := g.opts.GRPCListener, g.opts.HTTPListener
	var err error
	if gl == nil {
		if gl, err = net.Listen("tcp", g.opts.GRPCAddr); err != nil {
			return nil, nil, fmt.Errorf("gateway: gRPC listener: %w", err)
		}
	}
	if hl == nil {
		if hl, err = net.Listen("tcp", g.opts.HTTPAddr); err != nil {
			gl.Close()
			return nil, nil, fmt.Errorf("gateway: HTTP listener: %w", err)
		}
	}
	return gl, hl, nil
}

// shutdown drains both servers within DrainTimeout.
func (g *Gateway) shutdown() {
	g.ready.Store(false)
	g.watches.drain(g.health.Shutdown) // NOT_SERVING first, so balancers stop sending
	g.streams.close()                  // server streams end UNAVAILABLE: callers reconnect elsewhere
	g.log.Info("connect-gateway draining", "timeout", g.opts.DrainTimeout)
	// Stop waiting a little before the drain timeout, so that forcing the
	// last calls closed and exiting also fit in it.
	ctx, cancel := context.WithTimeout(context.Background(), g.opts.DrainTimeout-drainMargin(g.opts.DrainTimeout))
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = g.http.Shutdown(ctx)
	}()
	stopped := make(chan struct{})
	go func() {
		g.grpc.GracefulStop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-ctx.Done():
		g.log.Warn("connect-gateway drain timeout: stopping in-flight calls")
		g.grpc.Stop()
		_ = g.http.Close()
	}
	<-done
	g.log.Info("connect-gateway stopped")
}

// drainMargin is the part of the drain timeout kept for stopping: 5 %, at
// most 250 ms.
func drainMargin(timeout time.Duration) time.Duration {
	return min(timeout/20, 250*time.Millisecond)
}
