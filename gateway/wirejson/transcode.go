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
	t := transcoder{Scanner: jsoncore.NewScanner(data, maxDepth), out: b}
	if t.Peek() != '{' || t.message(infoOf(md)) != nil || t.Peek() != 0 {
		return b, false
	}
	return t.out, true
}

// AppendProtoField is [AppendProto] for a message that is field num of an
// enclosing message: it appends the field's tag, length and encoding, which
// is the whole encoding of an enclosing message whose only field it is
// (a response whose google.api.http response_body is that field).
func AppendProtoField(b []byte, num protowire.Number, data []byte, md protoreflect.MessageDescriptor) ([]byte, bool) {
	t := transcoder{Scanner: jsoncore.NewScanner(data, maxDepth), out: protowire.AppendTag(b, num, protowire.BytesType)}
	if t.Peek() != '{' || t.nested(infoOf(md)) != nil || t.Peek() != 0 {
		return b, false
	}
	return t.out, true
}

// errFallback stops the transcoder: the input is left to Unmarshal.
var errFallback = errors.New("wirejson: left to Unmarshal")

// transcoder writes protobuf wire bytes while it scans JSON.
type transcoder struct {
	jsoncore.Scanner
	out []byte
}

// message transcodes the object at the current position as the fields of
// mi's message, in document order (protobuf parsers accept fields in any
// order).
func (t *transcoder) message(mi *messageInfo) error {
	if mi.wkt != nil || mi.wrapper != nil || len(mi.fields) > 64 || t.Peek() != '{' {
		return errFallback
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
				return err
			}
			fd, known := mi.byJSON[string(key)]
			if !known {
				if err := t.Skip(); err != nil {
					return err
				}
				continue
			}
			f = &mi.wire[fd.Index()]
		}
		i := f.index
		next = i + 1
		bit := uint64(1) << i
		if seen&bit != 0 {
			return errFallback
		}
		seen |= bit
		if err := t.field(mi, f); err != nil {
			return err
		}
	}
	return err
}

// field transcodes the value of field f of mi's message.
func (t *transcoder) field(mi *messageInfo, f *wireField) error {
	if t.Peek() == 'n' {
		return t.Literal("null") // null leaves the field unset
	}
	switch {
	case f.map_:
		return errFallback
	case f.list:
		if t.Peek() != '[' {
			return errFallback
		}
		more, err := t.OpenArray()
		for ; more && err == nil; more, err = t.NextElement() {
			if t.Peek() == 'n' {
				return errFallback
			}
			if err := t.value(mi, f, false); err != nil {
				return err
			}
		}
		return err
	}
	return t.value(mi, f, f.implicit)
}

// nested transcodes a message value: its length, then its fields. The
// length is written in one byte first and widened when the encoding turns
// out longer than 127 bytes.
func (t *transcoder) nested(mi *messageInfo) error {
	start := len(t.out)
	t.out = append(t.out, 0)
	if err := t.message(mi); err != nil {
		return err
	}
	n := len(t.out) - start - 1
	if n < 0x80 {
		t.out[start] = byte(n)
		return nil
	}
	k := protowire.SizeVarint(uint64(n))
	for range k - 1 {
		t.out = append(t.out, 0)
	}
	copy(t.out[start+k:], t.out[start+1:start+1+n])
	protowire.AppendVarint(t.out[start:start], uint64(n))
	return nil
}

// value transcodes one value of field f of mi's message (an element when
// fd is a list). implicit is set for a field without presence, whose zero
// value proto3 does not encode.
func (t *transcoder) value(mi *messageInfo, f *wireField, implicit bool) error {
	num := f.num
	if f.message {
		t.out = protowire.AppendTag(t.out, num, protowire.BytesType)
		return t.nested(mi.child(f.fd))
	}
	c := t.Peek()
	switch f.kind {
	case protoreflect.StringKind:
		if c != '"' {
			return errFallback
		}
		s, err := t.StringBytes() // always valid UTF-8
		if err != nil || (implicit && len(s) == 0) {
			return err
		}
		t.out = protowire.AppendTag(t.out, num, protowire.BytesType)
		t.out = protowire.AppendBytes(t.out, s)
		return nil
	case protoreflect.BoolKind:
		var v uint64
		switch c {
		case 't':
			if err := t.Literal("true"); err != nil {
				return err
			}
			v = 1
		case 'f':
			if err := t.Literal("false"); err != nil || implicit {
				return err
			}
		default:
			return errFallback
		}
		t.out = protowire.AppendTag(t.out, num, protowire.VarintType)
		t.out = protowire.AppendVarint(t.out, v)
		return nil
	case protoreflect.Int32Kind, protoreflect.Int64Kind:
		if c != '-' && (c < '0' || c > '9') {
			return errFallback
		}
		b, err := t.Number()
		if err != nil {
			return err
		}
		n, ok := jsoncore.ParseInt(b)
		if !ok || (f.kind == protoreflect.Int32Kind && (n < -1<<31 || n >= 1<<31)) {
			return errFallback
		}
		if implicit && n == 0 {
			return nil
		}
		t.out = protowire.AppendTag(t.out, num, protowire.VarintType)
		t.out = protowire.AppendVarint(t.out, uint64(n)) // int32 too: sign-extended, as protobuf encodes it
		return nil
	}
	return errFallback
}
