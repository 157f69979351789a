package redact

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Secrets returns the non-empty values of every debug_redact string field
// of m (the values of securedConfiguration), so that text made from a call
// (an upstream error that echoes the request) can be searched for them. It
// returns nil when m's type cannot hold a secret, without walking m.
func Secrets(m proto.Message) []string {
	if m == nil || !MayHoldSecret(m.ProtoReflect().Descriptor()) {
		return nil
	}
	var out []string
	collect(m.ProtoReflect(), &out)
	return out
}

func collect(m protoreflect.Message, out *[]string) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case isRedacted(fd) && fd.Kind() == protoreflect.StringKind:
			switch {
			case fd.IsList():
				l := v.List()
				for i := range l.Len() {
					appendNonEmpty(out, l.Get(i).String())
				}
			case fd.IsMap():
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					appendNonEmpty(out, mv.String())
					return true
				})
			default:
				appendNonEmpty(out, v.String())
			}
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := range l.Len() {
				collect(l.Get(i).Message(), out)
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				collect(mv.Message(), out)
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			collect(v.Message(), out)
		}
		return true
	})
}

func appendNonEmpty(out *[]string, s string) {
	if s != "" {
		*out = append(*out, s)
	}
}
