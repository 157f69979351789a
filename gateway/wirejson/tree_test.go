package wirejson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/proto"
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
