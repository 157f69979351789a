package gateway

import (
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
)

// wireMessage is a response already in protobuf binary form: the upstream's
// JSON transcoded by [wirejson.AppendProto]. The gRPC server sends it as it
// is, through [serverCodec].
type wireMessage []byte

// serverCodec is grpc-go's proto codec, except that a [wireMessage] is
// written as it is instead of being marshalled: a successful call's
// response never exists as a Go message.
type serverCodec struct{ encoding.CodecV2 }

func newServerCodec() serverCodec { return serverCodec{encoding.GetCodecV2(proto.Name)} }

func (c serverCodec) Marshal(v any) (mem.BufferSlice, error) {
	if w, ok := v.(wireMessage); ok {
		return mem.BufferSlice{mem.SliceBuffer(w)}, nil
	}
	return c.CodecV2.Marshal(v)
}
