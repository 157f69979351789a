package wirejson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/connect-gateway/connect-gateway/gateway/wirejson"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// samples are Connect JSON bodies shared with the proto-level tests.
var samples = []struct {
	file string
	msg  func() proto.Message
}{
	{"connector.json", func() proto.Message { return &connectv1.Connector{} }},
	{"connector_search_page.json", func() proto.Message { return &connectv1.ConnectorSearchPagedQueryResponse{} }},
	{"connector_staged.json", func() proto.Message { return &connectv1.ConnectorStaged{} }},
	{"connector_staged_draft.json", func() proto.Message { return &connectv1.ConnectorStagedDraft{} }},
	{"connector_staged_page.json", func() proto.Message { return &connectv1.ConnectorStagedPagedQueryResponse{} }},
	{"connector_staged_update.json", func() proto.Message { return &connectv1.UpdateConnectorStagedRequest{} }},
	{"deployment.json", func() proto.Message { return &connectv1.Deployment{} }},
	{"deployment_draft.json", func() proto.Message { return &connectv1.DeploymentDraft{} }},
	{"deployment_page.json", func() proto.Message { return &connectv1.DeploymentPagedQueryResponse{} }},
	{"deployment_update.json", func() proto.Message { return &connectv1.UpdateDeploymentRequest{} }},
	{"deployment_log_page.json", func() proto.Message { return &connectv1.DeploymentLogCursorPagedQueryResponse{} }},
	{"deployment_log_last_page.json", func() proto.Message { return &connectv1.DeploymentLogCursorPagedQueryResponse{} }},
}

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "protocheck", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRoundTripSamples decodes each Connect body and encodes it again: the
// result equals the input as JSON, `action` discriminators and integer
// numbers included.
func TestRoundTripSamples(t *testing.T) {
	t.Parallel()
	for _, s := range samples {
		t.Run(s.file, func(t *testing.T) {
			t.Parallel()
			in := readSample(t, s.file)
			m := s.msg()
			if err := wirejson.Unmarshal(in, m); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			// Update requests hold their path fields too; the body leaves them out.
			out, err := wirejson.MarshalOptions{EmitDefaults: true, Omit: func(fd protoreflect.FieldDescriptor) bool {
				od := fd.ContainingOneof()
				return (od != nil && !od.IsSynthetic()) || fd.Name() == "project_key"
			}}.Marshal(m)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if diff := jsonDiff(t, in, out); diff != "" {
				t.Errorf("round trip changed the body (-in +out):\n%s", diff)
			}
		})
	}
}

// TestAgreesWithProtojson checks that, for messages without actions, the
// decoded message equals what protojson decodes: the codec differs from the
// canonical mapping only where Connect's JSON does.
func TestAgreesWithProtojson(t *testing.T) {
	t.Parallel()
	for _, s := range samples {
		if strings.Contains(s.file, "update") {
			continue
		}
		t.Run(s.file, func(t *testing.T) {
			t.Parallel()
			in := readSample(t, s.file)
			got, want := s.msg(), s.msg()
			if err := wirejson.Unmarshal(in, got); err != nil {
				t.Fatal(err)
			}
			if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(in, want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
				t.Errorf("wirejson and protojson disagree (-protojson +wirejson):\n%s", diff)
			}
		})
	}
}

func TestUpdateActionsAreFlat(t *testing.T) {
	t.Parallel()
	req := &connectv1.UpdateConnectorStagedRequest{
		Ref:     &connectv1.UpdateConnectorStagedRequest_Id{Id: "cs-1"},
		Version: 3,
		Actions: []*connectv1.ConnectorStagedUpdateAction{
			{Action: &connectv1.ConnectorStagedUpdateAction_SetName{SetName: &connectv1.ConnectorStagedSetNameAction{Name: "n"}}},
			{Action: &connectv1.ConnectorStagedUpdateAction_Publish{Publish: &connectv1.ConnectorStagedPublishAction{Certification: true}}},
		},
	}
	got, err := wirejson.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"cs-1","version":3,"actions":[{"action":"setName","name":"n"},{"action":"publish","certification":true}]}`
	if diff := jsonDiff(t, []byte(want), got); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
	var back connectv1.UpdateConnectorStagedRequest
	if err := wirejson.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(req, &back, protocmp.Transform()); diff != "" {
		t.Errorf("Unmarshal (-want +got):\n%s", diff)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		path     string // the FieldError path; empty for a SyntaxError
		contains string
	}{
		{"empty", ``, "", "empty body"},
		{"truncated", `{"name":`, "", "malformed JSON"},
		{"trailing data", `{} {}`, "", "after the top-level value"},
		{"not an object", `[1]`, "", "want a JSON object"},
		{"wrong type", `{"name": 3}`, "name", "want a string, got a number"},
		{"missing action", `{"version":1,"actions":[{"name":"x"}]}`, "actions[0].action", "want the name of an update action"},
		{"int out of range", `{"version": 4294967296}`, "version", "32-bit integer"},
		{"fraction", `{"version": 1.5}`, "version", "32-bit integer"},
		{"deep nesting", strings.Repeat("[", 100) + strings.Repeat("]", 100), "", "nested deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var m connectv1.UpdateConnectorStagedRequest
			if tt.name == "wrong type" {
				err := wirejson.Unmarshal([]byte(tt.in), &connectv1.ConnectorStagedDraft{})
				checkErr(t, err, tt.path, tt.contains)
				return
			}
			checkErr(t, wirejson.Unmarshal([]byte(tt.in), &m), tt.path, tt.contains)
		})
	}
}

func checkErr(t *testing.T, err error, path, contains string) {
	t.Helper()
	if err == nil {
		t.Fatal("Unmarshal succeeded, want an error")
	}
	if !strings.Contains(err.Error(), contains) {
		t.Errorf("error %q does not say %q", err, contains)
	}
	var fe *wirejson.FieldError
	var se *wirejson.SyntaxError
	switch {
	case path == "" && !errors.As(err, &se) && !errors.As(err, &fe):
		t.Errorf("error %T is neither a SyntaxError nor a FieldError", err)
	case path != "" && (!errors.As(err, &fe) || fe.Path != path):
		t.Errorf("error %v: want a FieldError at %q", err, path)
	}
}

// TestUnknownActionsPassThrough: an action the protos do not model is kept
// whole in the wrapper's unknown_action and written back as it came, so the
// upstream judges it.
func TestUnknownActionsPassThrough(t *testing.T) {
	t.Parallel()
	in := `{"version":1,"actions":[{"action":"setPrivate","private":true,"n":[1,{"x":null}]},{"action":"setName","name":"a"}]}`
	var req connectv1.UpdateConnectorStagedRequest
	if err := wirejson.Unmarshal([]byte(in), &req); err != nil {
		t.Fatal(err)
	}
	if u := req.GetActions()[0].GetUnknownAction(); u.GetFields()["action"].GetStringValue() != "setPrivate" {
		t.Fatalf("first action decoded as %v, want an unknown_action setPrivate", req.GetActions()[0])
	}
	out, err := wirejson.Marshal(&req)
	if err != nil {
		t.Fatal(err)
	}
	if diff := jsonDiff(t, []byte(in), out); diff != "" {
		t.Errorf("(-in +out):\n%s", diff)
	}
	// An unknown action without its name cannot be written.
	bad := &connectv1.UpdateConnectorStagedRequest{Actions: []*connectv1.ConnectorStagedUpdateAction{
		{Action: &connectv1.ConnectorStagedUpdateAction_UnknownAction{UnknownAction: &structpb.Struct{}}},
	}}
	if _, err := wirejson.Marshal(bad); err == nil {
		t.Error("Marshal of an unknown action without a name succeeded")
	}
}

func TestUnknownFieldsAndNullsAreIgnored(t *testing.T) {
	t.Parallel()
	var d connectv1.Deployment
	in := `{"id":"d","version":2,"newField":{"x":[1,2]},"key":null,"status":"Hibernating"}`
	if err := wirejson.Unmarshal([]byte(in), &d); err != nil {
		t.Fatal(err)
	}
	want := &connectv1.Deployment{Id: "d", Version: 2, Status: "Hibernating"}
	if diff := cmp.Diff(want, &d, protocmp.Transform()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestValuesKeepJSON(t *testing.T) {
	t.Parallel()
	in := `{"data":[{"type":"APPLICATION_JSON","deploymentId":"d","applicationName":"a","severity":"INFO","timestamp":"2024-01-01T00:00:00.123Z","details":{"n":1.5,"s":"x\u2028","l":[true,null],"o":{}}}]}`
	var page connectv1.DeploymentLogCursorPagedQueryResponse
	if err := wirejson.Unmarshal([]byte(in), &page); err != nil {
		t.Fatal(err)
	}
	want, _ := structpb.NewValue(map[string]any{"n": 1.5, "s": "x\u2028", "l": []any{true, nil}, "o": map[string]any{}})
	if diff := cmp.Diff(want, page.GetData()[0].GetDetails(), protocmp.Transform()); diff != "" {
		t.Errorf("details (-want +got):\n%s", diff)
	}
	out, err := wirejson.Marshal(&page)
	if err != nil {
		t.Fatal(err)
	}
	if diff := jsonDiff(t, []byte(in), out); diff != "" {
		t.Errorf("(-in +out):\n%s", diff)
	}
}

func TestStringsAreEscapedLikeEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"plain", `q"b\s`, "ctl\x00\x1f\t\n\r", "ü€😀", "\u2028\u2029", "<html>&", "bad\xffutf8"} {
		out, err := wirejson.Marshal(&connectv1.ConnectorStagedSetNameAction{Name: s})
		if err != nil {
			t.Fatal(err)
		}
		var back struct{ Name string }
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q: output %s is not JSON: %v", s, out, err)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if back.Name != want {
			t.Errorf("%q came back as %q", s, back.Name)
		}
	}
}

func jsonDiff(t testing.TB, a, b []byte) string {
	t.Helper()
	var x, y any
	for _, p := range []struct {
		raw []byte
		v   *any
	}{{a, &x}, {b, &y}} {
		d := json.NewDecoder(bytes.NewReader(p.raw))
		d.UseNumber()
		if err := d.Decode(p.v); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, p.raw)
		}
	}
	return cmp.Diff(x, y)
}
