package wirejson

import (
	"fmt"
	"slices"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

// wkt is the JSON form of a well-known type.
type wkt struct {
	encode func(b []byte, m protoreflect.Message) ([]byte, error)
	decode func(v any, m protoreflect.Message) error
}

var wellKnown map[protoreflect.FullName]wkt

func init() {
	wellKnown = map[protoreflect.FullName]wkt{
		"google.protobuf.Value":     {encodeStructpb, decodeValue},
		"google.protobuf.Struct":    {encodeStructpb, decodeStruct},
		"google.protobuf.ListValue": {encodeStructpb, decodeList},
		"google.protobuf.Timestamp": {encodeTimestamp, decodeTimestamp},
	}
	for _, name := range []protoreflect.FullName{
		"google.protobuf.StringValue", "google.protobuf.BoolValue",
		"google.protobuf.Int32Value", "google.protobuf.Int64Value",
		"google.protobuf.UInt32Value", "google.protobuf.UInt64Value",
		"google.protobuf.FloatValue", "google.protobuf.DoubleValue",
		"google.protobuf.BytesValue",
	} {
		wellKnown[name] = wkt{encodeWrapper, decodeWrapper}
	}
}

func encodeStructpb(b []byte, m protoreflect.Message) ([]byte, error) {
	switch v := m.Interface().(type) {
	case *structpb.Value:
		return appendValue(b, v)
	case *structpb.Struct:
		return appendStruct(b, v)
	case *structpb.ListValue:
		return appendList(b, v)
	}
	return b, fmt.Errorf("%s: not a structpb message", m.Descriptor().FullName())
}

func appendValue(b []byte, v *structpb.Value) ([]byte, error) {
	switch k := v.GetKind().(type) {
	case nil, *structpb.Value_NullValue:
		return append(b, "null"...), nil
	case *structpb.Value_BoolValue:
		if k.BoolValue {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case *structpb.Value_NumberValue:
		return appendFloat(b, k.NumberValue, false)
	case *structpb.Value_StringValue:
		return jsoncore.AppendString(b, k.StringValue), nil
	case *structpb.Value_StructValue:
		return appendStruct(b, k.StructValue)
	case *structpb.Value_ListValue:
		return appendList(b, k.ListValue)
	}
	return b, fmt.Errorf("unknown google.protobuf.Value kind %T", v.GetKind())
}

func appendStruct(b []byte, s *structpb.Struct) ([]byte, error) {
	keys := make([]string, 0, len(s.GetFields()))
	for k := range s.GetFields() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	var err error
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsoncore.AppendString(b, k)
		b = append(b, ':')
		if b, err = appendValue(b, s.GetFields()[k]); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

func appendList(b []byte, l *structpb.ListValue) ([]byte, error) {
	b = append(b, '[')
	var err error
	for i, v := range l.GetValues() {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendValue(b, v); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

func encodeTimestamp(b []byte, m protoreflect.Message) ([]byte, error) {
	fs := m.Descriptor().Fields()
	return appendTimestamp(b, m.Get(fs.ByName("seconds")).Int(), int32(m.Get(fs.ByName("nanos")).Int())), nil
}

func encodeWrapper(b []byte, m protoreflect.Message) ([]byte, error) {
	fd := m.Descriptor().Fields().ByName("value")
	return MarshalOptions{}.appendSingular(b, fd, m.Get(fd))
}

func decodeValue(v any, m protoreflect.Message) error {
	pv, err := structpb.NewValue(v)
	if err != nil {
		return err
	}
	return copyInto(m, pv.ProtoReflect())
}

func decodeStruct(v any, m protoreflect.Message) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("want a JSON object, got %s", kindOf(v))
	}
	s, err := structpb.NewStruct(obj)
	if err != nil {
		return err
	}
	return copyInto(m, s.ProtoReflect())
}

func decodeList(v any, m protoreflect.Message) error {
	arr, ok := v.([]any)
	if !ok {
		return fmt.Errorf("want a JSON array, got %s", kindOf(v))
	}
	l, err := structpb.NewList(arr)
	if err != nil {
		return err
	}
	return copyInto(m, l.ProtoReflect())
}

func decodeTimestamp(v any, m protoreflect.Message) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("want an RFC 3339 string, got %s", kindOf(v))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 time: %w", err)
	}
	return copyInto(m, timestamppb.New(t).ProtoReflect())
}

func decodeWrapper(v any, m protoreflect.Message) error {
	fd := m.Descriptor().Fields().ByName("value")
	pv, err := scalar(fd, v)
	if err != nil {
		return err
	}
	m.Set(fd, pv)
	return nil
}

// copyInto copies src into dst, two messages of the same type that may come
// from different Go types (dynamic and generated).
func copyInto(dst, src protoreflect.Message) error {
	if dst.Descriptor().FullName() != src.Descriptor().FullName() {
		return fmt.Errorf("cannot copy %s into %s", src.Descriptor().FullName(), dst.Descriptor().FullName())
	}
	src.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		dst.Set(fd, v)
		return true
	})
	return nil
}
