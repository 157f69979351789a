// Package redact removes secret values from protobuf messages before they are
// printed or logged. protobuf-go ignores the debug_redact field option when it
// prints text, JSON or %v, so the gateway applies it itself: every field
// marked `debug_redact = true` (the values of securedConfiguration) is
// replaced by [Mask] in a copy of the message.
package redact

import (
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Mask replaces a redacted string value.
const Mask = "[REDACTED]"

// Message returns m itself when it holds no secret, else a copy of m with
// every debug_redact field masked: strings become Mask, other values are
// cleared.
func Message(m proto.Message) proto.Message {
	if m == nil || !MayHoldSecret(m.ProtoReflect().Descriptor()) {
		return m
	}
	c := proto.Clone(m)
	scrub(c.ProtoReflect())
	return c
}

// String formats m as compact prototext with its secrets masked.
func String(m proto.Message) string {
	if m == nil {
		return "<nil>"
	}
	return textOf(Message(m))
}

func scrub(m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if isRedacted(fd) {
			switch {
			case fd.Kind() == protoreflect.StringKind && !fd.IsList() && !fd.IsMap():
				m.Set(fd, protoreflect.ValueOfString(Mask))
			default:
				m.Clear(fd)
			}
			return true
		}
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := range l.Len() {
				scrub(l.Get(i).Message())
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				scrub(mv.Message())
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			scrub(v.Message())
		}
		return true
	})
}

func isRedacted(fd protoreflect.FieldDescriptor) bool {
	opts, ok := fd.Options().(*descriptorpb.FieldOptions)
	return ok && opts.GetDebugRedact()
}

var secretTypes sync.Map // protoreflect.FullName -> bool

// MayHoldSecret reports whether a message of type md can hold a redacted
// field, directly or in a nested message. The answer is computed once per
// type.
func MayHoldSecret(md protoreflect.MessageDescriptor) bool {
	if v, ok := secretTypes.Load(md.FullName()); ok {
		return v.(bool)
	}
	found := walk(md, map[protoreflect.FullName]bool{})
	secretTypes.Store(md.FullName(), found)
	return found
}

func walk(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) bool {
	if seen[md.FullName()] {
		return false
	}
	seen[md.FullName()] = true
	fs := md.Fields()
	for i := range fs.Len() {
		fd := fs.Get(i)
		if isRedacted(fd) {
			return true
		}
		sub := fd.Message()
		if fd.IsMap() {
			sub = fd.MapValue().Message()
		}
		if sub != nil && walk(sub, seen) {
			return true
		}
	}
	return false
}
