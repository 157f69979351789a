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
	"google.golang.org/grpc/metadata"

	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// BenchmarkServeGRPC measures the gateway's own work on a successful gRPC
// GetConnectorStaged: the handler, the upstream client and the encoding of
// the response, with an upstream transport that answers from memory, so
// that neither sockets, net/http's transport nor grpc-go's are in the
// figure (the benchmarks in bench/ measure whole calls).
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
	body := compact.Bytes()
	g, err := New(Options{UpstreamURL: "http://upstream.invalid", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	length := strconv.Itoa(len(body))
	answer := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode:    http.StatusOK,
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
	var r *route
	for _, rt := range g.routes {
		if rt.fullMethod == "/commercetools.connect.v1.ConnectorStagedService/GetConnectorStaged" {
			r = rt
		}
	}
	req := &connectv1.GetConnectorStagedRequest{Ref: &connectv1.GetConnectorStagedRequest_Id{Id: "0f8fad5b-d9cb-469f-a165-70867728950e"}}
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer t"))
	ctx = grpc.NewContextWithServerTransportStream(ctx, headerStream{})
	codec := newServerCodec()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := g.serveGRPC(ctx, r, req)
		if err != nil {
			b.Fatal(err)
		}
		bs, err := codec.Marshal(resp) // as grpc-go does, which frees the buffer once written
		if err != nil {
			b.Fatal(err)
		}
		bs.Free()
	}
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
