package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// BenchmarkServeGRPC measures the gateway's own work on a gRPC call, with
// an upstream transport that answers from memory, so that neither sockets,
// net/http's transport nor grpc-go's are in the figure (the benchmarks in
// bench/ measure whole calls): the handler, the upstream client, and the
// response (get, and update answered 201: a ConnectorStaged encoded as the
// codec sends it) or the error (conflict: the same update answered 409
// ConcurrentModification, translated and marshalled into the trailer;
// conflict-token: the same with a bearer token of a real token's length,
// whose forms the error is searched for, where conflict's one-letter token
// is too short to be searched for).
//
//	go test ./gateway -run '^$' -bench ServeGRPC -benchmem
func BenchmarkServeGRPC(b *testing.B) {
	indented, err := os.ReadFile("../internal/protocheck/testdata/connector_staged.json")
	if err != nil {
		b.Fatal(err)
	}
	var compact bytes.Buffer // as the Connect API sends it
	if err := json.Compact(&compact, indented); err != nil {
		b.Fatal(err)
	}
	conflict := []byte(`{"statusCode":409,"message":"Object 0f8fad5b-d9cb-469f-a165-70867728950e has a different version than expected. Expected: 1 - Actual: 7.",` +
		`"errors":[{"code":"ConcurrentModification","message":"Object 0f8fad5b-d9cb-469f-a165-70867728950e has a different version than expected. Expected: 1 - Actual: 7.","currentVersion":7}]}`)
	const id = "0f8fad5b-d9cb-469f-a165-70867728950e"
	update := &connectv1.UpdateConnectorStagedRequest{Ref: &connectv1.UpdateConnectorStagedRequest_Id{Id: id}, Version: 1,
		Actions: []*connectv1.ConnectorStagedUpdateAction{{Action: &connectv1.ConnectorStagedUpdateAction_SetName{
			SetName: &connectv1.ConnectorStagedSetNameAction{Name: "bench"}}}}}
	for _, c := range []struct {
		name, method string
		status       int
		body         []byte
		req          proto.Message
		token        string
	}{
		{"get", "GetConnectorStaged", http.StatusOK, compact.Bytes(),
			&connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Id{Id: id}}, "t"},
		{"update", "UpdateConnectorStaged", http.StatusCreated, compact.Bytes(), update, "t"},
		{"conflict", "UpdateConnectorStaged", http.StatusConflict, conflict, update, "t"},
		{"conflict-token", "UpdateConnectorStaged", http.StatusConflict, conflict, update, "aVq3kP0xW7mZ-2nR8sT5yB1cD4eF6gH9"},
	} {
		b.Run(c.name, func(b *testing.B) {
			g, r := benchGateway(b, c.method, c.status, c.body)
			ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+c.token))
			ctx = grpc.NewContextWithServerTransportStream(ctx, headerStream{})
			codec := newServerCodec()
			b.ReportAllocs()
			for b.Loop() {
				resp, err := g.serveGRPC(ctx, r, c.req)
				if c.status == http.StatusConflict {
					if status.Code(err) != codes.Aborted {
						b.Fatalf("got %v, want ABORTED", err)
					}
					continue
				}
				if err != nil {
					b.Fatal(err)
				}
				bs, err := codec.Marshal(resp) // as grpc-go does, which frees the buffer once written
				if err != nil {
					b.Fatal(err)
				}
				bs.Free()
			}
		})
	}
}

// benchGateway returns a gateway whose upstream answers every request with
// status and body, from memory, and its route of the ConnectorStagedService
// method.
func benchGateway(b *testing.B, method string, code int, body []byte) (*Gateway, *route) {
	b.Helper()
	g, err := New(Options{UpstreamURL: "http://upstream.invalid", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	length := strconv.Itoa(len(body))
	answer := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode:    code,
			Header:        http.Header{"Content-Type": {"application/json"}, "Content-Length": {length}},
			Body:          io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)),
		}, nil
	})
	g.upstream, err = upstream.New(upstream.Options{
		BaseURL:       "http://upstream.invalid",
		Auth:          upstream.PassthroughAuth{},
		WrapTransport: func(http.RoundTripper) http.RoundTripper { return g.upstreamTracing(answer) },
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, rt := range g.routes {
		if rt.fullMethod == "/commercetools.connect.v1.ConnectorStagedService/"+method {
			return g, rt
		}
	}
	b.Fatalf("no route of %s", method)
	return nil, nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// headerStream is the part of a gRPC server stream serveGRPC uses: it takes
// the response header and keeps nothing.
type headerStream struct{}

func (headerStream) Method() string                  { return "" }
func (headerStream) SetHeader(metadata.MD) error     { return nil }
func (headerStream) SendHeader(metadata.MD) error    { return nil }
func (headerStream) SetTrailer(md metadata.MD) error { return nil }
