package gateway

import (
	"context"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/translate"
)

// registerServices registers every route on s through one generic handler:
// a grpc.ServiceDesc per service is built from the descriptors, so no
// hand-written method exists per RPC.
func (g *Gateway) registerServices(s *grpc.Server) {
	descs := map[string]*grpc.ServiceDesc{}
	var order []string
	for _, r := range g.routes {
		sd := r.desc.Parent()
		name := string(sd.FullName())
		desc, ok := descs[name]
		if !ok {
			desc = &grpc.ServiceDesc{
				ServiceName: name,
				HandlerType: (*any)(nil),
				Metadata:    sd.ParentFile().Path(),
			}
			descs[name] = desc
			order = append(order, name)
		}
		desc.Methods = append(desc.Methods, grpc.MethodDesc{
			MethodName: string(r.desc.Name()),
			Handler:    g.grpcHandler(r),
		})
	}
	g.registerStreams(descs)
	for _, name := range order {
		s.RegisterService(descs[name], g)
	}
}

func (g *Gateway) grpcHandler(r *route) grpc.MethodHandler {
	h := func(ctx context.Context, req any) (any, error) {
		return g.serveGRPC(ctx, r, req.(proto.Message))
	}
	return func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
		req := r.input.New().Interface()
		if err := dec(req); err != nil {
			return nil, err
		}
		if ic == nil {
			return h(ctx, req)
		}
		return ic(ctx, req, &grpc.UnaryServerInfo{Server: srv, FullMethod: r.fullMethod}, h)
	}
}

// serveGRPC handles one gRPC call: the correlation id and the bearer token
// come from metadata, the correlation id goes back in the response headers.
//
// A successful answer is a [mem.Buffer] (see [serverCodec]) when the upstream's body was
// transcoded straight to protobuf binary, a proto.Message otherwise.
func (g *Gateway) serveGRPC(ctx context.Context, r *route, req proto.Message) (any, error) {
	start := time.Now()
	ctx = g.grpcTraceContext(ctx)
	in := callIn{
		face:          faceGRPC,
		wireBody:      true,
		correlationID: correlationID(first(ctx, "x-correlation-id")),
		bearer:        bearerToken(first(ctx, "authorization")),
	}
	_ = grpc.SetHeader(ctx, metadata.MD{"x-correlation-id": {in.correlationID}})
	resp, out, err := g.invoke(ctx, r, req, in)
	err = g.scrubCall(err, &out, in, req)
	g.finish(ctx, r, in, out, err, start)
	if err != nil {
		return nil, grpcError(ctx, err)
	}
	if out.wire != nil {
		return out.wire, nil
	}
	return resp, nil
}

// statusDetailsKey is the trailer in which gRPC carries the whole status
// (a marshalled google.rpc.Status, base64-encoded on the wire).
const statusDetailsKey = "grpc-status-details-bin"

// grpcError returns the error grpc-go is to send for err. A translated
// error's status goes out as [translate.Error.WireStatus], written once
// straight from the translation, in the grpc-status-details-bin trailer,
// and grpc-go gets a status of the same code and message
// ([translate.Error.Message]) without details: it then sends that trailer
// as it is (it replaces it only when the returned status has details),
// instead of copying the status (status.FromProto clones it) and
// marshalling it by reflection on every failed call, and the status itself
// is never built. Clients decode the same status from the same trailer. Any
// other error is returned as it is.
func grpcError(ctx context.Context, err error) error {
	te, ok := err.(*translate.Error) // as invoke returns it; scrubCall's copies are plain statuses
	if !ok || te == nil {
		return err
	}
	if grpc.SetTrailer(ctx, metadata.MD{statusDetailsKey: {te.WireStatus()}}) != nil {
		return err
	}
	return status.Error(te.Code(), te.Message())
}

// first returns the first value of the incoming metadata key (lower case),
// without copying the rest of the metadata.
func first(ctx context.Context, key string) string {
	if v := metadata.ValueFromIncomingContext(ctx, key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// bearerToken returns the token of an `authorization: Bearer <token>`
// value, or "" when there is none.
func bearerToken(v string) string {
	scheme, token, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
