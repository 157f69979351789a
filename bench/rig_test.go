package bench

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// TestCallers checks that every target gets its expected outcome in every
// scenario, so that a benchmark never measures a broken path.
func TestCallers(t *testing.T) {
	t.Parallel()
	for _, sc := range Scenarios() {
		for _, tg := range Targets() {
			t.Run(string(sc)+"/"+string(tg), func(t *testing.T) {
				t.Parallel()
				call, err := rig.Caller(tg, sc)
				if err != nil {
					t.Fatal(err)
				}
				if err := call(t.Context()); err != nil {
					t.Errorf("call: %v", err)
				}
			})
		}
	}
}

// TestCallerReportsWrongOutcome checks that a call whose answer is not the
// expected one counts as an error: a caller expecting another resource id.
func TestCallerReportsWrongOutcome(t *testing.T) {
	t.Parallel()
	other := *rig
	other.Bodies.ID = "not-the-upstream-id"
	for _, tg := range []Target{TargetGRPCGateway, TargetVanguard} {
		call, err := other.Caller(tg, ScenarioGet)
		if err != nil {
			t.Fatal(err)
		}
		if err := call(t.Context()); err == nil {
			t.Errorf("%s: a call answered with another ConnectorStaged returned nil", tg)
		}
	}
	if _, err := rig.Caller("nowhere", ScenarioGet); err == nil {
		t.Error("Caller accepted an unknown target")
	}
}

// TestUpstreamServesSimulatorBytes checks that the fixed upstream answers
// the simulator's bytes, byte for byte.
func TestUpstreamServesSimulatorBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path string
		body               []byte
		wantStatus         int
		wantBody           []byte
	}{
		{"get", http.MethodGet, stagedPrefix + rig.Bodies.ID, nil, http.StatusOK, rig.Bodies.Staged},
		{"get by key", http.MethodGet, stagedPrefix + "key=" + rig.Bodies.Key, nil, http.StatusOK, rig.Bodies.Staged},
		{"update", http.MethodPost, stagedPrefix + rig.Bodies.ID, updateBody(rig.Bodies.Version), http.StatusCreated, rig.Bodies.Updated},
		{"stale update", http.MethodPost, stagedPrefix + rig.Bodies.ID, updateBody(StaleVersion), http.StatusConflict, rig.Bodies.Conflict},
		{"other route", http.MethodGet, "/connectors", nil, http.StatusNotFound, []byte("{}")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(t.Context(), tt.method, rig.UpstreamURL+tt.path, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Correlation-ID", "cid-1")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || !bytes.Equal(body, tt.wantBody) {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if got := resp.Header.Get("X-Correlation-ID"); got != "cid-1" {
				t.Errorf("X-Correlation-ID %q, want it echoed", got)
			}
		})
	}
	if !json.Valid(rig.Bodies.Staged) || !json.Valid(rig.Bodies.Conflict) || !json.Valid(rig.Bodies.Updated) {
		t.Error("the captured bodies are not JSON")
	}
}

// TestPathsAgree checks that the gateway, vanguard and the static server
// return the same ConnectorStaged: the three paths do the same job.
func TestPathsAgree(t *testing.T) {
	t.Parallel()
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+Token)
	req := &connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Id{Id: rig.Bodies.ID}}
	var got []*connectv1.GetConnectorStagedResponse
	for _, cc := range []connectv1.ConnectorStagedServiceClient{
		connectv1.NewConnectorStagedServiceClient(rig.clients.gateway),
		connectv1.NewConnectorStagedServiceClient(rig.clients.vanguard),
		connectv1.NewConnectorStagedServiceClient(rig.clients.floor),
	} {
		resp, err := cc.GetConnectorStaged(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, resp)
	}
	if got[0].GetConnectorStaged().GetVersion() != rig.Bodies.Version {
		t.Errorf("version %d, want %d", got[0].GetConnectorStaged().GetVersion(), rig.Bodies.Version)
	}
	for i, name := range []string{"vanguard", "static"} {
		if diff := cmp.Diff(got[0], got[i+1], protocmp.Transform()); diff != "" {
			t.Errorf("gateway and %s differ (-gateway +%s):\n%s", name, name, diff)
		}
	}
}

// TestConflictIsFullyTranslated checks that the error path the benchmarks
// measure is the complete one: ABORTED with the typed ConcurrentModification
// detail, not a shortcut.
func TestConflictIsFullyTranslated(t *testing.T) {
	t.Parallel()
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+Token)
	_, err := connectv1.NewConnectorStagedServiceClient(rig.clients.gateway).UpdateConnectorStaged(ctx, &connectv1.UpdateConnectorStagedRequest{
		Ref: &connectv1.UpdateConnectorStagedRequest_Id{Id: rig.Bodies.ID}, Version: StaleVersion,
		Actions: []*connectv1.ConnectorStagedUpdateAction{{Action: &connectv1.ConnectorStagedUpdateAction_SetName{
			SetName: &connectv1.ConnectorStagedSetNameAction{Name: "bench"}}}},
	})
	if got := status.Code(err); got != codes.Aborted {
		t.Fatalf("code %v, want ABORTED", got)
	}
	cm, ok := translate.DetailOf[*errorsv1.ConcurrentModification](err)
	if !ok {
		t.Fatalf("no ConcurrentModification detail in %v", err)
	}
	if cm.GetExpectedVersion() != int64(StaleVersion) || cm.GetCurrentVersion() != int64(rig.Bodies.Version) {
		t.Errorf("detail %v, want expected %d current %d", cm, StaleVersion, rig.Bodies.Version)
	}
}

// TestGatewayBinaryHasNoVanguard checks that vanguard-go stays a
// benchmark-only dependency.
func TestGatewayBinaryHasNoVanguard(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command lists the binary's dependencies: %v", err)
	}
	out, err := exec.CommandContext(t.Context(), gobin, "list", "-deps", "../cmd/connect-gateway").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "connectrpc.com/") {
			t.Errorf("cmd/connect-gateway depends on %s", dep)
		}
	}
}
