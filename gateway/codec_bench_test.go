package gateway

import (
	"os"
	"testing"

	"google.golang.org/grpc/mem"

	"github.com/connect-gateway/connect-gateway/gateway/wirejson"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// BenchmarkWireMessage transcodes a Connector body and hands it to the
// server codec as grpc-go does, in a buffer of grpc-go's pool (what the
// gRPC face does) and in a fresh slice per call.
func BenchmarkWireMessage(b *testing.B) {
	body, err := os.ReadFile("../internal/protocheck/testdata/connector.json")
	if err != nil {
		b.Fatal(err)
	}
	desc := (&connectv1.Connector{}).ProtoReflect().Descriptor()
	if _, ok := wirejson.AppendProto(nil, body, desc); !ok {
		b.Fatal("the body is not transcoded")
	}
	codec := newServerCodec()
	b.Run("pooled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf := mem.DefaultBufferPool().Get(len(body) + 8)
			*buf, _ = wirejson.AppendProto((*buf)[:0], body, desc)
			bs, _ := codec.Marshal(mem.NewBuffer(buf, mem.DefaultBufferPool()))
			bs.Free()
		}
	})
	b.Run("fresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, _ := wirejson.AppendProto(make([]byte, 0, len(body)+8), body, desc)
			bs, _ := codec.Marshal(mem.SliceBuffer(out))
			bs.Free()
		}
	})
}
