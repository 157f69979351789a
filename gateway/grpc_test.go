package gateway_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/connect-gateway/connect-gateway/connectsim"
	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

func stagedDraft(key string) *connectv1.ConnectorStagedDraft {
	return &connectv1.ConnectorStagedDraft{
		Key:              proto.String(key),
		Name:             "Payment connector",
		Description:      proto.String("made by a gateway test"),
		IntegrationTypes: []string{"psp"},
		Creator:          &connectv1.Creator{Email: "dev@example.com"},
		Repository:       &connectv1.Repository{Url: connectsim.RepoPayment, Tag: connectsim.TagV1},
	}
}

func TestConnectorStagedLifecycleOverGRPC(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	client := connectv1.NewConnectorStagedServiceClient(e.conn)
	ctx := e.ctx(t)

	var header metadata.MD
	created, err := client.CreateConnectorStaged(ctx, &connectv1.CreateConnectorStagedRequest{Draft: stagedDraft("grpc-life")}, grpc.Header(&header))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	cs := created.GetConnectorStaged()
	if cs.GetId() == "" || cs.GetKey() != "grpc-life" || cs.GetVersion() != 1 || cs.GetName() != "Payment connector" {
		t.Fatalf("created %v", cs)
	}
	if len(header.Get("x-correlation-id")) != 1 {
		t.Errorf("response header x-correlation-id = %v, want one generated id", header.Get("x-correlation-id"))
	}

	byKey, err := client.GetConnectorStaged(ctx, &connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Key{Key: "grpc-life"}})
	if err != nil {
		t.Fatalf("get by key: %v", err)
	}
	if diff := cmp.Diff(cs, byKey.GetConnectorStaged(), protocmp.Transform()); diff != "" {
		t.Errorf("get by key (-created +got):\n%s", diff)
	}

	updated, err := client.UpdateConnectorStaged(ctx, &connectv1.UpdateConnectorStagedRequest{
		Ref:     &connectv1.UpdateConnectorStagedRequest_Id{Id: cs.GetId()},
		Version: cs.GetVersion(),
		Actions: []*connectv1.ConnectorStagedUpdateAction{
			{Action: &connectv1.ConnectorStagedUpdateAction_SetName{SetName: &connectv1.ConnectorStagedSetNameAction{Name: "Renamed"}}},
			{Action: &connectv1.ConnectorStagedUpdateAction_SetDescription{SetDescription: &connectv1.ConnectorStagedSetDescriptionAction{Description: "new"}}},
		},
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if got := updated.GetConnectorStaged(); got.GetName() != "Renamed" || got.GetDescription() != "new" || got.GetVersion() != 2 {
		t.Errorf("updated %v", got)
	}

	page, err := client.QueryConnectorStaged(ctx, &connectv1.QueryConnectorStagedRequest{Limit: proto.Int32(5)})
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	if p := page.GetPage(); p.GetLimit() != 5 || p.GetTotal() < 1 || len(p.GetResults()) < 1 {
		t.Errorf("query page %v", p)
	}

	deleted, err := client.DeleteConnectorStaged(ctx, &connectv1.DeleteConnectorStagedRequest{Ref: &connectv1.DeleteConnectorStagedRequest_Key{Key: "grpc-life"}})
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	if deleted.GetConnectorStaged().GetId() != cs.GetId() {
		t.Errorf("deleted %v", deleted.GetConnectorStaged())
	}
	_, err = client.GetConnectorStaged(ctx, &connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Id{Id: cs.GetId()}})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("get after delete: %v, want NOT_FOUND", err)
	}
	ri, ok := translate.DetailOf[*errdetails.ResourceInfo](err)
	if !ok || ri.GetResourceType() != "ConnectorStaged" || ri.GetResourceName() != cs.GetId() {
		t.Errorf("ResourceInfo = %v, want ConnectorStaged %s", ri, cs.GetId())
	}
}

// TestConcurrentModificationOverGRPC is the error a caller acts on in code:
// ABORTED with the versions in ErrorInfo and in the typed detail, and the
// whole upstream body in the ErrorResponse detail.
func TestConcurrentModificationOverGRPC(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	client := connectv1.NewConnectorStagedServiceClient(e.conn)
	ctx := metadata.AppendToOutgoingContext(e.ctx(t), "x-correlation-id", "test-cm-1")
	created, err := client.CreateConnectorStaged(ctx, &connectv1.CreateConnectorStagedRequest{Draft: stagedDraft("grpc-cm")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.UpdateConnectorStaged(ctx, &connectv1.UpdateConnectorStagedRequest{
		Ref:     &connectv1.UpdateConnectorStagedRequest_Key{Key: "grpc-cm"},
		Version: 7,
		Actions: []*connectv1.ConnectorStagedUpdateAction{{Action: &connectv1.ConnectorStagedUpdateAction_SetName{SetName: &connectv1.ConnectorStagedSetNameAction{Name: "x"}}}},
	})
	if status.Code(err) != codes.Aborted {
		t.Fatalf("stale update: %v, want ABORTED", err)
	}
	info, ok := translate.ErrorInfoOf(err)
	if !ok {
		t.Fatal("no ErrorInfo")
	}
	wantMeta := map[string]string{"code": "ConcurrentModification", "httpStatus": "409", "expectedVersion": "7", "currentVersion": fmt.Sprint(created.GetConnectorStaged().GetVersion())}
	for k, v := range wantMeta {
		if info.GetMetadata()[k] != v {
			t.Errorf("ErrorInfo.metadata[%s] = %q, want %q", k, info.GetMetadata()[k], v)
		}
	}
	if info.GetReason() != "CONCURRENT_MODIFICATION" || info.GetDomain() != translate.DomainConnect {
		t.Errorf("ErrorInfo reason/domain = %s/%s", info.GetReason(), info.GetDomain())
	}
	cm, ok := translate.DetailOf[*errorsv1.ConcurrentModification](err)
	if !ok || cm.GetExpectedVersion() != 7 || cm.GetCurrentVersion() != int64(created.GetConnectorStaged().GetVersion()) {
		t.Errorf("typed detail = %v", cm)
	}
	ri, ok := translate.DetailOf[*errdetails.RequestInfo](err)
	if !ok || ri.GetRequestId() != "test-cm-1" {
		t.Errorf("RequestInfo = %v, want request id test-cm-1", ri)
	}
	body, ok := e.recorder.upstreamBody("test-cm-1")
	if !ok {
		t.Fatal("the simulator saw no request with correlation id test-cm-1")
	}
	_, _, rest := translate.ToResponse(status.Convert(err))
	assertSameJSON(t, body, rest)
}

func TestUnknownTokenIsUnauthenticated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	client := connectv1.NewConnectorServiceClient(e.conn)
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer not-a-token")
	_, err := client.GetConnector(ctx, &connectv1.GetConnectorRequest{Ref: &connectv1.GetConnectorRequest_Id{Id: "x"}})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("%v, want UNAUTHENTICATED", err)
	}
	if info, _ := translate.ErrorInfoOf(err); info.GetReason() != "INVALID_TOKEN" {
		t.Errorf("reason %q, want INVALID_TOKEN", info.GetReason())
	}
	// Without any token the call goes upstream without one, and the
	// upstream's own 401 answers it.
	_, err = client.GetConnector(t.Context(), &connectv1.GetConnectorRequest{Ref: &connectv1.GetConnectorRequest_Id{Id: "x"}})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("%v, want UNAUTHENTICATED", err)
	}
	if info, _ := translate.ErrorInfoOf(err); info.GetReason() != "INVALID_TOKEN" {
		t.Errorf("reason %q, want INVALID_TOKEN", info.GetReason())
	}
}

func TestMissingIDIsInvalidArgument(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	client := connectv1.NewConnectorStagedServiceClient(e.conn)
	_, err := client.GetConnectorStaged(e.ctx(t), &connectv1.GetConnectorStagedRequest{})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("%v, want INVALID_ARGUMENT", err)
	}
	if n := len(e.sim.Journal().Entries()); n != 0 {
		t.Errorf("the upstream received %d requests, want 0", n)
	}
}
