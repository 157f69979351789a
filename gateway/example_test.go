package gateway_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// A gRPC caller updates a ConnectorStaged with optimistic concurrency: on
// ABORTED it reads the versions from the typed detail, re-reads the resource
// and re-applies its change.
func Example_reApplyOnAborted() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn, token := startExampleGateway(ctx)
	defer conn.Close()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	client := connectv1.NewConnectorStagedServiceClient(conn)

	created, err := client.CreateConnectorStaged(ctx, &connectv1.CreateConnectorStagedRequest{Draft: &connectv1.ConnectorStagedDraft{
		Key: proto.String("example"), Name: "Example", Creator: &connectv1.Creator{Email: "dev@example.com"},
		Repository: &connectv1.Repository{Url: connectsim.RepoPayment, Tag: connectsim.TagV1},
	}})
	if err != nil {
		panic(err)
	}
	version := created.GetConnectorStaged().GetVersion() - 1 // a stale copy
	for attempt := 1; ; attempt++ {
		resp, err := client.UpdateConnectorStaged(ctx, &connectv1.UpdateConnectorStagedRequest{
			Ref:     &connectv1.UpdateConnectorStagedRequest_Key{Key: "example"},
			Version: version,
			Actions: []*connectv1.ConnectorStagedUpdateAction{{Action: &connectv1.ConnectorStagedUpdateAction_SetName{
				SetName: &connectv1.ConnectorStagedSetNameAction{Name: "Renamed"}}}},
		})
		if status.Code(err) == codes.Aborted {
			cm, _ := translate.DetailOf[*errorsv1.ConcurrentModification](err)
			info, _ := translate.ErrorInfoOf(err)
			fmt.Printf("attempt %d: %s, sent version %d, current %d\n", attempt, info.GetReason(), cm.GetExpectedVersion(), cm.GetCurrentVersion())
			latest, err := client.GetConnectorStaged(ctx, &connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Key{Key: "example"}})
			if err != nil {
				panic(err)
			}
			version = latest.GetConnectorStaged().GetVersion()
			continue
		}
		if err != nil {
			panic(err)
		}
		fmt.Printf("attempt %d: renamed to %q at version %d\n", attempt, resp.GetConnectorStaged().GetName(), resp.GetConnectorStaged().GetVersion())
		break
	}
	// Output:
	// attempt 1: CONCURRENT_MODIFICATION, sent version 0, current 1
	// attempt 2: renamed to "Renamed" at version 2
}

// startExampleGateway starts a simulator and a gateway in front of it on loopback,
// and returns a connection to the gateway and a token of the simulator's
// demo client.
func startExampleGateway(ctx context.Context) (*grpc.ClientConn, string) {
	sim, err := connectsim.Start(ctx, connectsim.Options{})
	if err != nil {
		panic(err)
	}
	context.AfterFunc(ctx, func() { sim.Close() })
	gl, _ := net.Listen("tcp", "127.0.0.1:0")
	hl, _ := net.Listen("tcp", "127.0.0.1:0")
	gw, err := gateway.New(gateway.Options{
		UpstreamURL: sim.URL, GRPCListener: gl, HTTPListener: hl,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		panic(err)
	}
	go func() { _ = gw.Serve(ctx) }()
	conn, err := grpc.NewClient(gl.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err)
	}
	token, err := sim.Sim.Token(ctx, connectsim.DefaultClient())
	if err != nil {
		panic(err)
	}
	return conn, token
}
