package redact

import (
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

func textOf(m proto.Message) string {
	return prototext.MarshalOptions{}.Format(m)
}
