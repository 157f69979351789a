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
// with a fixed ConnectorStaged (the upstream's, decoded once) and
// UpdateConnectorStaged with a bare ABORTED: a gRPC floor that, unlike the
// health check, pays for encoding a response of the real size.
type staticServer struct {
	connectv1.UnimplementedConnectorStagedServiceServer
	get *connectv1.GetConnectorStagedResponse
}

func newStaticServer(b Bodies) (*staticServer, error) {
	cs := &connectv1.ConnectorStaged{}
	if err := wirejson.Unmarshal(b.Staged, cs); err != nil {
		return nil, fmt.Errorf("bench: decoding the ConnectorStaged body: %w", err)
	}
	return &staticServer{get: &connectv1.GetConnectorStagedResponse{ConnectorStaged: cs}}, nil
}

func registerStatic(s grpc.ServiceRegistrar, srv *staticServer) {
	connectv1.RegisterConnectorStagedServiceServer(s, srv)
}

// GetConnectorStaged returns the fixed ConnectorStaged.
func (s *staticServer) GetConnectorStaged(context.Context, *connectv1.GetConnectorStagedRequest) (*connectv1.GetConnectorStagedResponse, error) {
	return s.get, nil
}

// UpdateConnectorStaged always conflicts.
func (s *staticServer) UpdateConnectorStaged(context.Context, *connectv1.UpdateConnectorStagedRequest) (*connectv1.UpdateConnectorStagedResponse, error) {
	return nil, status.Error(codes.Aborted, "version conflict")
}
