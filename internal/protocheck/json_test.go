package protocheck_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// The protojson options the gateway uses for Connect bodies: tolerate
// fields a newer upstream adds, write Connect's camelCase names, and write
// zero values of fields that have implicit presence (the fields Connect
// always sends), while `optional` fields that are absent stay absent.
var (
	unmarshalConnect = protojson.UnmarshalOptions{DiscardUnknown: true}
	marshalConnect   = protojson.MarshalOptions{EmitDefaultValues: true}
)

// readTestdata returns the contents of a file of testdata/.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	return b
}

// decodeJSON decodes JSON into generic values, so that two documents compare
// equal when they mean the same, whatever their key order or spacing.
func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode JSON %s: %v", b, err)
	}
	return v
}

// assertSameJSON fails the test when want and got differ as JSON.
func assertSameJSON(t *testing.T, want, got []byte) {
	t.Helper()
	if diff := cmp.Diff(decodeJSON(t, want), decodeJSON(t, got)); diff != "" {
		t.Errorf("JSON differs (-want +got):\n%s", diff)
	}
}

// roundTrip decodes a Connect body into m, strictly first (every field of
// the sample must be modelled), then as the gateway does, and encodes it back.
func roundTrip(t *testing.T, in []byte, m proto.Message) []byte {
	t.Helper()
	if err := protojson.Unmarshal(in, m); err != nil {
		t.Fatalf("strict unmarshal into %T: %v", m, err)
	}
	proto.Reset(m)
	if err := unmarshalConnect.Unmarshal(in, m); err != nil {
		t.Fatalf("unmarshal into %T: %v", m, err)
	}
	out, err := marshalConnect.Marshal(m)
	if err != nil {
		t.Fatalf("marshal %T: %v", m, err)
	}
	return out
}
