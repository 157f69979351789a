package wirejson_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/gateway/wirejson"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// BenchmarkUnmarshal decodes Connect bodies with the streaming decoder
// (decoder=stream) and with the encoding/json map tree it replaced
// (decoder=tree), the gateway's hottest step on a successful call.
//
//	go test -run '^$' -bench Unmarshal -benchmem -count 6 ./gateway/wirejson
func BenchmarkUnmarshal(b *testing.B) {
	cases := []struct {
		file string
		msg  func() proto.Message
	}{
		{"connector_staged.json", func() proto.Message { return &connectv1.ConnectorStaged{} }},
		{"deployment.json", func() proto.Message { return &connectv1.Deployment{} }},
		{"connector_staged_update.json", func() proto.Message { return &connectv1.UpdateConnectorStagedRequest{} }},
		{"deployment_log_page.json", func() proto.Message { return &connectv1.DeploymentLogCursorPagedQueryResponse{} }},
	}
	decoders := []struct {
		name string
		fn   func([]byte, proto.Message) error
	}{{"stream", wirejson.Unmarshal}, {"tree", wirejson.UnmarshalTree}}
	for _, c := range cases {
		data := readSample(b, c.file)
		for _, d := range decoders {
			b.Run("body="+c.file+"/decoder="+d.name, func(b *testing.B) {
				m := c.msg()
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					if err := d.fn(data, m); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkMarshal encodes the same bodies, as the REST face writes them.
func BenchmarkMarshal(b *testing.B) {
	data := readSample(b, "connector_staged.json")
	var cs connectv1.ConnectorStaged
	if err := wirejson.Unmarshal(data, &cs); err != nil {
		b.Fatal(err)
	}
	opts := wirejson.MarshalOptions{EmitDefaults: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := opts.Marshal(&cs); err != nil {
			b.Fatal(err)
		}
	}
}
