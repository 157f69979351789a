package gateway

import (
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
)

// wireMessage is a response already in protobuf binary form: the upstream's
// JSON transcoded by [wirejson.AppendProto]. The gRPC server sends it as it
// is, through [serverCodec]. When pooled, buf came from grpc-go's default
// buffer pool and goes back to it once grpc-go has written it.
type wireMessage struct {
	buf    *[]byte
	pooled bool
}

// serverCodec is grpc-go's proto codec, except that a [wireMessage] is
// written as it is instead of being marshalled: a successful call's
// response never exists as a Go message.
type serverCodec struct{ encoding.CodecV2 }

func newServerCodec() serverCodec { return serverCodec{encoding.GetCodecV2(proto.Name)} }

func (c serverCodec) Marshal(v any) (mem.BufferSlice, error) {
	if w, ok := v.(wireMessage); ok {
		if w.pooled {
			return mem.BufferSlice{mem.NewBuffer(w.buf, mem.DefaultBufferPool())}, nil
		}
		return mem.BufferSlice{mem.SliceBuffer(*w.buf)}, nil
	}
	return c.CodecV2.Marshal(v)
}
