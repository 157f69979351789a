package protocheck_test

import (
	"os"
	"path/filepath"
	"testing"

	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// The cost of the JSON the gateway decodes and encodes on every call: a
// full Deployment (the largest resource) and an update body with every
// ConnectorStaged action through the generic action conversion.

func benchTestdata(b *testing.B, name string) []byte {
	b.Helper()
	in, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return in
}

func BenchmarkDeploymentUnmarshal(b *testing.B) {
	in := benchTestdata(b, "deployment.json")
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		var d connectv1.Deployment
		if err := unmarshalConnect.Unmarshal(in, &d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDeploymentMarshal(b *testing.B) {
	var d connectv1.Deployment
	if err := unmarshalConnect.Unmarshal(benchTestdata(b, "deployment.json"), &d); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := marshalConnect.Marshal(&d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConnectorStagedUpdateFromWire(b *testing.B) {
	in := benchTestdata(b, "connector_staged_update.json")
	newAction := func() *connectv1.ConnectorStagedUpdateAction { return &connectv1.ConnectorStagedUpdateAction{} }
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := updateFromWire(in, newAction); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConnectorStagedUpdateToWire(b *testing.B) {
	version, actions, err := updateFromWire(benchTestdata(b, "connector_staged_update.json"),
		func() *connectv1.ConnectorStagedUpdateAction { return &connectv1.ConnectorStagedUpdateAction{} })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := updateToWire(version, actions); err != nil {
			b.Fatal(err)
		}
	}
}
