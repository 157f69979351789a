package wirejson

import (
	"errors"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

// AppendProto appends to b the protobuf binary encoding of the message of
// type md that [Unmarshal] decodes from data, without building the message:
// JSON goes straight to wire bytes, which a gRPC server can send as they
// are. It is the gateway's fast path for successful responses.
//
// It handles the shapes of Connect's resources: objects, arrays of objects
// and of scalars, strings, booleans and integers, nulls, unknown fields.
// For anything else (input that is not well formed or does not fit md, a key
// given twice, a well-known type, an update action, a map, a scalar kind
// other than string, bool, int32 and int64) it returns b unchanged and
// false, and the caller decodes with [Unmarshal], which gives the message or
// the error. Whatever AppendProto accepts, Unmarshal decodes into an equal
// message; FuzzAppendProtoMatchesUnmarshal checks it.
func AppendProto(b, data []byte, md protoreflect.MessageDescriptor) ([]byte, bool) {
	t := transcoder{Scanner: jsoncore.NewScanner(data, maxDepth)}
	out, err := t.message(b, infoOf(md))
	if err != nil || t.Peek() != 0 {
		return b, false
	}
	return out, true
}

// AppendProtoField is [AppendProto] for a message that is field num of an
// enclosing message: it appends the field's tag, length and encoding, which
// is the whole encoding of an enclosing message whose only field it is
// (a response whose google.api.http response_body is that field).
func AppendProtoField(b []byte, num protowire.Number, data []byte, md protoreflect.MessageDescriptor) ([]byte, bool) {
	t := transcoder{Scanner: jsoncore.NewScanner(data, maxDepth)}
	out, err := t.nested(protowire.AppendTag(b, num, protowire.BytesType), infoOf(md))
	if err != nil || t.Peek() != 0 {
		return b, false
	}
	return out, true
}

// errFallback stops the transcoder: the input is left to Unmarshal.
var errFallback = errors.New("wirejson: left to Unmarshal")

// transcoder writes protobuf wire bytes while it scans JSON. Its methods
// take the output and return it longer, rather than keep it in a field: a
// slice kept in a struct would be stored through a pointer on every append,
// which costs a write barrier each time while the collector is marking.
type transcoder struct {
	jsoncore.Scanner
}

// message transcodes the object at the current position as the fields of
// mi's message, in document order (protobuf parsers accept fields in any
// order), appending them to out.
func (t *transcoder) message(out []byte, mi *messageInfo) ([]byte, error) {
	if mi.wkt != nil || mi.wrapper != nil || len(mi.fields) > 64 || t.Peek() != '{' {
		return out, errFallback
	}
	var seen uint64 // by field index: a key given twice is left to Unmarshal
	next := 0       // the field a key most likely names: the one declared after the last key's
	more, err := t.OpenObject()
	for ; more && err == nil; more, err = t.NextMember() {
		var f *wireField
		if next < len(mi.wire) && mi.wire[next].guessable && t.TakeKey(mi.wire[next].quoted) {
			f = &mi.wire[next] // bodies list fields in declaration order: the key needs no decoding
		} else {
			key, err := t.Key()
			if err != nil {
				return out, err
			}
			fd, known := mi.byJSON[string(key)]
			if !known {
				if err := t.Skip(); err != nil {
					return out, err
				}
				continue
			}
			f = &mi.wire[fd.Index()]
		}
		i := f.index
		next = i + 1
		bit := uint64(1) << i
		if seen&bit != 0 {
			return out, errFallback
		}
		seen |= bit
		if out, err = t.field(out, mi, f); err != nil {
			return out, err
		}
	}
	return out, err
}

// field transcodes the value of field f of mi's message.
func (t *transcoder) field(out []byte, mi *messageInfo, f *wireField) ([]byte, error) {
	if t.Peek() == 'n' {
		return out, t.Literal("null") // null leaves the field unset
	}
	switch {
	case f.map_:
		return out, errFallback
	case f.list:
		if t.Peek() != '[' {
			return out, errFallback
		}
		more, err := t.OpenArray()
		for ; more && err == nil; more, err = t.NextElement() {
			if t.Peek() == 'n' {
				return out, errFallback
			}
			if out, err = t.value(out, mi, f, false); err != nil {
				return out, err
			}
		}
		return out, err
	}
	return t.value(out, mi, f, f.implicit)
}

// nested transcodes a message value: its length, then its fields. The
// length is written in one byte first and widened when the encoding turns
// out longer than 127 bytes.
func (t *transcoder) nested(out []byte, mi *messageInfo) ([]byte, error) {
	start := len(out)
	out, err := t.message(append(out, 0), mi)
	if err != nil {
		return out, err
	}
	n := len(out) - start - 1
	if n < 0x80 {
		out[start] = byte(n)
		return out, nil
	}
	k := protowire.SizeVarint(uint64(n))
	for range k - 1 {
		out = append(out, 0)
	}
	copy(out[start+k:], out[start+1:start+1+n])
	protowire.AppendVarint(out[start:start], uint64(n))
	return out, nil
}

// value transcodes one value of field f of mi's message (an element when
// fd is a list). implicit is set for a field without presence, whose zero
// value proto3 does not encode.
func (t *transcoder) value(out []byte, mi *messageInfo, f *wireField, implicit bool) ([]byte, error) {
	num := f.num
	if f.message {
		return t.nested(protowire.AppendTag(out, num, protowire.BytesType), mi.child(f.fd))
	}
	c := t.Peek()
	switch f.kind {
	case protoreflect.StringKind:
		if c != '"' {
			return out, errFallback
		}
		s, err := t.StringBytes() // always valid UTF-8
		if err != nil || (implicit && len(s) == 0) {
			return out, err
		}
		return protowire.AppendBytes(protowire.AppendTag(out, num, protowire.BytesType), s), nil
	case protoreflect.BoolKind:
		var v uint64
		switch c {
		case 't':
			if err := t.Literal("true"); err != nil {
				return out, err
			}
			v = 1
		case 'f':
			if err := t.Literal("false"); err != nil || implicit {
				return out, err
			}
		default:
			return out, errFallback
		}
		return protowire.AppendVarint(protowire.AppendTag(out, num, protowire.VarintType), v), nil
	case protoreflect.Int32Kind, protoreflect.Int64Kind:
		if c != '-' && (c < '0' || c > '9') {
			return out, errFallback
		}
		b, err := t.Number()
		if err != nil {
			return out, err
		}
		n, ok := jsoncore.ParseInt(b)
		if !ok || (f.kind == protoreflect.Int32Kind && (n < -1<<31 || n >= 1<<31)) {
			return out, errFallback
		}
		if implicit && n == 0 {
			return out, nil
		}
		return protowire.AppendVarint(protowire.AppendTag(out, num, protowire.VarintType), uint64(n)), nil // int32 too: sign-extended, as protobuf encodes it
	}
	return out, errFallback
}
