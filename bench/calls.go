package bench

import (
	"bytes"
	"context"
	"fmt"
	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	"io"
	"net/http"
	"slices"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/connect-gateway/connect-gateway/bench/load"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// Target names a path through the rig.
type Target string

// The targets of a rig.
const (
	// TargetDirect is an HTTP/1.1 call straight to the upstream: half of the floor.
	TargetDirect Target = "direct"
	// TargetGRPCFloor is a grpc.health.v1.Health/Check on the floor server:
	// the other half of the floor.
	TargetGRPCFloor Target = "grpc-floor"
	// TargetGRPCStatic is a ConnectorStagedService call on the floor server,
	// answered from memory with a message of the real size, or with the
	// gateway's status of the conflict, details included.
	TargetGRPCStatic Target = "grpc-static"
	// TargetGRPCGateway is a gRPC call to the gateway, which calls the upstream.
	TargetGRPCGateway Target = "grpc-gateway"
	// TargetRESTGateway is an HTTP/1.1 call to the gateway's REST face.
	TargetRESTGateway Target = "rest-gateway"
	// TargetVanguard is a gRPC call to vanguard, which calls the upstream.
	TargetVanguard Target = "vanguard"
)

// Targets lists every target, floor first.
func Targets() []Target {
	return []Target{TargetDirect, TargetGRPCFloor, TargetGRPCStatic, TargetGRPCGateway, TargetRESTGateway, TargetVanguard}
}

// Scenario names what a call asks for.
type Scenario string

// The scenarios.
const (
	// ScenarioGet reads the ConnectorStaged: GetConnectorStaged, or
	// GET /connectors/drafts/{id}. The expected outcome is the resource.
	ScenarioGet Scenario = "get"
	// ScenarioUpdate updates it at its current version:
	// UpdateConnectorStaged, or POST /connectors/drafts/{id}. The expected
	// outcome is the updated resource. It is the success path of the same
	// call as ScenarioConflict.
	ScenarioUpdate Scenario = "update"
	// ScenarioConflict updates it at a stale version. The expected outcome
	// is the ConcurrentModification error: 409 over HTTP, ABORTED from the
	// gateway, UNKNOWN from vanguard (which maps a 409 with gRPC's HTTP
	// table), the same ABORTED with details from the static server. The health check has no error
	// path and answers SERVING in every scenario.
	ScenarioConflict Scenario = "conflict"
)

// Scenarios lists the scenarios.
func Scenarios() []Scenario { return []Scenario{ScenarioGet, ScenarioUpdate, ScenarioConflict} }

// Caller returns one call of target in scenario. The call returns nil only
// when it had the expected outcome; anything else (a transport error, a
// wrong status, a wrong body) is an error.
func (r *Rig) Caller(target Target, scenario Scenario) (load.Call, error) {
	if !slices.Contains(Scenarios(), scenario) {
		return nil, fmt.Errorf("bench: unknown scenario %q", scenario)
	}
	switch target {
	case TargetDirect:
		return r.httpCall(r.UpstreamURL, scenario), nil
	case TargetRESTGateway:
		return r.httpCall(r.GatewayURL, scenario), nil
	case TargetGRPCFloor:
		return healthCall(r.clients.floor), nil
	case TargetGRPCStatic:
		return r.grpcCall(r.clients.floor, scenario, codes.Aborted), nil
	case TargetGRPCGateway:
		return r.grpcCall(r.clients.gateway, scenario, codes.Aborted), nil
	case TargetVanguard:
		return r.grpcCall(r.clients.vanguard, scenario, codes.Unknown), nil
	}
	return nil, fmt.Errorf("bench: unknown target %q", target)
}

// updateBody is the REST body of an update at version.
func updateBody(version int32) []byte {
	return fmt.Appendf(nil, `{"version":%d,"actions":[{"action":"setName","name":"bench"}]}`, version)
}

var (
	authHeader      = []string{"Bearer " + Token}
	jsonAccept      = []string{"application/json"}
	directUserAgent = []string{"connect-bench"}
)

// httpCall sends the scenario's request to base + /connectors/drafts/{id}
// and checks the status and the body's length against the upstream's. The
// request carries the headers the gateway's own upstream request carries
// (Authorization, Accept, User-Agent, a new X-Correlation-ID, and
// Content-Type with a body), so that, as the direct half of the floor, it
// is the same HTTP exchange the gateway has with the upstream.
func (r *Rig) httpCall(base string, scenario Scenario) load.Call {
	url := base + stagedPrefix + r.Bodies.ID
	method, want, wantLen := http.MethodGet, http.StatusOK, len(r.Bodies.Staged)
	var payload []byte
	switch scenario {
	case ScenarioUpdate:
		method, want, wantLen, payload = http.MethodPost, http.StatusCreated, len(r.Bodies.Updated), updateBody(r.Bodies.Version)
	case ScenarioConflict:
		method, want, wantLen, payload = http.MethodPost, http.StatusConflict, len(r.Bodies.Conflict), updateBody(StaleVersion)
	}
	hc := r.clients.http
	return func(ctx context.Context) error {
		var body io.Reader
		if payload != nil {
			body = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, method, url, body)
		if err != nil {
			return err
		}
		req.Header["Authorization"] = authHeader
		req.Header["Accept"] = jsonAccept
		req.Header["User-Agent"] = directUserAgent
		req.Header["X-Correlation-Id"] = []string{upstream.NewCorrelationID()}
		if payload != nil {
			req.Header["Content-Type"] = jsonContentType
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch {
		case err != nil:
			return fmt.Errorf("reading the body: %w", err)
		case resp.StatusCode != want:
			return fmt.Errorf("HTTP %d, want %d", resp.StatusCode, want)
		case n < int64(wantLen)/2:
			return fmt.Errorf("a body of %d bytes, want about %d", n, wantLen)
		}
		return nil
	}
}

// grpcCall calls GetConnectorStaged, UpdateConnectorStaged at the current
// version (checking the answer's id and new version), or at a stale version
// expecting code wantErr.
func (r *Rig) grpcCall(cc *grpc.ClientConn, scenario Scenario, wantErr codes.Code) load.Call {
	client := connectv1.NewConnectorStagedServiceClient(cc)
	id := r.Bodies.ID
	md := metadata.Pairs("authorization", authHeader[0])
	check := func(cs *connectv1.ConnectorStaged, version int32) error {
		if cs.GetId() != id || cs.GetVersion() != version {
			return fmt.Errorf("got ConnectorStaged %q at version %d, want %q at %d", cs.GetId(), cs.GetVersion(), id, version)
		}
		return nil
	}
	if scenario == ScenarioGet {
		req := &connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Id{Id: id}}
		return func(ctx context.Context) error {
			resp, err := client.GetConnectorStaged(metadata.NewOutgoingContext(ctx, md), req)
			if err != nil {
				return err
			}
			return check(resp.GetConnectorStaged(), r.Bodies.Version)
		}
	}
	req := &connectv1.UpdateConnectorStagedRequest{
		Ref:     &connectv1.UpdateConnectorStagedRequest_Id{Id: id},
		Version: StaleVersion,
		Actions: []*connectv1.ConnectorStagedUpdateAction{{
			Action: &connectv1.ConnectorStagedUpdateAction_SetName{SetName: &connectv1.ConnectorStagedSetNameAction{Name: "bench"}},
		}},
	}
	if scenario == ScenarioUpdate {
		req.Version = r.Bodies.Version
		return func(ctx context.Context) error {
			resp, err := client.UpdateConnectorStaged(metadata.NewOutgoingContext(ctx, md), req)
			if err != nil {
				return err
			}
			return check(resp.GetConnectorStaged(), r.Bodies.Version+1)
		}
	}
	return func(ctx context.Context) error {
		_, err := client.UpdateConnectorStaged(metadata.NewOutgoingContext(ctx, md), req)
		if got := status.Code(err); got != wantErr {
			return fmt.Errorf("code %v (%v), want %v", got, err, wantErr)
		}
		return nil
	}
}

// healthCall checks the floor server's health.
func healthCall(cc *grpc.ClientConn) load.Call {
	client := healthpb.NewHealthClient(cc)
	req := &healthpb.HealthCheckRequest{}
	return func(ctx context.Context) error {
		resp, err := client.Check(ctx, req)
		if err != nil {
			return err
		}
		if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("health %v", resp.GetStatus())
		}
		return nil
	}
}

// ParseTargets reads a comma-separated list of targets; "all" is every one.
func ParseTargets(s string) ([]Target, error) { return parseList(s, "target", Targets()) }

// ParseScenarios reads a comma-separated list of scenarios; "all" is every
// one.
func ParseScenarios(s string) ([]Scenario, error) { return parseList(s, "scenario", Scenarios()) }

// parseList reads a comma-separated list of names from all; "all" is all.
func parseList[T ~string](s, what string, all []T) ([]T, error) {
	if s == "all" {
		return all, nil
	}
	var out []T
	for _, name := range strings.Split(s, ",") {
		v := T(strings.TrimSpace(name))
		if !slices.Contains(all, v) {
			return nil, fmt.Errorf("unknown %s %q (want one of %v, or all)", what, v, all)
		}
		out = append(out, v)
	}
	return out, nil
}
