package gateway_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	"github.com/connect-gateway/connect-gateway/gateway/otelenv"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// The caller's trace context in the tests below.
const (
	callerTraceID    = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpanID     = "00f067aa0ba902b7"
	callerParent     = "00-" + callerTraceID + "-" + callerSpanID + "-01"
	callerTraceState = "vendor=opaque,other=1"
	callerBaggage    = "tenant=acme,plan=gold"
)

// traceHeaders records the trace headers of the requests that reach the
// upstream, in order.
type traceHeaders struct {
	mu   sync.Mutex
	seen []http.Header
}

func (h *traceHeaders) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.seen = append(h.seen, http.Header{
			"Traceparent": r.Header.Values("Traceparent"),
			"Tracestate":  r.Header.Values("Tracestate"),
			"Baggage":     r.Header.Values("Baggage"),
		})
		h.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (h *traceHeaders) last(t *testing.T) http.Header {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.seen) == 0 {
		t.Fatal("no request reached the upstream")
	}
	return h.seen[len(h.seen)-1]
}

// callerCtx carries the caller's trace context as gRPC metadata.
func (e *env) callerCtx(t *testing.T) context.Context {
	return metadata.AppendToOutgoingContext(e.ctx(t), "traceparent", callerParent, "tracestate", callerTraceState, "baggage", callerBaggage)
}

var callerHeaders = []string{"Traceparent", callerParent, "Tracestate", callerTraceState, "Baggage", callerBaggage}

// TestTraceContextForwardedWithoutTracing: with no tracing configured, the
// caller's traceparent, tracestate and baggage reach the upstream as they
// were sent, from either face.
func TestTraceContextForwardedWithoutTracing(t *testing.T) {
	t.Parallel()
	h := &traceHeaders{}
	e := newEnv(t, withUpstream(h.wrap))
	want := http.Header{"Traceparent": {callerParent}, "Tracestate": {callerTraceState}, "Baggage": {callerBaggage}}

	_, err := connectv1.NewConnectorStagedServiceClient(e.conn).QueryConnectorStaged(e.callerCtx(t), &connectv1.QueryConnectorStagedRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got := h.last(t); !equalHeaders(got, want) {
		t.Errorf("gRPC: the upstream got %v, want %v", got, want)
	}
	if resp, body := e.rest(t, "GET", "/connectors/drafts", "", callerHeaders...); resp.StatusCode != http.StatusOK {
		t.Fatalf("REST: %d %s", resp.StatusCode, body)
	}
	if got := h.last(t); !equalHeaders(got, want) {
		t.Errorf("REST: the upstream got %v, want %v", got, want)
	}
	// A caller without trace context: none is made up.
	if resp, body := e.rest(t, "GET", "/connectors/drafts", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("REST: %d %s", resp.StatusCode, body)
	}
	if got := h.last(t); len(got["Traceparent"]) != 0 {
		t.Errorf("a call without trace context sent traceparent %q upstream", got["Traceparent"])
	}
}

// equalHeaders compares trace headers; baggage members in any order (W3C
// baggage gives their order no meaning, and the propagator does not keep it).
func equalHeaders(a, b http.Header) bool {
	for _, k := range []string{"Traceparent", "Tracestate"} {
		if !slices.Equal(a[k], b[k]) {
			return false
		}
	}
	return sameBaggage(a.Get("Baggage"), b.Get("Baggage"))
}

func sameBaggage(a, b string) bool {
	as, bs := strings.Split(a, ","), strings.Split(b, ",")
	slices.Sort(as)
	slices.Sort(bs)
	return slices.Equal(as, bs)
}

// tracedEnv is an env whose gateway records its spans.
func tracedEnv(t *testing.T, opts ...envOption) (*env, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return newEnv(t, append(opts, withGateway(func(o *gateway.Options) { o.TracerProvider = tp }))...), rec
}

// callSpans waits for the server span of the call in trace callerTraceID
// to end, then returns it and the upstream attempt spans under it.
func callSpans(t *testing.T, rec *tracetest.SpanRecorder) (server sdktrace.ReadOnlySpan, attempts []sdktrace.ReadOnlySpan) {
	t.Helper()
	eventually(t, 5*time.Second, "no server span ended", func() bool {
		for _, s := range rec.Ended() {
			if s.SpanKind() == trace.SpanKindServer && s.SpanContext().TraceID().String() == callerTraceID {
				server = s
				return true
			}
		}
		return false
	})
	for _, s := range rec.Ended() {
		if s.SpanKind() == trace.SpanKindClient && s.Parent().SpanID() == server.SpanContext().SpanID() {
			attempts = append(attempts, s)
		}
	}
	slices.SortFunc(attempts, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	return server, attempts
}

func attr(s sdktrace.ReadOnlySpan, key attribute.Key) string {
	for _, kv := range s.Attributes() {
		if kv.Key == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

// TestSpans: with a TracerProvider, each call has a server span that
// continues the caller's trace, with the gRPC code, Connect code and
// ErrorInfo reason, and under it one client span per upstream attempt,
// whose traceparent is what the upstream receives: retries and the read
// that verifies an ambiguous write are visible.
func TestSpans(t *testing.T) {
	t.Parallel()
	type check struct {
		code     codes.Code
		connect  string
		reason   string
		attempts []string // the attempts' span names
	}
	cases := []struct {
		name  string
		opts  []envOption
		setup func(t *testing.T, e *env)
		call  func(t *testing.T, e *env) codes.Code
		want  check
	}{
		{
			name: "gRPC not found",
			call: func(t *testing.T, e *env) codes.Code {
				_, err := connectv1.NewConnectorStagedServiceClient(e.conn).GetConnectorStaged(e.callerCtx(t),
					&connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Key{Key: "missing"}})
				return status.Code(err)
			},
			want: check{codes.NotFound, "ResourceNotFound", "RESOURCE_NOT_FOUND", []string{"upstream GET"}},
		},
		{
			name: "gRPC read retried after a 503",
			setup: func(t *testing.T, e *env) {
				e.addFault(t, connectsim.FaultRule{Method: "GET", Path: "/connectors/drafts", Times: 1,
					Action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Status: 503, Body: "upstream overloaded", ContentType: "text/plain"}})
			},
			call: func(t *testing.T, e *env) codes.Code {
				_, err := connectv1.NewConnectorStagedServiceClient(e.conn).QueryConnectorStaged(e.callerCtx(t), &connectv1.QueryConnectorStagedRequest{})
				return status.Code(err)
			},
			want: check{codes.OK, "", "", []string{"upstream GET", "upstream GET"}},
		},
		{
			name: "gRPC ambiguous write verified by reading back",
			opts: []envOption{applyThen("/connectors/drafts", answer500)},
			call: func(t *testing.T, e *env) codes.Code {
				_, err := connectv1.NewConnectorStagedServiceClient(e.conn).CreateConnectorStaged(e.callerCtx(t),
					&connectv1.CreateConnectorStagedRequest{Draft: stagedDraft("traced")})
				return status.Code(err)
			},
			want: check{codes.OK, "", "", []string{"upstream POST", "upstream GET"}},
		},
		{
			name: "REST not found",
			call: func(t *testing.T, e *env) codes.Code {
				resp, _ := e.rest(t, "GET", "/connectors/drafts/key=missing", "", callerHeaders...)
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("status %d, want 404", resp.StatusCode)
				}
				return codes.NotFound
			},
			want: check{codes.NotFound, "ResourceNotFound", "RESOURCE_NOT_FOUND", []string{"upstream GET"}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := &traceHeaders{}
			opts := c.opts
			if len(opts) == 0 {
				opts = []envOption{withUpstream(h.wrap)}
			}
			e, rec := tracedEnv(t, opts...)
			if c.setup != nil {
				c.setup(t, e)
			}
			if got := c.call(t, e); got != c.want.code {
				t.Fatalf("code %v, want %v", got, c.want.code)
			}
			server, attempts := callSpans(t, rec)
			if got := server.Parent().SpanID().String(); got != callerSpanID || !server.Parent().IsRemote() {
				t.Errorf("server span's parent %s, want the caller's span %s", got, callerSpanID)
			}
			if got := attr(server, gateway.AttrGRPCCode); got != fmt.Sprint(int(c.want.code)) {
				t.Errorf("%s = %s, want %d", gateway.AttrGRPCCode, got, c.want.code)
			}
			if got := attr(server, gateway.AttrConnectCode); got != c.want.connect {
				t.Errorf("%s = %q, want %q", gateway.AttrConnectCode, got, c.want.connect)
			}
			if got := attr(server, gateway.AttrErrorReason); got != c.want.reason {
				t.Errorf("%s = %q, want %q", gateway.AttrErrorReason, got, c.want.reason)
			}
			var names []string
			for _, a := range attempts {
				names = append(names, a.Name())
			}
			if !slices.Equal(names, c.want.attempts) {
				t.Errorf("attempt spans %q, want %q", names, c.want.attempts)
			}
			if strings.HasPrefix(c.name, "REST") && !strings.Contains(server.Name(), "{") {
				t.Errorf("REST span named %q, want its route template", server.Name())
			}
			if len(h.seen) > 0 && len(attempts) > 0 {
				last := attempts[len(attempts)-1].SpanContext()
				want := fmt.Sprintf("00-%s-%s-01", callerTraceID, last.SpanID())
				if got := h.last(t).Get("Traceparent"); got != want {
					t.Errorf("upstream traceparent %q, want %q (the caller's trace, the attempt's span)", got, want)
				}
				if got := h.last(t).Get("Baggage"); !sameBaggage(got, callerBaggage) {
					t.Errorf("upstream baggage %q, want %q", got, callerBaggage)
				}
			}
		})
	}
}

// collector is an OTLP/gRPC trace receiver.
type collector struct {
	coltracepb.UnimplementedTraceServiceServer
	mu       sync.Mutex
	services []string
	traceIDs map[string]int
}

func (c *collector) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				c.services = append(c.services, kv.GetValue().GetStringValue())
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				c.traceIDs[fmt.Sprintf("%x", s.GetTraceId())]++
			}
		}
	}
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// TestOTLPExport: OTEL_* variables alone make the gateway export its spans
// to an OTLP receiver (here one over gRPC, started by the test). Not
// parallel: it sets environment variables.
func TestOTLPExport(t *testing.T) {
	c := &collector{traceIDs: map[string]int{}}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(srv, c)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)

	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+lis.Addr().String())
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	t.Setenv("OTEL_SERVICE_NAME", "gateway-under-test")
	tp, err := otelenv.FromEnv(t.Context(), os.Getenv, "connect-gateway")
	if err != nil || tp == nil {
		t.Fatalf("FromEnv = %v, %v", tp, err)
	}
	e := newEnv(t, withGateway(func(o *gateway.Options) { o.TracerProvider = tp }))
	if _, err := connectv1.NewConnectorStagedServiceClient(e.conn).QueryConnectorStaged(e.callerCtx(t), &connectv1.QueryConnectorStagedRequest{}); err != nil {
		t.Fatal(err)
	}
	e.stop() // the server span has ended
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatalf("flushing: %v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := c.traceIDs[callerTraceID]; n < 2 {
		t.Errorf("the receiver got %d spans of the caller's trace (all: %v), want the call's and its attempt's", n, c.traceIDs)
	}
	if !slices.Contains(c.services, "gateway-under-test") {
		t.Errorf("service names %q, want OTEL_SERVICE_NAME's", c.services)
	}
}
