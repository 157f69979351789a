package wirejson

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

// MarshalOptions configures Marshal.
type MarshalOptions struct {
	// EmitDefaults writes fields without presence even when they hold
	// their zero value (`"private": false`, `"configurations": []`), as the
	// Connect API does in its responses; fields with presence (optional
	// scalars, messages) are still written only when set. Requests leave it
	// off, so that unset fields are absent.
	EmitDefaults bool
	// Omit, when set, leaves out the top-level fields it returns true for
	// (the fields a request binds to its path, say).
	Omit func(protoreflect.FieldDescriptor) bool
}

// Marshal encodes m as Connect wire JSON with the zero MarshalOptions.
func Marshal(m proto.Message) ([]byte, error) {
	return MarshalOptions{}.Marshal(m)
}

// Marshal encodes m as Connect wire JSON.
func (o MarshalOptions) Marshal(m proto.Message) ([]byte, error) {
	return o.Append(make([]byte, 0, 256), m)
}

// Append appends the encoding of m to b.
func (o MarshalOptions) Append(b []byte, m proto.Message) ([]byte, error) {
	return o.appendMessage(b, m.ProtoReflect(), o.Omit)
}

func (o MarshalOptions) appendMessage(b []byte, m protoreflect.Message, omit func(protoreflect.FieldDescriptor) bool) ([]byte, error) {
	md := m.Descriptor()
	mi := infoOf(md)
	if mi.wkt != nil {
		return mi.wkt.encode(b, m)
	}
	if mi.wrapper != nil {
		fd := m.WhichOneof(mi.wrapper)
		if fd == nil {
			return b, fmt.Errorf("%s: no action set", md.FullName())
		}
		if fd == mi.fallback {
			if _, ok := m.Get(fd).Message().Interface().(*structpb.Struct).GetFields()["action"]; !ok {
				return b, fmt.Errorf("%s: an unknown action needs its \"action\" name", md.FullName())
			}
		}
		return o.appendMessage(b, m.Get(fd).Message(), nil)
	}
	b = append(b, '{')
	first := true
	if mi.action != "" {
		b = append(b, `"action":`...)
		b = jsoncore.AppendString(b, mi.action)
		first = false
	}
	var err error
	for _, fd := range mi.fields {
		if !o.emit(m, fd) || (omit != nil && omit(fd)) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = jsoncore.AppendString(b, fd.JSONName())
		b = append(b, ':')
		if b, err = o.appendField(b, fd, m.Get(fd)); err != nil {
			return b, fmt.Errorf("%s: %w", fd.JSONName(), err)
		}
	}
	return append(b, '}'), nil
}

func (o MarshalOptions) emit(m protoreflect.Message, fd protoreflect.FieldDescriptor) bool {
	if m.Has(fd) {
		return true
	}
	return o.EmitDefaults && !fd.HasPresence()
}

func (o MarshalOptions) appendField(b []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) ([]byte, error) {
	var err error
	switch {
	case fd.IsList():
		l := v.List()
		b = append(b, '[')
		for i := range l.Len() {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = o.appendSingular(b, fd, l.Get(i)); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case fd.IsMap():
		mp := v.Map()
		b = append(b, '{')
		first := true
		for _, k := range sortedKeys(mp) {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = jsoncore.AppendString(b, k.String())
			b = append(b, ':')
			if b, err = o.appendSingular(b, fd.MapValue(), mp.Get(k)); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	default:
		return o.appendSingular(b, fd, v)
	}
}

func (o MarshalOptions) appendSingular(b []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) ([]byte, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return strconv.AppendBool(b, v.Bool()), nil
	case protoreflect.StringKind:
		return jsoncore.AppendString(b, v.String()), nil
	case protoreflect.BytesKind:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, v.Bytes())
		return append(b, '"'), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return appendFloat(b, v.Float(), fd.Kind() == protoreflect.FloatKind)
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return jsoncore.AppendString(b, string(ev.Name())), nil
		}
		return strconv.AppendInt(b, int64(v.Enum()), 10), nil
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return o.appendMessage(b, v.Message(), nil)
	}
	return b, fmt.Errorf("unsupported field kind %v", fd.Kind())
}

func appendFloat(b []byte, f float64, single bool) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("%v is not representable in JSON", f)
	}
	bits := 64
	if single {
		bits = 32
	}
	return strconv.AppendFloat(b, f, 'g', -1, bits), nil
}

func appendTimestamp(b []byte, secs int64, nanos int32) []byte {
	t := time.Unix(secs, int64(nanos)).UTC()
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}
