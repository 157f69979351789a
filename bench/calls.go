package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
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
	// answered from memory with a message of the real size.
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
	// ScenarioConflict updates it at a stale version:
	// UpdateConnectorStaged, or POST /connectors/drafts/{id}. The expected
	// outcome is the ConcurrentModification error: 409 over HTTP, ABORTED
	// from the gateway, UNKNOWN from vanguard (which maps a 409 with gRPC's
	// HTTP table), ABORTED from the static server. The health check has no
	// error path and answers SERVING in both scenarios.
	ScenarioConflict Scenario = "conflict"
)

// Scenarios lists both scenarios.
func Scenarios() []Scenario { return []Scenario{ScenarioGet, ScenarioConflict} }

// Caller returns one call of target in scenario. The call returns nil only
// when it had the expected outcome; anything else (a transport error, a
// wrong status, a wrong body) is an error.
func (r *Rig) Caller(target Target, scenario Scenario) (load.Call, error) {
	if scenario != ScenarioGet && scenario != ScenarioConflict {
		return nil, fmt.Errorf("bench: unknown scenario %q", scenario)
	}
	conflict := scenario == ScenarioConflict
	switch target {
	case TargetDirect:
		return r.httpCall(r.UpstreamURL, conflict), nil
	case TargetRESTGateway:
		return r.httpCall(r.GatewayURL, conflict), nil
	case TargetGRPCFloor:
		return healthCall(r.clients.floor), nil
	case TargetGRPCStatic:
		return r.grpcCall(r.clients.floor, conflict, codes.Aborted), nil
	case TargetGRPCGateway:
		return r.grpcCall(r.clients.gateway, conflict, codes.Aborted), nil
	case TargetVanguard:
		return r.grpcCall(r.clients.vanguard, conflict, codes.Unknown), nil
	}
	return nil, fmt.Errorf("bench: unknown target %q", target)
}

// updateBody is the REST body of the conflict scenario.
var updateBody = []byte(fmt.Sprintf(`{"version":%d,"actions":[{"action":"setName","name":"bench"}]}`, StaleVersion))

var authHeader = []string{"Bearer " + Token}

// httpCall sends the scenario's request to base + /connectors/drafts/{id}
// and checks the status and the body's length against the upstream's.
func (r *Rig) httpCall(base string, conflict bool) load.Call {
	url := base + stagedPrefix + r.Bodies.ID
	method, want, wantLen := http.MethodGet, http.StatusOK, len(r.Bodies.Staged)
	if conflict {
		method, want, wantLen = http.MethodPost, http.StatusConflict, len(r.Bodies.Conflict)
	}
	hc := r.clients.http
	return func(ctx context.Context) error {
		var body io.Reader
		if conflict {
			body = bytes.NewReader(updateBody)
		}
		req, err := http.NewRequestWithContext(ctx, method, url, body)
		if err != nil {
			return err
		}
		req.Header["Authorization"] = authHeader
		if conflict {
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

// grpcCall calls GetConnectorStaged, or UpdateConnectorStaged at a stale
// version expecting code wantErr.
func (r *Rig) grpcCall(cc *grpc.ClientConn, conflict bool, wantErr codes.Code) load.Call {
	client := connectv1.NewConnectorStagedServiceClient(cc)
	id := r.Bodies.ID
	md := metadata.Pairs("authorization", authHeader[0])
	if !conflict {
		req := &connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Id{Id: id}}
		return func(ctx context.Context) error {
			resp, err := client.GetConnectorStaged(metadata.NewOutgoingContext(ctx, md), req)
			if err != nil {
				return err
			}
			if got := resp.GetConnectorStaged().GetId(); got != id {
				return fmt.Errorf("got ConnectorStaged %q, want %q", got, id)
			}
			return nil
		}
	}
	req := &connectv1.UpdateConnectorStagedRequest{
		Ref:     &connectv1.UpdateConnectorStagedRequest_Id{Id: id},
		Version: StaleVersion,
		Actions: []*connectv1.ConnectorStagedUpdateAction{{
			Action: &connectv1.ConnectorStagedUpdateAction_SetName{SetName: &connectv1.ConnectorStagedSetNameAction{Name: "bench"}},
		}},
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
func ParseTargets(s string) ([]Target, error) {
	if s == "all" {
		return Targets(), nil
	}
	var ts []Target
	for _, name := range strings.Split(s, ",") {
		t := Target(strings.TrimSpace(name))
		if !validTarget(t) {
			return nil, fmt.Errorf("unknown target %q (want one of %v, or all)", t, Targets())
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// ParseScenarios reads a comma-separated list of scenarios; "all" is both.
func ParseScenarios(s string) ([]Scenario, error) {
	if s == "all" {
		return Scenarios(), nil
	}
	var ss []Scenario
	for _, name := range strings.Split(s, ",") {
		sc := Scenario(strings.TrimSpace(name))
		if sc != ScenarioGet && sc != ScenarioConflict {
			return nil, fmt.Errorf("unknown scenario %q (want get, conflict or all)", sc)
		}
		ss = append(ss, sc)
	}
	return ss, nil
}

func validTarget(t Target) bool {
	for _, v := range Targets() {
		if v == t {
			return true
		}
	}
	return false
}
