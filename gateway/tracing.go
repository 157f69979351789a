package gateway

import (
	"context"
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/connect-gateway/connect-gateway/translate"
)

// Span attributes of a call, besides those of the gRPC and HTTP
// instrumentation. None holds a token, a body or a configuration value.
const (
	// AttrConnectCode is the failed call's label: the Connect error code
	// of the upstream's answer ("ConcurrentModification") or the reason
	// of an error the gateway made ("UPSTREAM_TIMEOUT").
	AttrConnectCode = attribute.Key("connect.error_code")
	// AttrGRPCCode is the call's gRPC status code, on both faces (the
	// semantic convention's key).
	AttrGRPCCode = attribute.Key("rpc.grpc.status_code")
	// AttrErrorReason is the reason of the status's google.rpc.ErrorInfo.
	AttrErrorReason = attribute.Key("connect.error_info.reason")
	// AttrAttempts is the number of upstream attempts the call made.
	AttrAttempts = attribute.Key("connect.upstream.attempts")
	// AttrCorrelationID is the X-Correlation-ID of the call.
	AttrCorrelationID = attribute.Key("connect.correlation_id")
)

// propagator reads and writes W3C trace context and baggage. The gateway
// uses its own instead of the global one, which is a no-op until a program
// sets it: a proxy must forward trace context with no configuration at all.
var propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// Without Options.TracerProvider the gateway makes no span and only carries
// the caller's trace context through ([incomingTraceContext],
// [restPropagation], [upstreamPropagation]), which costs nothing to a call
// that has none: the instrumentation, even with a no-op provider, cost a
// gRPC call 54 allocations and 6 KB.

// grpcTracing returns the gRPC server options of tracing. With a
// TracerProvider: otelgrpc's stats handler, a server span per call (streams
// included) whose parent comes from the caller's metadata; the gateway's
// metrics are its own, the instrumentation's go nowhere. Without one: the
// caller's trace context is taken from the metadata, by serveGRPC for unary
// calls and by a stream interceptor for streams (a stats handler of any
// kind makes grpc-go build an event per message, 20 allocations a call).
func (g *Gateway) grpcTracing() []grpc.ServerOption {
	if g.opts.TracerProvider == nil {
		return []grpc.ServerOption{grpc.ChainStreamInterceptor(propagateStream)}
	}
	return []grpc.ServerOption{grpc.StatsHandler(otelgrpc.NewServerHandler(
		otelgrpc.WithTracerProvider(g.opts.TracerProvider),
		otelgrpc.WithPropagators(propagator),
		otelgrpc.WithMeterProvider(metricnoop.NewMeterProvider()),
	))}
}

// grpcTraceContext returns ctx with the trace context of the caller's
// metadata when the gateway makes no spans (otelgrpc has done it
// otherwise).
func (g *Gateway) grpcTraceContext(ctx context.Context) context.Context {
	if g.opts.TracerProvider != nil {
		return ctx
	}
	return incomingTraceContext(ctx)
}

// restTracing wraps the HTTP face: a server span per REST call, its parent
// taken from the request's traceparent, named after the route the call
// took (see [traceCall]). Probes, metrics and the OpenAPI document make no
// spans.
func (g *Gateway) restTracing(h http.Handler) http.Handler {
	if g.opts.TracerProvider == nil {
		return restPropagation(h)
	}
	traced := otelhttp.NewHandler(h, "rest",
		otelhttp.WithTracerProvider(g.opts.TracerProvider),
		otelhttp.WithPropagators(propagator),
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			if n, ok := r.Context().Value(spanNameKey{}).(*string); ok && *n != "" {
				return *n
			}
			return r.Method
		}),
	)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz", "/readyz", "/metrics", "/openapi.json":
			h.ServeHTTP(w, r)
			return
		}
		// otelhttp names the span again once the handler returns, from the
		// request it passed on: the route is left for it here.
		traced.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), spanNameKey{}, new(string))))
	})
}

// spanNameKey is the context key of a REST call's span name, set by
// [traceCall].
type spanNameKey struct{}

// upstreamTracing wraps the upstream transport: a client span per attempt
// (retries and the reads that verify an ambiguous write each have theirs),
// and the trace context, with the caller's baggage, sent upstream.
func (g *Gateway) upstreamTracing(rt http.RoundTripper) http.RoundTripper {
	if g.opts.TracerProvider == nil {
		return upstreamPropagation{rt}
	}
	return otelhttp.NewTransport(rt,
		otelhttp.WithTracerProvider(g.opts.TracerProvider),
		otelhttp.WithPropagators(propagator),
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return "upstream " + r.Method }),
	)
}

// traceCall records on the call's server span what the call came to: the
// gRPC code, the attempts and the correlation id, and for a failed call its
// Connect code and ErrorInfo reason. A REST call's span is named after its
// route ("GET /connectors/drafts/{id}"), never after ids or keys.
func traceCall(ctx context.Context, r *route, in callIn, out callOut, err error) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	if in.face == faceREST {
		name := r.httpMethod + " " + r.template
		if n, ok := ctx.Value(spanNameKey{}).(*string); ok {
			*n = name
		}
		span.SetName(name)
		span.SetAttributes(attribute.String("http.route", r.template), attribute.String("rpc.method", r.fullMethod))
	}
	attrs := []attribute.KeyValue{
		AttrGRPCCode.Int(int(codeOf(err))),
		AttrAttempts.Int(out.attempts),
		AttrCorrelationID.String(in.correlationID),
	}
	if err != nil {
		attrs = append(attrs, AttrConnectCode.String(out.connectCode))
		if info, ok := translate.ErrorInfoOf(err); ok && info.GetReason() != "" {
			attrs = append(attrs, AttrErrorReason.String(info.GetReason()))
		}
	}
	span.SetAttributes(attrs...)
}

// traceKeys are the keys W3C trace context and baggage travel under.
var traceKeys = [...]string{"traceparent", "tracestate", "baggage"}

// traceHeaders are traceKeys in canonical header form.
var traceHeaders = [len(traceKeys)]string{"Traceparent", "Tracestate", "Baggage"}

// traceCarrier holds the three trace headers of a call.
type traceCarrier [len(traceKeys)]string

func (c *traceCarrier) Get(key string) string {
	for i, k := range traceKeys {
		if k == key {
			return c[i]
		}
	}
	return ""
}

func (c *traceCarrier) Set(string, string) {}
func (c *traceCarrier) Keys() []string     { return traceKeys[:] }

// extract returns ctx with the trace context and baggage of c, or ctx itself
// when c holds none. Only a carrier that holds some is copied to the heap
// for the propagator: a call without trace context allocates nothing here.
func (c *traceCarrier) extract(ctx context.Context) context.Context {
	if c[0] == "" && c[2] == "" {
		return ctx
	}
	held := *c
	return propagator.Extract(ctx, &held)
}

// incomingTraceContext returns ctx with the trace context of its incoming
// gRPC metadata. tracestate is looked up only beside a traceparent: alone
// it means nothing (W3C Trace Context), and a key that is absent costs a
// pass over all the metadata.
func incomingTraceContext(ctx context.Context) context.Context {
	var c traceCarrier
	for i, k := range traceKeys {
		if i == 1 && c[0] == "" {
			continue
		}
		if v := metadata.ValueFromIncomingContext(ctx, k); len(v) > 0 {
			c[i] = strings.Join(v, ",")
		}
	}
	return c.extract(ctx)
}

// propagateStream gives a stream the trace context of its metadata.
func propagateStream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if ctx := incomingTraceContext(ss.Context()); ctx != ss.Context() {
		ss = tracedStream{ss, ctx}
	}
	return handler(srv, ss)
}

// tracedStream is a server stream with the context given.
type tracedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s tracedStream) Context() context.Context { return s.ctx }

// restPropagation takes a REST call's trace context from its headers, when
// there is no tracing.
func restPropagation(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c traceCarrier
		for i, k := range traceHeaders {
			if v := r.Header[k]; len(v) > 0 {
				c[i] = strings.Join(v, ",")
			}
		}
		if ctx := c.extract(r.Context()); ctx != r.Context() {
			r = r.WithContext(ctx)
		}
		h.ServeHTTP(w, r)
	})
}

// upstreamPropagation sends the call's trace context upstream, when there
// is no tracing: the caller's traceparent, tracestate and baggage as they
// came.
type upstreamPropagation struct{ next http.RoundTripper }

func (t upstreamPropagation) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	if trace.SpanContextFromContext(ctx).IsValid() || baggage.FromContext(ctx).Len() > 0 {
		r = r.Clone(ctx) // a RoundTripper must not change its request
		propagator.Inject(ctx, propagation.HeaderCarrier(r.Header))
	}
	return t.next.RoundTrip(r)
}
