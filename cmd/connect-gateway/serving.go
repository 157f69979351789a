package main

import (
	"strings"
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
	for _, l := range []struct {
		name  string
		files *gateway.TLSFiles
	}{{"grpc", &s.grpcTLS}, {"http", &s.httpTLS}} {
		env := "GATEWAY_" + strings.ToUpper(l.name) + "_TLS_"
		f.String(&l.files.CertFile, l.name+"-tls-cert", env+"CERT", "", "PEM certificate chain: serve TLS on the "+l.name+" listener (reloaded when the file changes; plain text without)")
		f.String(&l.files.KeyFile, l.name+"-tls-key", env+"KEY", "", "PEM private key of --"+l.name+"-tls-cert")
		f.String(&l.files.ClientCAFile, l.name+"-tls-client-ca", env+"CLIENT_CA", "", "PEM CA bundle: require client certificates it signed on the "+l.name+" listener (mutual TLS)")
	}
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
