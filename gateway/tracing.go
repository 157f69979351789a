package gateway

import (
	"context"
	"errors"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/stats"

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

// tracerProvider is Options.TracerProvider, or one that makes no spans.
// Without spans, trace context still flows: the caller's traceparent
// reaches the upstream unchanged.
func (g *Gateway) tracerProvider() trace.TracerProvider {
	if g.opts.TracerProvider != nil {
		return g.opts.TracerProvider
	}
	return tracenoop.NewTracerProvider()
}

// grpcTracing is the gRPC server's stats handler: a server span per call
// (streams included), its parent taken from the caller's metadata. The
// gateway's metrics are its own; the instrumentation's go nowhere.
func (g *Gateway) grpcTracing() stats.Handler {
	return otelgrpc.NewServerHandler(
		otelgrpc.WithTracerProvider(g.tracerProvider()),
		otelgrpc.WithPropagators(propagator),
		otelgrpc.WithMeterProvider(metricnoop.NewMeterProvider()),
	)
}

// restTracing wraps the HTTP face: a server span per REST call, its parent
// taken from the request's traceparent, named after the route the call
// took (see [traceCall]). Probes, metrics and the OpenAPI document make no
// spans.
func (g *Gateway) restTracing(h http.Handler) http.Handler {
	traced := otelhttp.NewHandler(h, "rest",
		otelhttp.WithTracerProvider(g.tracerProvider()),
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
	return otelhttp.NewTransport(rt,
		otelhttp.WithTracerProvider(g.tracerProvider()),
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
		if reason := errorInfoReason(err); reason != "" {
			attrs = append(attrs, AttrErrorReason.String(reason))
		}
	}
	span.SetAttributes(attrs...)
}

// errorInfoReason returns the reason of err's google.rpc.ErrorInfo detail.
func errorInfoReason(err error) string {
	te, ok := errors.AsType[*translate.Error](err)
	if !ok {
		return ""
	}
	for _, d := range te.GRPCStatus().Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}
