package main

import (
	"time"

	"github.com/connect-gateway/connect-gateway/gateway"
)

// serving is the command line of how the servers treat connections: the
// HTTP server's timeouts and the gRPC connection lifecycle.
type serving struct {
	readHeaderTimeout, bodyTimeout, idleTimeout time.Duration
	maxConnAge, maxConnAgeGrace                 time.Duration
	keepaliveTime, keepaliveTimeout             time.Duration
	keepaliveMinTime                            time.Duration
	maxConcurrentStreams                        int

	grpcTLS, httpTLS gateway.TLSFiles
	upstreamTLS      gateway.UpstreamTLS
}

func (s *serving) register(f *envFlags) {
	f.Duration(&s.readHeaderTimeout, "http-read-header-timeout", "GATEWAY_HTTP_READ_HEADER_TIMEOUT", gateway.DefaultReadHeaderTimeout, "how long a REST client may take to send a request header")
	f.Duration(&s.bodyTimeout, "http-body-timeout", "GATEWAY_HTTP_BODY_TIMEOUT", gateway.DefaultBodyTimeout, "how long a REST client may take to send a request body")
	f.Duration(&s.idleTimeout, "http-idle-timeout", "GATEWAY_HTTP_IDLE_TIMEOUT", gateway.DefaultIdleTimeout, "how long an idle keep-alive HTTP connection is kept")
	f.Duration(&s.maxConnAge, "grpc-max-connection-age", "GATEWAY_GRPC_MAX_CONNECTION_AGE", gateway.DefaultMaxConnectionAge, "how long a gRPC connection lives before its client is asked to reconnect (±10 %; negative: forever)")
	f.Duration(&s.maxConnAgeGrace, "grpc-max-connection-age-grace", "GATEWAY_GRPC_MAX_CONNECTION_AGE_GRACE", gateway.DefaultMaxConnectionAgeGrace, "how long the calls of a connection past its age may finish (negative: forever)")
	f.Duration(&s.keepaliveTime, "grpc-keepalive-time", "GATEWAY_GRPC_KEEPALIVE_TIME", gateway.DefaultKeepaliveTime, "silence after which the server pings a gRPC connection")
	f.Duration(&s.keepaliveTimeout, "grpc-keepalive-timeout", "GATEWAY_GRPC_KEEPALIVE_TIMEOUT", gateway.DefaultKeepaliveTimeout, "how long the server waits for a ping's ack before closing the connection")
	f.Duration(&s.keepaliveMinTime, "grpc-keepalive-min-time", "GATEWAY_GRPC_KEEPALIVE_MIN_TIME", gateway.DefaultKeepaliveMinTime, "shortest ping interval a client may use before it is disconnected")
	f.String(&s.grpcTLS.CertFile, "grpc-tls-cert", "GATEWAY_GRPC_TLS_CERT", "", "PEM certificate chain: serve TLS on the gRPC listener (reloaded when the file changes; plain text without)")
	f.String(&s.grpcTLS.KeyFile, "grpc-tls-key", "GATEWAY_GRPC_TLS_KEY", "", "PEM private key of --grpc-tls-cert")
	f.String(&s.grpcTLS.ClientCAFile, "grpc-tls-client-ca", "GATEWAY_GRPC_TLS_CLIENT_CA", "", "PEM CA bundle: require client certificates it signed on the gRPC listener (mutual TLS)")
	f.String(&s.httpTLS.CertFile, "http-tls-cert", "GATEWAY_HTTP_TLS_CERT", "", "PEM certificate chain: serve TLS on the HTTP listener (reloaded when the file changes; plain text without)")
	f.String(&s.httpTLS.KeyFile, "http-tls-key", "GATEWAY_HTTP_TLS_KEY", "", "PEM private key of --http-tls-cert")
	f.String(&s.httpTLS.ClientCAFile, "http-tls-client-ca", "GATEWAY_HTTP_TLS_CLIENT_CA", "", "PEM CA bundle: require client certificates it signed on the HTTP listener (mutual TLS)")
	f.String(&s.upstreamTLS.CAFile, "upstream-ca", "GATEWAY_UPSTREAM_CA", "", "PEM CA bundle the upstream's certificate must chain to, instead of the system's roots")
	f.String(&s.upstreamTLS.CertFile, "upstream-client-cert", "GATEWAY_UPSTREAM_CLIENT_CERT", "", "PEM client certificate presented to the upstream (reloaded when the file changes)")
	f.String(&s.upstreamTLS.KeyFile, "upstream-client-key", "GATEWAY_UPSTREAM_CLIENT_KEY", "", "PEM private key of --upstream-client-cert")
	f.Int(&s.maxConcurrentStreams, "grpc-max-concurrent-streams", "GATEWAY_GRPC_MAX_CONCURRENT_STREAMS", gateway.DefaultMaxConcurrentStreams, "calls in flight on one gRPC connection")
}

func (s *serving) apply(o *gateway.Options) {
	o.ReadHeaderTimeout, o.BodyTimeout, o.IdleTimeout = s.readHeaderTimeout, s.bodyTimeout, s.idleTimeout
	o.MaxConnectionAge, o.MaxConnectionAgeGrace = s.maxConnAge, s.maxConnAgeGrace
	o.KeepaliveTime, o.KeepaliveTimeout, o.KeepaliveMinTime = s.keepaliveTime, s.keepaliveTimeout, s.keepaliveMinTime
	o.MaxConcurrentStreams = uint32(max(0, s.maxConcurrentStreams))
	o.GRPCTLS, o.HTTPTLS = tlsFiles(s.grpcTLS), tlsFiles(s.httpTLS)
	o.UpstreamTLS = s.upstreamTLS
}

// tlsFiles is nil (plain text) when no file is named.
func tlsFiles(f gateway.TLSFiles) *gateway.TLSFiles {
	if f == (gateway.TLSFiles{}) {
		return nil
	}
	return &f
}
