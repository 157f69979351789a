package gateway

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/connect-gateway/connect-gateway/gateway/upstream"
)

// Auth modes of [Options.Auth].
const (
	// AuthPassthrough forwards each caller's bearer token.
	AuthPassthrough = "passthrough"
	// AuthClientCredentials makes the gateway hold an API client and fetch,
	// cache and refresh its token.
	AuthClientCredentials = "client-credentials"
)

// Defaults of [Options].
const (
	DefaultGRPCAddr         = ":9090"
	DefaultHTTPAddr         = ":8080"
	DefaultDrainTimeout     = 15 * time.Second
	DefaultMaxRequestBytes  = upstream.DefaultMaxRequestBytes
	DefaultMaxResponseBytes = upstream.DefaultMaxResponseBytes
	DefaultMaxHeaderBytes   = 64 << 10

	// HTTP server timeouts; docs/deployment.md says why these values.
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultBodyTimeout       = 10 * time.Second
	DefaultIdleTimeout       = 120 * time.Second

	// gRPC connection lifecycle; docs/deployment.md says why these values.
	DefaultMaxConnectionAge      = 5 * time.Minute
	DefaultMaxConnectionAgeGrace = 30 * time.Second
	DefaultKeepaliveTime         = 2 * time.Minute
	DefaultKeepaliveTimeout      = 20 * time.Second
	DefaultKeepaliveMinTime      = 10 * time.Second
	DefaultMaxConcurrentStreams  = 100
)

// Options configure a [Gateway]. Only UpstreamURL is required.
type Options struct {
	// GRPCAddr and HTTPAddr are where the gRPC server and the HTTP server
	// (REST face, /healthz, /readyz, /metrics, /openapi.json) listen.
	// GRPCListener and HTTPListener, when set, are used instead.
	GRPCAddr, HTTPAddr         string
	GRPCListener, HTTPListener net.Listener

	// GRPCTLS and HTTPTLS, when set, serve TLS (mutual TLS with a client
	// CA) on the gRPC and HTTP listeners; each is plain text without.
	GRPCTLS, HTTPTLS *TLSFiles
	// UpstreamTLS sets a CA bundle and a client certificate for the
	// upstream connections.
	UpstreamTLS UpstreamTLS

	// UpstreamURL is the Connect API's base URL.
	UpstreamURL string
	// Auth is AuthPassthrough (the default) or AuthClientCredentials.
	Auth string
	// Credentials is the API client for AuthClientCredentials.
	Credentials *upstream.ClientCredentials

	// Reflection turns on gRPC server reflection.
	Reflection bool
	// DrainTimeout bounds graceful shutdown: in-flight calls get this long
	// to finish after the health status turns NOT_SERVING.
	DrainTimeout time.Duration
	// DefaultTimeout bounds a call whose caller sets no deadline.
	DefaultTimeout time.Duration
	// MaxRequestBytes and MaxResponseBytes bound request and upstream
	// response bodies; MaxHeaderBytes bounds REST request headers.
	MaxRequestBytes, MaxResponseBytes int64
	MaxHeaderBytes                    int
	// MaxConcurrentUpstream caps upstream calls in flight; calls over it
	// fail fast with UNAVAILABLE.
	MaxConcurrentUpstream int
	// ReadHeaderTimeout bounds reading a REST request's header,
	// BodyTimeout reading its body (from the first byte the handler asks
	// for to the last), and IdleTimeout how long a keep-alive connection
	// may wait for its next request before it is closed.
	ReadHeaderTimeout, BodyTimeout, IdleTimeout time.Duration

	// MaxConnectionAge is how long a gRPC connection lives before the
	// server asks the client to reconnect (GOAWAY), plus or minus 10 %, so
	// that a client spreads over replicas added since it connected;
	// MaxConnectionAgeGrace is how long its calls then get to finish. A
	// negative value turns either off.
	MaxConnectionAge, MaxConnectionAgeGrace time.Duration
	// KeepaliveTime is how long a gRPC connection may be silent before the
	// server pings it, and KeepaliveTimeout how long it waits for the ack
	// before closing it. KeepaliveMinTime is the shortest interval at
	// which a client may ping; a client pinging faster is disconnected
	// (GOAWAY too_many_pings).
	KeepaliveTime, KeepaliveTimeout, KeepaliveMinTime time.Duration
	// MaxConcurrentStreams caps the calls in flight on one gRPC connection.
	MaxConcurrentStreams uint32

	// RetryBudget is shared by the process's upstream clients; nil gives the
	// gateway a budget of its own.
	RetryBudget *upstream.RetryBudget

	// TracerProvider makes a span per call and per upstream attempt; nil
	// makes none. W3C trace context (traceparent, tracestate, baggage) is
	// forwarded to the upstream either way.
	TracerProvider trace.TracerProvider

	// Streams configure the server streams' shared pollers.
	Streams StreamOptions

	// Logger receives one line per call. Default: slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.UpstreamURL == "" {
		return o, errors.New("gateway: Options.UpstreamURL is required")
	}
	if o.GRPCAddr == "" {
		o.GRPCAddr = DefaultGRPCAddr
	}
	if o.HTTPAddr == "" {
		o.HTTPAddr = DefaultHTTPAddr
	}
	switch o.Auth {
	case "":
		o.Auth = AuthPassthrough
	case AuthPassthrough:
	case AuthClientCredentials:
		if o.Credentials == nil {
			return o, errors.New("gateway: client-credentials auth needs Options.Credentials")
		}
	default:
		return o, fmt.Errorf("gateway: unknown auth mode %q (want %s or %s)", o.Auth, AuthPassthrough, AuthClientCredentials)
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = DefaultDrainTimeout
	}
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if o.DefaultTimeout <= 0 {
		o.DefaultTimeout = upstream.DefaultTimeout
	}
	o.ReadHeaderTimeout = cmp.Or(o.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	o.BodyTimeout = cmp.Or(o.BodyTimeout, DefaultBodyTimeout)
	o.IdleTimeout = cmp.Or(o.IdleTimeout, DefaultIdleTimeout)
	o.MaxConnectionAge = cmp.Or(o.MaxConnectionAge, DefaultMaxConnectionAge)
	o.MaxConnectionAgeGrace = cmp.Or(o.MaxConnectionAgeGrace, DefaultMaxConnectionAgeGrace)
	o.KeepaliveTime = cmp.Or(o.KeepaliveTime, DefaultKeepaliveTime)
	o.KeepaliveTimeout = cmp.Or(o.KeepaliveTimeout, DefaultKeepaliveTimeout)
	o.KeepaliveMinTime = cmp.Or(o.KeepaliveMinTime, DefaultKeepaliveMinTime)
	o.MaxConcurrentStreams = cmp.Or(o.MaxConcurrentStreams, DefaultMaxConcurrentStreams)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}
