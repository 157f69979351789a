package wirejson_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/connect-gateway/connect-gateway/gateway/wirejson"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// checkAppendProto transcodes data as m's type and, when the transcoder
// takes it, checks that Unmarshal decodes data into the same message as
// proto.Unmarshal decodes the wire bytes into. It reports whether the
// transcoder took the input.
func checkAppendProto(t *testing.T, data []byte, newMsg func() proto.Message) bool {
	t.Helper()
	md := newMsg().ProtoReflect().Descriptor()
	prefix := []byte{0xAA}
	wire, ok := wirejson.AppendProto(prefix, data, md)
	if !ok {
		if len(wire) != 1 || wire[0] != 0xAA {
			t.Fatalf("%s from %q: fell back but changed the buffer to %x", md.FullName(), data, wire)
		}
		return false
	}
	want := newMsg()
	if err := wirejson.Unmarshal(data, want); err != nil {
		t.Fatalf("%s from %q: transcoded, but Unmarshal fails: %v", md.FullName(), data, err)
	}
	got := newMsg()
	if err := proto.Unmarshal(wire[1:], got); err != nil {
		t.Fatalf("%s from %q: the wire bytes do not parse: %v", md.FullName(), data, err)
	}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Fatalf("%s from %q (-Unmarshal +AppendProto):\n%s", md.FullName(), data, diff)
	}
	return true
}

// TestAppendProtoSamples: every Connect resource body takes the fast path
// and gives the message Unmarshal gives. The ones it leaves to Unmarshal are
// named: update requests (flat actions) and log pages (google.protobuf.Value
// details; a page without logs is taken).
func TestAppendProtoSamples(t *testing.T) {
	t.Parallel()
	leftToUnmarshal := map[string]bool{
		"connector_staged_update.json": true, "deployment_update.json": true,
		"deployment_log_page.json": true,
	}
	for _, s := range samples {
		t.Run(s.file, func(t *testing.T) {
			t.Parallel()
			took := checkAppendProto(t, readSample(t, s.file), s.msg)
			if took == leftToUnmarshal[s.file] {
				t.Fatalf("AppendProto took the body: %v, want %v", took, !leftToUnmarshal[s.file])
			}
		})
	}
}

// TestAppendProtoEdges covers the shapes on both sides of the fast path's
// boundary: what it takes must decode as Unmarshal decodes it, what it
// leaves must be left whole.
func TestAppendProtoEdges(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		took     bool
	}{
		{"empty object", `{}`, true},
		{"nulls and unknown fields", `{"id":null,"nope":{"a":[1,{"b":null}]},"version":3}`, true},
		{"zero values of fields without presence", `{"id":"","version":0,"private":false,"key":""}`, true},
		{"negative int32", `{"version":-7}`, true},
		{"int32 bounds", `{"version":2147483647}`, true},
		{"long nested string (two-byte lengths)", `{"creator":{"email":"` + strings.Repeat("x", 300) + `","company":"k"},"repository":{"url":"u"}}`, true},
		{"escapes and bad UTF-8", `{"id":"a\"b\u00e9\ud83d\ude00` + "\xff" + `"}`, true},
		{"empty arrays", `{"configurations":[],"integrationTypes":[],"private":true}`, true},
		{"the proto name of a field", `{"id":"x","integration_types":["a"],"creator":{}}`, true},
		{"space everywhere", " {\n \"id\" : \"x\" ,\t\"version\":1 } \n", true},
		{"fields in declaration order", `{"id":"x","key":"k","version":2,"name":"n"}`, true},
		{"fields in reverse order", `{"name":"n","version":2,"key":"k","id":"x"}`, true},
		{"a proto name where the next JSON name is expected", `{"id":"x","integration_types":["a"],"integrationTypes2":1}`, true},
		{"an escaped key naming the expected field", `{"\u0069d":"x","k\u0065y":"k"}`, true},
		{"space before the colon of an expected key", "{\"id\" \n:\"x\",\"key\"\t: \"k\"}", true},
		{"an unknown key the expected one is a prefix of", `{"id":"x","keyX":"k","key":"k2"}`, true},
		{"the expected key as an unknown key's prefix, then the field", `{"idx":1,"id":"x"}`, true},

		{"int32 overflow", `{"version":2147483648}`, false},
		{"a number as a string", `{"version":"3"}`, false},
		{"a fraction", `{"version":1.0}`, false},
		{"an exponent", `{"version":1e2}`, false},
		{"a key given twice", `{"id":"a","id":"b"}`, false},
		{"a key given again after the next", `{"id":"a","version":1,"id":"b"}`, false},
		{"JSON and proto names of one field", `{"integrationTypes":[],"integration_types":["a"]}`, false},
		{"a null in an array", `{"configurations":[null]}`, false},
		{"an object where a string goes", `{"id":{}}`, false},
		{"a string where an object goes", `{"creator":"x"}`, false},
		{"a string where an array goes", `{"integrationTypes":"x"}`, false},
		{"not an object", `[]`, false},
		{"empty", ``, false},
		{"trailing data", `{} {}`, false},
		{"truncated", `{"id":"x"`, false},
		{"truncated after an expected key", `{"id"`, false},
		{"truncated after the colon of an expected key", `{"id":`, false},
		{"an expected key without its colon", `{"id" "x"}`, false},
		{"a trailing comma", `{"id":"x",}`, false},
		{"a trailing comma in an array", `{"integrationTypes":["a",]}`, false},
		{"bad literal", `{"private":tru}`, false},
		{"deep nesting in an unknown field", `{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			took := checkAppendProto(t, []byte(c.in), func() proto.Message { return &connectv1.ConnectorStaged{} })
			if took != c.took {
				t.Fatalf("AppendProto took %q: %v, want %v", c.in, took, c.took)
			}
		})
	}
}

// TestAppendProtoField: the field form is the whole encoding of a response
// message whose response_body is that field.
func TestAppendProtoField(t *testing.T) {
	t.Parallel()
	data := readSample(t, "connector_staged.json")
	inner := &connectv1.ConnectorStaged{}
	if err := wirejson.Unmarshal(data, inner); err != nil {
		t.Fatal(err)
	}
	want := &connectv1.GetConnectorStagedResponse{ConnectorStaged: inner}
	fd := want.ProtoReflect().Descriptor().Fields().ByName("connector_staged")
	wire, ok := wirejson.AppendProtoField(nil, fd.Number(), data, fd.Message())
	if !ok {
		t.Fatal("AppendProtoField left a ConnectorStaged to Unmarshal")
	}
	got := &connectv1.GetConnectorStagedResponse{}
	if err := proto.Unmarshal(wire, got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if out, ok := wirejson.AppendProtoField([]byte{1}, fd.Number(), []byte(`{"id":1}`), fd.Message()); ok || len(out) != 1 {
		t.Fatalf("a body that does not fit: ok %v, buffer %x; want false and the buffer unchanged", ok, out)
	}
	if n, typ, _ := protowire.ConsumeTag(wire); n != fd.Number() || typ != protowire.BytesType {
		t.Fatalf("tag %d/%d, want %d/bytes", n, typ, fd.Number())
	}
}

// FuzzAppendProtoMatchesUnmarshal: whatever the transcoder takes, Unmarshal
// decodes into the message the wire bytes hold.
func FuzzAppendProtoMatchesUnmarshal(f *testing.F) {
	for _, s := range samples {
		f.Add(readSample(f, s.file))
	}
	for _, s := range []string{``, `{}`, `{"id":"a","id":"b"}`, `{"version":-0}`, `{"creator":{"email":"\u00e9"}}`,
		`{"results":[{"id":"a"},{"id":"b","version":2}]}`, `{"ref":{"id":"x"},"key":"y"}`, `{"id":"","key":""}`} {
		f.Add([]byte(s))
	}
	targets := []func() proto.Message{
		func() proto.Message { return &connectv1.ConnectorStaged{} },
		func() proto.Message { return &connectv1.Deployment{} },
		func() proto.Message { return &connectv1.ConnectorStagedPagedQueryResponse{} },
		func() proto.Message { return &connectv1.DeploymentPagedQueryResponse{} },
		func() proto.Message { return &connectv1.ConnectorSearchPagedQueryResponse{} },
		func() proto.Message { return &connectv1.GetConnectorStagedRequest{} },
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, newMsg := range targets {
			checkAppendProto(t, data, newMsg)
		}
	})
}

// BenchmarkTranscode compares the gRPC face's two ways from a Connect body
// to wire bytes: Unmarshal then proto.Marshal, and AppendProto.
//
//	go test -run '^$' -bench Transcode -benchmem -count 6 ./gateway/wirejson
func BenchmarkTranscode(b *testing.B) {
	for _, s := range []struct {
		file string
		msg  func() proto.Message
	}{
		{"connector_staged.json", func() proto.Message { return &connectv1.ConnectorStaged{} }},
		{"deployment.json", func() proto.Message { return &connectv1.Deployment{} }},
		{"deployment_page.json", func() proto.Message { return &connectv1.DeploymentPagedQueryResponse{} }},
	} {
		data := readSample(b, s.file)
		md := s.msg().ProtoReflect().Descriptor()
		b.Run("body="+s.file+"/via=message", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				m := s.msg()
				if err := wirejson.Unmarshal(data, m); err != nil {
					b.Fatal(err)
				}
				if _, err := proto.Marshal(m); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("body="+s.file+"/via=wire", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, ok := wirejson.AppendProto(make([]byte, 0, len(data)), data, md); !ok {
					b.Fatal("left to Unmarshal")
				}
			}
		})
	}
}
