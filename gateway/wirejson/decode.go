package wirejson

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

// maxDepth bounds the nesting of decoded JSON, so that hostile input cannot
// exhaust the stack.
const maxDepth = 64

// SyntaxError reports JSON that is not well formed, or nested too deeply.
type SyntaxError = jsoncore.SyntaxError

// FieldError reports JSON that is well formed but does not fit the message:
// a wrong type, an unknown action, an out-of-range number.
type FieldError struct {
	Path string // JSON path of the offending value, such as "actions[0].name"
	Err  error
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}
func (e *FieldError) Unwrap() error { return e.Err }

// scalar converts a decoded JSON value into a protobuf scalar of fd's kind.
// Numbers are also accepted as strings, as in the canonical JSON mapping.
func scalar(fd protoreflect.FieldDescriptor, v any) (protoreflect.Value, error) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		if s, ok := v.(string); ok {
			return protoreflect.ValueOfString(s), nil
		}
	case protoreflect.BoolKind:
		switch b := v.(type) {
		case bool:
			return protoreflect.ValueOfBool(b), nil
		case string:
			if p, err := strconv.ParseBool(b); err == nil {
				return protoreflect.ValueOfBool(p), nil
			}
		}
	case protoreflect.BytesKind:
		if s, ok := v.(string); ok {
			raw, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				if raw, err = base64.URLEncoding.DecodeString(s); err != nil {
					return protoreflect.Value{}, errors.New("want base64")
				}
			}
			return protoreflect.ValueOfBytes(raw), nil
		}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, err := integer(v, 32)
		return protoreflect.ValueOfInt32(int32(n)), err
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, err := integer(v, 64)
		return protoreflect.ValueOfInt64(n), err
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		n, err := unsigned(v, 32)
		return protoreflect.ValueOfUint32(uint32(n)), err
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		n, err := unsigned(v, 64)
		return protoreflect.ValueOfUint64(n), err
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		f, err := float(v)
		if fd.Kind() == protoreflect.FloatKind {
			return protoreflect.ValueOfFloat32(float32(f)), err
		}
		return protoreflect.ValueOfFloat64(f), err
	case protoreflect.EnumKind:
		switch e := v.(type) {
		case string:
			if ev := fd.Enum().Values().ByName(protoreflect.Name(e)); ev != nil {
				return protoreflect.ValueOfEnum(ev.Number()), nil
			}
			return protoreflect.Value{}, fmt.Errorf("unknown %s value %q", fd.Enum().Name(), e)
		case json.Number:
			n, err := integer(e, 32)
			return protoreflect.ValueOfEnum(protoreflect.EnumNumber(n)), err
		}
	}
	return protoreflect.Value{}, fmt.Errorf("want %s, got %s", want(fd.Kind()), kindOf(v))
}

func integer(v any, bits int) (int64, error) {
	s, err := numberText(v)
	if err != nil {
		return 0, err
	}
	// Integral values written with an exponent or a fraction (3.0, 1e2) too.
	n, ok := jsoncore.ParseIntegral(s, bits)
	if !ok {
		return 0, fmt.Errorf("want a %d-bit integer, got %s", bits, s)
	}
	return n, nil
}

func unsigned(v any, bits int) (uint64, error) {
	s, err := numberText(v)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(s, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("want an unsigned %d-bit integer, got %s", bits, s)
	}
	return n, nil
}

func float(v any) (float64, error) {
	s, err := numberText(v)
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("want a number, got %s", s)
	}
	return f, nil
}

func numberText(v any) (string, error) {
	switch n := v.(type) {
	case json.Number:
		return n.String(), nil
	case string:
		return n, nil
	}
	return "", fmt.Errorf("want a number, got %s", kindOf(v))
}

// want names the JSON kind that a scalar field of kind k takes.
func want(k protoreflect.Kind) string {
	var want jsoncore.Kind
	switch k {
	case protoreflect.StringKind, protoreflect.BytesKind:
		want = jsoncore.String
	case protoreflect.BoolKind:
		return jsoncore.Bool.Article()
	case protoreflect.EnumKind:
		return "an enum name"
	default:
		want = jsoncore.Number
	}
	return want.Article()
}

// kindOf names the kind of a decoded JSON value (see [jsoncore.Scanner.Value]).
func kindOf(v any) string {
	var k jsoncore.Kind
	switch v.(type) {
	case nil:
		k = jsoncore.Null
	case bool:
		k = jsoncore.Bool
	case json.Number:
		k = jsoncore.Number
	case string:
		k = jsoncore.String
	case []any:
		k = jsoncore.Array
	case map[string]any:
		k = jsoncore.Object
	default:
		return fmt.Sprintf("%T", v)
	}
	return k.Article()
}
