package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/connect-gateway/connect-gateway/gateway"
	"github.com/connect-gateway/connect-gateway/gateway/upstream"
)

// Token is the bearer token every client of the rig sends. The fixed
// upstream does not check it; the gateway forwards it (passthrough auth).
const Token = "bench-token"

// Options configure a [Rig].
type Options struct {
	// Bodies are the upstream's answers; zero means [CaptureBodies].
	Bodies Bodies
	// UpstreamDelay delays every upstream answer: the slow upstream of the
	// in-flight measurement. Zero answers at once.
	UpstreamDelay time.Duration
	// MaxConcurrentUpstream is the gateway's cap on upstream calls in
	// flight, and sizes vanguard's proxy transport the same way. Zero
	// means the gateway's default.
	MaxConcurrentUpstream int
	// ClientConns sizes the idle pool of the rig's HTTP clients (direct and
	// REST). Zero means 256.
	ClientConns int
	// Logger is the gateway's logger. Nil discards, as vanguard logs
	// nothing either.
	Logger *slog.Logger
}

// Rig is the fixed upstream, the floor gRPC server, the gateway and
// vanguard, all on loopback, with one client for each. Make one with
// [Start]; Close it when done.
type Rig struct {
	// Bodies are what the upstream answers.
	Bodies Bodies
	// UpstreamURL, GatewayURL are base URLs; FloorAddr, GatewayAddr and
	// VanguardAddr are host:port of gRPC servers.
	UpstreamURL, GatewayURL              string
	FloorAddr, GatewayAddr, VanguardAddr string

	upstream *httptest.Server
	fixed    *fixedUpstream
	clients  clients
	closers  []func() error // run in reverse order by Close
}

// Start starts every server of the rig and dials them. On error, whatever
// was started is stopped.
func Start(ctx context.Context, opts Options) (_ *Rig, err error) {
	r := &Rig{Bodies: opts.Bodies}
	defer func() {
		if err != nil {
			_ = r.Close()
		}
	}()
	if r.Bodies.ID == "" {
		if r.Bodies, err = CaptureBodies(ctx); err != nil {
			return nil, err
		}
	}
	maxConns := opts.MaxConcurrentUpstream
	if maxConns <= 0 {
		maxConns = upstream.DefaultMaxConcurrent
	}
	r.fixed = newFixedUpstream(r.Bodies, opts.UpstreamDelay)
	r.upstream = httptest.NewServer(r.fixed)
	r.UpstreamURL = r.upstream.URL
	r.onClose(func() error { r.upstream.Close(); return nil })

	if err := r.startFloor(); err != nil {
		return nil, err
	}
	if err := r.startGateway(opts, maxConns); err != nil {
		return nil, err
	}
	if err := r.startVanguard(maxConns); err != nil {
		return nil, err
	}
	if r.clients, err = dial(r, opts.ClientConns); err != nil {
		return nil, err
	}
	r.onClose(r.clients.close)
	return r, nil
}

// Close stops the clients and the servers, most recent first.
func (r *Rig) Close() error {
	var errs []error
	for i := len(r.closers) - 1; i >= 0; i-- {
		errs = append(errs, r.closers[i]())
	}
	r.closers = nil
	return errors.Join(errs...)
}

// CloseUpstreamConnections closes every connection to the upstream, idle
// keep-alive ones included, so that goroutines parked on them end.
func (r *Rig) CloseUpstreamConnections() { r.upstream.CloseClientConnections() }

// WaitUpstreamInFlight returns when the upstream is serving at least n
// requests at once, or when ctx ends.
func (r *Rig) WaitUpstreamInFlight(ctx context.Context, n int) error {
	return r.fixed.inFlight.wait(ctx, int64(n))
}

// HoldUpstream makes the upstream hold every request it gets from now on,
// until [Rig.ReleaseUpstream].
func (r *Rig) HoldUpstream() {
	gate := make(chan struct{})
	r.fixed.gate.Store(&gate)
}

// ReleaseUpstream lets the requests held since [Rig.HoldUpstream] be
// answered, and stops holding new ones.
func (r *Rig) ReleaseUpstream() {
	if g := r.fixed.gate.Swap(nil); g != nil {
		close(*g)
	}
}

func (r *Rig) onClose(f func() error) { r.closers = append(r.closers, f) }

// listen listens on a free loopback port.
func listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: listen: %w", err)
	}
	return ln, nil
}

// startFloor serves Health and the fixed ConnectorStagedService.
func (r *Rig) startFloor() error {
	ln, err := listen()
	if err != nil {
		return err
	}
	static, err := newStaticServer(r.Bodies)
	if err != nil {
		ln.Close()
		return err
	}
	s := grpc.NewServer()
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, hs)
	registerStatic(s, static)
	go func() { _ = s.Serve(ln) }()
	r.FloorAddr = ln.Addr().String()
	r.onClose(func() error { s.Stop(); return nil })
	return nil
}

// startGateway serves the gateway on two loopback listeners.
func (r *Rig) startGateway(opts Options, maxConns int) error {
	gl, err := listen()
	if err != nil {
		return err
	}
	hl, err := listen()
	if err != nil {
		gl.Close()
		return err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	g, err := gateway.New(gateway.Options{
		GRPCListener:          gl,
		HTTPListener:          hl,
		UpstreamURL:           r.UpstreamURL,
		DrainTimeout:          2 * time.Second,
		MaxConcurrentUpstream: maxConns,
		// The benchmark's one client connection carries every call in
		// flight (BenchmarkInFlight: 1,000).
		MaxConcurrentStreams: uint32(max(maxConns, gateway.DefaultMaxConcurrentStreams)),
		Logger:               logger,
	})
	if err != nil {
		gl.Close()
		hl.Close()
		return fmt.Errorf("bench: gateway: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Serve(ctx) }()
	r.GatewayAddr = gl.Addr().String()
	r.GatewayURL = "http://" + hl.Addr().String()
	r.onClose(func() error {
		cancel()
		return <-done
	})
	return nil
}

// clients are the rig's clients, shared by every call: one gRPC connection
// per server (HTTP/2 multiplexes the calls) and one HTTP/1.1 client.
type clients struct {
	http                     *http.Client
	floor, gateway, vanguard *grpc.ClientConn
}

func dial(r *Rig, conns int) (clients, error) {
	if conns <= 0 {
		conns = 256
	}
	c := clients{http: &http.Client{Transport: upstream.NewTransport(conns)}}
	var err error
	for _, d := range []struct {
		addr string
		cc   **grpc.ClientConn
	}{{r.FloorAddr, &c.floor}, {r.GatewayAddr, &c.gateway}, {r.VanguardAddr, &c.vanguard}} {
		if *d.cc, err = grpc.NewClient(d.addr, grpc.WithTransportCredentials(insecure.NewCredentials())); err != nil {
			_ = c.close()
			return clients{}, fmt.Errorf("bench: dial %s: %w", d.addr, err)
		}
	}
	return c, nil
}

func (c clients) close() error {
	if c.http != nil {
		c.http.CloseIdleConnections()
	}
	var errs []error
	for _, cc := range []*grpc.ClientConn{c.floor, c.gateway, c.vanguard} {
		if cc != nil {
			errs = append(errs, cc.Close())
		}
	}
	return errors.Join(errs...)
}
