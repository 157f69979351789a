package wirejson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/connect-gateway/connect-gateway/gateway/wirejson"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// FuzzUnmarshal feeds arbitrary bytes to the decoder of REST-face request
// bodies. Property: no panic; whatever decodes encodes again, and that
// encoding decodes to the same message.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range samples {
		f.Add(readSample(f, s.file))
	}
	for _, s := range []string{``, `null`, `[]`, `"x"`, `{"version":"3"}`, `{"actions":[{"action":"setName","name":1}]}`,
		`{"actions":[{"action":"redeploy","configurationValues":[{"applicationName":"a","securedConfiguration":[{"key":"k","value":"v"}]}]}]}`,
		`{"version":1e2,"actions":[]}`, `{"connector":{"staged":"true"}}`, `{"details":{"x":[[[[{}]]]]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		targets := []func() proto.Message{
			func() proto.Message { return &connectv1.UpdateConnectorStagedRequest{} },
			func() proto.Message { return &connectv1.UpdateDeploymentRequest{} },
			func() proto.Message { return &connectv1.DeploymentDraft{} },
			func() proto.Message { return &connectv1.DeploymentLogCursorPagedQueryResponse{} },
		}
		for _, newMsg := range targets {
			m := newMsg()
			if err := wirejson.Unmarshal(data, m); err != nil {
				continue
			}
			out, err := wirejson.Marshal(m)
			if err != nil {
				// Only a NaN or infinity inside a Value can fail to encode,
				// and JSON cannot carry those.
				t.Fatalf("decoded %q but cannot encode it: %v", data, err)
			}
			back := newMsg()
			if err := wirejson.Unmarshal(out, back); err != nil {
				t.Fatalf("re-decoding %s: %v", out, err)
			}
			if diff := cmp.Diff(m, back, protocmp.Transform()); diff != "" {
				t.Fatalf("encode/decode changed the message (-first +second):\n%s", diff)
			}
		}
	})
}

// FuzzStreamMatchesTree checks the streaming decoder against the decoder it
// replaced (encoding/json into a map tree, then the tree into the message):
// the same messages from the same input, and the same kind of error
// (SyntaxError or FieldError; the first field error may differ, as the old
// decoder visited keys in sorted order). One difference is by design: of a
// key given twice the last value wins in both, but the stream also rejects
// an earlier value that does not fit.
func FuzzStreamMatchesTree(f *testing.F) {
	for _, s := range samples {
		f.Add(readSample(f, s.file))
	}
	for _, s := range []string{``, ` `, `null`, `[]`, `"x"`, `{"version":"3"}`, `{"version":3,"version":4}`,
		`{"name":"a","name":null}`, `{"actions":[{"name":"x","action":"setName"}]}`, `{"version":-0,"actions":[]}`,
		`{"version":1e2}`, `{"version":1.0}`, `{"version":99999999999999999999}`, `{"s":"\ud83d\ude00\ud800x\u00e9"}`,
		`{"name":"bad` + "\xff" + `utf8"}`, `{"details":{"x":[[[[{}]]]]}}`, `{} {}`, `{"a":tru}`, `{"a":01}`, `{"a":"\q"}`} {
		f.Add([]byte(s))
	}
	targets := []func() proto.Message{
		func() proto.Message { return &connectv1.UpdateConnectorStagedRequest{} },
		func() proto.Message { return &connectv1.UpdateDeploymentRequest{} },
		func() proto.Message { return &connectv1.DeploymentDraft{} },
		func() proto.Message { return &connectv1.ConnectorStaged{} },
		func() proto.Message { return &connectv1.DeploymentLogCursorPagedQueryResponse{} },
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, newMsg := range targets {
			tree, stream := newMsg(), newMsg()
			treeErr := wirejson.UnmarshalTree(data, tree)
			streamErr := wirejson.Unmarshal(data, stream)
			if errorKind(streamErr) == "FieldError" && treeErr == nil && hasDuplicateKey(data) {
				// {"a":0,"a":[]}: the tree kept only the last value; the
				// stream checks every value it reads.
				continue
			}
			if got, want := errorKind(streamErr), errorKind(treeErr); got != want {
				t.Fatalf("%T from %q: stream %s (%v), tree %s (%v)", tree, data, got, streamErr, want, treeErr)
			}
			if treeErr != nil {
				continue
			}
			if diff := cmp.Diff(tree, stream, protocmp.Transform()); diff != "" {
				t.Fatalf("%T from %q (-tree +stream):\n%s", tree, data, diff)
			}
		}
	})
}

func errorKind(err error) string {
	var se *wirejson.SyntaxError
	var fe *wirejson.FieldError
	switch {
	case err == nil:
		return "nil"
	case errors.As(err, &se):
		return "SyntaxError"
	case errors.As(err, &fe):
		return "FieldError"
	}
	return fmt.Sprintf("%T", err)
}

// hasDuplicateKey reports whether some object in the JSON data has a key
// twice.
func hasDuplicateKey(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		keys   map[string]bool
		object bool
		key    bool // the next string token is a key
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		top := len(stack) - 1
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{keys: map[string]bool{}, object: true, key: true})
				continue
			case '[':
				stack = append(stack, frame{})
				continue
			default:
				stack = stack[:top]
			}
		case string:
			if top >= 0 && stack[top].object && stack[top].key {
				if stack[top].keys[v] {
					return true
				}
				stack[top].keys[v] = true
				stack[top].key = false
				continue
			}
		}
		if top = len(stack) - 1; top >= 0 && stack[top].object {
			stack[top].key = true
		}
	}
}
