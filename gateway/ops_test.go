package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"

	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, err := healthpb.NewHealthClient(e.conn).Check(t.Context(), &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("grpc.health.v1 Check: %v %v, want SERVING", resp, err)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		r, body := doHTTP(t, "GET", e.httpURL+path, "")
		if r.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d %s", path, r.StatusCode, body)
		}
	}
	e.stop()
	// After shutdown nothing answers; the drain order is tested with the
	// binary in the reliability tests.
}

// TestMetrics checks the series an operator reads: calls by method, face and
// code; translated errors by Connect code; upstream attempts.
func TestMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	client := connectv1.NewConnectorStagedServiceClient(e.conn)
	_, _ = client.GetConnectorStaged(e.ctx(t), getStaged("missing"))
	e.rest(t, "GET", "/connectors/drafts/key=missing", "")
	_, body := doHTTP(t, "GET", e.httpURL+"/metrics", "")
	text := string(body)
	for _, want := range []string{
		`connect_gateway_requests_total{code="NotFound",face="grpc",method="/commercetools.connect.v1.ConnectorStagedService/GetConnectorStaged"} 1`,
		`connect_gateway_requests_total{code="NotFound",face="rest",method="/commercetools.connect.v1.ConnectorStagedService/GetConnectorStaged"} 1`,
		`connect_gateway_translated_errors_total{connect_code="ResourceNotFound"} 2`,
		`connect_gateway_upstream_duration_seconds_count{http_method="GET",status="404"} 2`,
		`connect_gateway_request_duration_seconds_bucket`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, "missing") || strings.Contains(text, e.token) {
		t.Error("/metrics holds a key or a token")
	}
}

// TestReflectionResolvesErrorDetails: grpcurl and other reflection clients
// can decode the typed details without proto files.
func TestReflectionResolvesErrorDetails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	stream, err := reflectionpb.NewServerReflectionClient(e.conn).ServerReflectionInfo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer stream.CloseSend()
	for _, symbol := range []string{
		"commercetools.connect.v1.DeploymentService",
		"commercetools.connect.errors.v1.ConcurrentModification",
		"commercetools.connect.errors.v1.ErrorResponse",
		"google.rpc.ErrorInfo",
		"google.rpc.BadRequest",
	} {
		if err := stream.Send(&reflectionpb.ServerReflectionRequest{
			MessageRequest: &reflectionpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: symbol},
		}); err != nil {
			t.Fatal(err)
		}
		resp, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.GetFileDescriptorResponse().GetFileDescriptorProto()) == 0 {
			t.Errorf("reflection cannot resolve %s: %v", symbol, resp.GetErrorResponse())
		}
	}
}

// TestUnknownRouteIsAConnectError: the REST face answers paths it does not
// serve as Connect would, with a Connect-shaped body.
func TestUnknownRouteIsAConnectError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tt := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/nope/nope/nope/nope", http.StatusNotFound, "ResourceNotFound"},
		{"PUT", "/connectors/drafts", http.StatusMethodNotAllowed, "General"},
	} {
		r, body := doHTTP(t, tt.method, e.httpURL+tt.path, "")
		if r.StatusCode != tt.status || !strings.Contains(string(body), `"code":"`+tt.code+`"`) ||
			!strings.Contains(string(body), `"statusCode":`) {
			t.Errorf("%s %s: %d %s, want %d with code %s", tt.method, tt.path, r.StatusCode, body, tt.status, tt.code)
		}
	}
}
