package bench

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"

	"google.golang.org/grpc"

	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	"github.com/connect-gateway/connect-gateway/gateway/wirejson"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// staticServer is a ConnectorStagedService that answers GetConnectorStaged
// with a fixed ConnectorStaged (the upstream's, decoded once),
// UpdateConnectorStaged at the current version with the updated one, and
// at any other version with the status the gateway makes of the upstream's
// 409: a gRPC floor that, unlike the health check, pays for carrying a
// response, or a status with its details, of the real size.
//
// The statuses are translated once, for staticConflicts correlation ids
// generated as the gateway generates them, and answered in turn: like the
// gateway's, each call's status differs from the last ones (its
// RequestInfo), so that HPACK cannot send it as an index into its dynamic
// table (4 KiB, a few such trailers) and the client decodes all of it, as
// from the gateway.
type staticServer struct {
	connectv1.UnimplementedConnectorStagedServiceServer
	version   int32
	get       *connectv1.GetConnectorStagedResponse
	updated   *connectv1.UpdateConnectorStagedResponse
	conflicts []error
	next      atomic.Uint32
}

// staticConflicts is the number of distinct conflict statuses, far more
// than HPACK's dynamic table holds.
const staticConflicts = 64

func newStaticServer(b Bodies) (*staticServer, error) {
	cs, updated := &connectv1.ConnectorStaged{}, &connectv1.ConnectorStaged{}
	if err := wirejson.Unmarshal(b.Staged, cs); err != nil {
		return nil, fmt.Errorf("bench: decoding the ConnectorStaged body: %w", err)
	}
	if err := wirejson.Unmarshal(b.Updated, updated); err != nil {
		return nil, fmt.Errorf("bench: decoding the updated ConnectorStaged body: %w", err)
	}
	conflicts := make([]error, staticConflicts)
	for i := range conflicts {
		conflicts[i] = translate.FromResponse(http.StatusConflict, http.Header{"Content-Type": jsonContentType}, b.Conflict,
			translate.Target{ResourceType: "ConnectorStaged", ID: b.ID, CorrelationID: upstream.NewCorrelationID()}).GRPCStatus().Err()
	}
	return &staticServer{
		version:   b.Version,
		get:       &connectv1.GetConnectorStagedResponse{ConnectorStaged: cs},
		updated:   &connectv1.UpdateConnectorStagedResponse{ConnectorStaged: updated},
		conflicts: conflicts,
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
	return nil, s.conflicts[s.next.Add(1)%staticConflicts]
}
