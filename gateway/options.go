package gateway

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

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
)

// Options configure a [Gateway]. Only UpstreamURL is required.
type Options struct {
	// GRPCAddr and HTTPAddr are where the gRPC server and the HTTP server
	// (REST face, /healthz, /readyz, /metrics, /openapi.json) listen.
	// GRPCListener and HTTPListener, when set, are used instead.
	GRPCAddr, HTTPAddr         string
	GRPCListener, HTTPListener net.Listener

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
	// RetryBudget is shared by the process's upstream clients; nil gives the
	// gateway a budget of its own.
	RetryBudget *upstream.RetryBudget

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
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}
