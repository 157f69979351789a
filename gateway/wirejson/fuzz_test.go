package wirejson_test

import (
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
