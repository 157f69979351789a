package gateway

import (
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
)

// serverCodec is grpc-go's proto codec, except that a [mem.Buffer] is
// written as it is instead of being marshalled: a successful call's
// response, the upstream's JSON transcoded to protobuf binary by
// [wirejson.AppendProto] (see [route.transcodeResponse]), never exists as a
// Go message. grpc-go frees the buffer once it has written it, which gives a
// pooled one back to its pool. The handler returns the Buffer as the
// interface value it is: a struct would be copied to the heap on every call.
// No message type implements mem.Buffer (its methods include unexported
// ones), so no message is mistaken for one.
type serverCodec struct{ encoding.CodecV2 }

func newServerCodec() serverCodec { return serverCodec{encoding.GetCodecV2(proto.Name)} }

func (c serverCodec) Marshal(v any) (mem.BufferSlice, error) {
	if b, ok := v.(mem.Buffer); ok {
		return mem.BufferSlice{b}, nil
	}
	return c.CodecV2.Marshal(v)
}
