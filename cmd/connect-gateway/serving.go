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
	f.Int(&s.maxConcurrentStreams, "grpc-max-concurrent-streams", "GATEWAY_GRPC_MAX_CONCURRENT_STREAMS", gateway.DefaultMaxConcurrentStreams, "calls in flight on one gRPC connection")
}

func (s *serving) apply(o *gateway.Options) {
	o.ReadHeaderTimeout, o.BodyTimeout, o.IdleTimeout = s.readHeaderTimeout, s.bodyTimeout, s.idleTimeout
	o.MaxConnectionAge, o.MaxConnectionAgeGrace = s.maxConnAge, s.maxConnAgeGrace
	o.KeepaliveTime, o.KeepaliveTimeout, o.KeepaliveMinTime = s.keepaliveTime, s.keepaliveTimeout, s.keepaliveMinTime
	o.MaxConcurrentStreams = uint32(max(0, s.maxConcurrentStreams))
}
