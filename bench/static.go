package bench

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connect-gateway/connect-gateway/gateway/wirejson"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// staticServer is a ConnectorStagedService that answers GetConnectorStaged
// with a fixed ConnectorStaged (the upstream's, decoded once),
// UpdateConnectorStaged at the current version with the updated one, and
// at any other version with a bare ABORTED: a gRPC floor that, unlike the
// health check, pays for encoding a response of the real size.
type staticServer struct {
	connectv1.UnimplementedConnectorStagedServiceServer
	version int32
	get     *connectv1.GetConnectorStagedResponse
	updated *connectv1.UpdateConnectorStagedResponse
}

func newStaticServer(b Bodies) (*staticServer, error) {
	cs, updated := &connectv1.ConnectorStaged{}, &connectv1.ConnectorStaged{}
	if err := wirejson.Unmarshal(b.Staged, cs); err != nil {
		return nil, fmt.Errorf("bench: decoding the ConnectorStaged body: %w", err)
	}
	if err := wirejson.Unmarshal(b.Updated, updated); err != nil {
		return nil, fmt.Errorf("bench: decoding the updated ConnectorStaged body: %w", err)
	}
	return &staticServer{
		version: b.Version,
		get:     &connectv1.GetConnectorStagedResponse{ConnectorStaged: cs},
		updated: &connectv1.UpdateConnectorStagedResponse{ConnectorStaged: updated},
	}, nil
}

func registerStatic(s grpc.ServiceRegistrar, srv *staticServer) {
	connectv1.RegisterConnectorStagedServiceServer(s, srv)
}

// GetConnectorStaged returns the fixed ConnectorStaged.
func (s *staticServer) GetConnectorStaged(context.Context, *connectv1.GetConnectorStagedRequest) (*connectv1.GetConnectorStagedResponse, error) {
	return s.get, nil
}

// UpdateConnectorStaged succeeds at the current version and conflicts at
// any other.
func (s *staticServer) UpdateConnectorStaged(_ context.Context, req *connectv1.UpdateConnectorStagedRequest) (*connectv1.UpdateConnectorStagedResponse, error) {
	if req.GetVersion() == s.version {
		return s.updated, nil
	}
	return nil, status.Error(codes.Aborted, "version conflict")
}
