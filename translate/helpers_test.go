package translate

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
)

var update = flag.Bool("update", false, "rewrite the golden outputs under testdata/")

// decodeJSON decodes JSON with numbers kept as their text.
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, &json.SyntaxError{}
	}
	return v, nil
}

// numbersEqual compares JSON numbers by text, else by value.
var numbersEqual = cmp.Comparer(func(a, b json.Number) bool {
	if a == b {
		return true
	}
	x, errX := strconv.ParseFloat(string(a), 64)
	y, errY := strconv.ParseFloat(string(b), 64)
	return errX == nil && errY == nil && x == y
})

// jsonDiff returns "" when want and got are equal as JSON (as encoding/json
// decodes them: object key order does not matter, the last of duplicate keys
// counts), else a diff.
func jsonDiff(want, got []byte) string {
	w, err := decodeJSON(want)
	if err != nil {
		return "want is not JSON: " + err.Error()
	}
	g, err := decodeJSON(got)
	if err != nil {
		return "got is not JSON: " + err.Error() + "\n" + string(got)
	}
	return cmp.Diff(w, g, numbersEqual)
}

// checkGoldenJSON compares got with the golden file, or rewrites it with
// -update.
func checkGoldenJSON(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		var out bytes.Buffer
		if err := json.Indent(&out, got, "", "  "); err != nil {
			t.Fatalf("indent %s: %v", path, err)
		}
		out.WriteByte('\n')
		writeFile(t, path, out.Bytes())
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./translate -update)", err)
	}
	if d := jsonDiff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, d)
	}
}

// checkGoldenStatus compares got with the golden prototext, or rewrites it
// with -update. Any details are compared unpacked.
func checkGoldenStatus(t *testing.T, path string, got *spb.Status) {
	t.Helper()
	if *update {
		b, err := prototext.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(got)
		if err != nil {
			t.Fatalf("marshal %s: %v", path, err)
		}
		writeFile(t, path, b)
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./translate -update)", err)
	}
	want := &spb.Status{}
	if err := prototext.Unmarshal(b, want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if d := cmp.Diff(want, got, protocmp.Transform()); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, d)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// errorInfos returns every ErrorInfo of a status.
func errorInfos(t *testing.T, pb *spb.Status) []*errdetails.ErrorInfo {
	t.Helper()
	var out []*errdetails.ErrorInfo
	for _, a := range pb.GetDetails() {
		m, err := a.UnmarshalNew()
		if err != nil {
			t.Fatalf("detail %s does not unmarshal: %v", a.GetTypeUrl(), err)
		}
		if ei, ok := m.(*errdetails.ErrorInfo); ok {
			out = append(out, ei)
		}
	}
	return out
}

// onlyErrorInfo fails unless the status has exactly one ErrorInfo, and
// returns it.
func onlyErrorInfo(t *testing.T, pb *spb.Status) *errdetails.ErrorInfo {
	t.Helper()
	eis := errorInfos(t, pb)
	if len(eis) != 1 {
		t.Fatalf("status has %d ErrorInfo details, want exactly 1:\n%v", len(eis), prototext.Format(pb))
	}
	return eis[0]
}

// detailNames lists the full names of a status's details, in order.
func detailNames(pb *spb.Status) []string {
	var out []string
	for _, a := range pb.GetDetails() {
		out = append(out, string(a.MessageName()))
	}
	return out
}

func statusSize(pb *spb.Status) int { return proto.Size(pb) }

// responseJSON renders an ErrorResponse as the REST face does.
func responseJSON(t *testing.T, resp *errorsv1.ErrorResponse) []byte {
	t.Helper()
	wire, err := marshalOpts.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	b, ok := appendErrorResponseWire(nil, wire)
	if !ok {
		t.Fatalf("ErrorResponse %v does not render", resp)
	}
	return b
}

// checkWireStatus asserts that WireStatus is the status as proto.Marshal
// writes it (deterministically, which for a status without maps of its own
// is the only way), whichever is asked for first: e's status is built, fresh
// is an Error of the same call whose WireStatus and Message are asked for
// before its status is built (the gRPC face's path, which never builds it).
func checkWireStatus(t *testing.T, e, fresh *Error) {
	t.Helper()
	pb := e.StatusProto()
	want, err := proto.MarshalOptions{Deterministic: true}.Marshal(pb)
	if err != nil {
		t.Fatal(err)
	}
	if got := fresh.Message(); got != pb.GetMessage() {
		t.Fatalf("Message() = %q before the status was built, the status has %q", got, pb.GetMessage())
	}
	wire := fresh.WireStatus()
	if wire != string(want) {
		t.Fatalf("WireStatus before the status was built = %x, proto.Marshal = %x", wire, want)
	}
	if got := e.WireStatus(); got != string(want) {
		t.Fatalf("WireStatus after the status was built = %x, proto.Marshal = %x", got, want)
	}
	decoded := &spb.Status{}
	if err := proto.Unmarshal([]byte(wire), decoded); err != nil {
		t.Fatalf("WireStatus does not unmarshal: %v", err)
	}
	if !proto.Equal(decoded, pb) {
		t.Fatalf("WireStatus unmarshals to %v, the status is %v", decoded, pb)
	}
	if got := fresh.StatusProto(); !proto.Equal(got, pb) {
		t.Fatalf("the status built after WireStatus is %v, want %v", got, pb)
	}
	if fresh.Error() != e.Error() || fresh.Message() != e.Message() {
		t.Fatalf("Error() %q and %q, Message() %q and %q", fresh.Error(), e.Error(), fresh.Message(), e.Message())
	}
}
