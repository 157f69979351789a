package wirejson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// UnmarshalTree exports unmarshalTree to the external tests.
var UnmarshalTree = unmarshalTree

// unmarshalTree is the decoder Unmarshal replaced: encoding/json into a
// map[string]any tree, then the tree into the message. It stays as the
// oracle the streaming decoder is fuzzed against.
func unmarshalTree(data []byte, m proto.Message) error {
	proto.Reset(m)
	v, err := parseTree(data)
	if err != nil {
		return err
	}
	return decodeMessage(v, m.ProtoReflect(), "")
}

func parseTree(data []byte) (any, error) {
	if err := checkDepth(data); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &SyntaxError{Err: errors.New("empty body")}
		}
		return nil, &SyntaxError{Err: err}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &SyntaxError{Err: errors.New("data after the top-level value")}
	}
	return v, nil
}

// checkDepth rejects nesting deeper than maxDepth without parsing.
func checkDepth(data []byte) error {
	depth, inString, escaped := 0, false, false
	for _, c := range data {
		switch {
		case escaped:
			escaped = false
		case inString:
			escaped = c == '\\'
			inString = c != '"'
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > maxDepth {
				return &SyntaxError{Err: fmt.Errorf("nested deeper than %d levels", maxDepth)}
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// decodeMessage decodes v, a value as encoding/json decodes it with
// UseNumber, into m: the tree decoder's walk.
func decodeMessage(v any, m protoreflect.Message, path string) error {
	md := m.Descriptor()
	if wkt, ok := wellKnown[md.FullName()]; ok {
		if err := wkt.decode(v, m); err != nil {
			return &FieldError{Path: path, Err: err}
		}
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return &FieldError{Path: path, Err: fmt.Errorf("want a JSON object, got %s", kindOf(v))}
	}
	mi := infoOf(md)
	if mi.wrapper != nil {
		return decodeAction(obj, m, mi, path)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic first error
	for _, k := range keys {
		fd, known := mi.byJSON[k]
		val := obj[k]
		if !known || val == nil {
			continue
		}
		if err := decodeField(val, m, fd, join(path, k)); err != nil {
			return err
		}
	}
	return nil
}

func decodeAction(obj map[string]any, m protoreflect.Message, mi *messageInfo, path string) error {
	name, ok := obj["action"].(string)
	if !ok {
		return &FieldError{Path: join(path, "action"), Err: errors.New("want the name of an update action")}
	}
	fd, ok := mi.byAction[name]
	if !ok && mi.fallback != nil {
		return decodeMessage(obj, m.Mutable(mi.fallback).Message(), path)
	}
	if !ok {
		return &FieldError{Path: join(path, "action"), Err: fmt.Errorf("unknown update action %q", name)}
	}
	sub := m.Mutable(fd).Message()
	return decodeMessage(obj, sub, path)
}

func decodeField(v any, m protoreflect.Message, fd protoreflect.FieldDescriptor, path string) error {
	switch {
	case fd.IsList():
		arr, ok := v.([]any)
		if !ok {
			return &FieldError{Path: path, Err: fmt.Errorf("want a JSON array, got %s", kindOf(v))}
		}
		l := m.Mutable(fd).List()
		for i, e := range arr {
			ep := path + "[" + strconv.Itoa(i) + "]"
			if fd.Message() != nil {
				el := l.NewElement()
				if err := decodeMessage(e, el.Message(), ep); err != nil {
					return err
				}
				l.Append(el)
				continue
			}
			sv, err := scalar(fd, e)
			if err != nil {
				return &FieldError{Path: ep, Err: err}
			}
			l.Append(sv)
		}
		return nil
	case fd.IsMap():
		obj, ok := v.(map[string]any)
		if !ok {
			return &FieldError{Path: path, Err: fmt.Errorf("want a JSON object, got %s", kindOf(v))}
		}
		mp := m.Mutable(fd).Map()
		for k, e := range obj {
			kv, err := scalar(fd.MapKey(), k)
			if err != nil {
				return &FieldError{Path: join(path, k), Err: err}
			}
			if fd.MapValue().Message() != nil {
				val := mp.NewValue()
				if err := decodeMessage(e, val.Message(), join(path, k)); err != nil {
					return err
				}
				mp.Set(kv.MapKey(), val)
				continue
			}
			sv, err := scalar(fd.MapValue(), e)
			if err != nil {
				return &FieldError{Path: join(path, k), Err: err}
			}
			mp.Set(kv.MapKey(), sv)
		}
		return nil
	case fd.Message() != nil:
		return decodeMessage(v, m.Mutable(fd).Message(), path)
	default:
		sv, err := scalar(fd, v)
		if err != nil {
			return &FieldError{Path: path, Err: err}
		}
		m.Set(fd, sv)
		return nil
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
