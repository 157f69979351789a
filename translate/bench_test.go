package translate

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
)

// benchBodies are the benchmark inputs: a typical single error, a
// three-error validation failure, and a 2,000-error body (far over the
// status bound, so it also measures truncation).
var benchBodies = []struct {
	name   string
	status int
	body   []byte
}{
	{"typical", 409, []byte(`{"statusCode":409,"message":"Object id=b7e6f5d4-3c2b-4a19-8e7f-6d5c4b3a2918 or key=tax-connector has a different version than expected. Expected: 3 - Actual: 5)","errors":[{"code":"ConcurrentModification","message":"Object id=b7e6f5d4-3c2b-4a19-8e7f-6d5c4b3a2918 or key=tax-connector has a different version than expected. Expected: 3 - Actual: 5)","expectedVersion":3,"currentVersion":5}]}`)},
	{"three", 400, threeErrorBody()},
	{"2000", 400, manyErrorBody(2000)},
}

func threeErrorBody() []byte {
	return []byte(`{"statusCode":400,"message":"Deployment global configuration requires standard with key CTP_REGION.","errors":[` +
		`{"code":"DeploymentMissingGlobalConfigurationKey","message":"Deployment global configuration requires standard with key CTP_REGION."},` +
		`{"code":"DeploymentUnknownGlobalConfigurationKey","message":"Deployment global configuration does not require secret with key LEGACY_TOKEN."},` +
		`{"code":"InvalidJsonInput","message":"Request body does not contain valid JSON.","detailedErrorMessage":"region: Value 'mars-1' is not a Region"}]}`)
}

func manyErrorBody(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"statusCode":400,"message":"Request body does not contain valid JSON.","errors":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"code":"InvalidJsonInput","message":"Request body does not contain valid JSON.","detailedErrorMessage":"configurations[%d].key: Missing required value"}`, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

var benchTarget = Target{ResourceType: "ConnectorStaged", ID: "b7e6f5d4-3c2b-4a19-8e7f-6d5c4b3a2918", CorrelationID: "cid-bench-0001"}

var benchHeader = http.Header{"Content-Type": {"application/json"}}

// BenchmarkFromResponse is the translation: FromResponse and the status it
// builds on first use ([Error.StatusProto]).
func BenchmarkFromResponse(b *testing.B) {
	for _, bb := range benchBodies {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bb.body)))
			for b.Loop() {
				if FromResponse(bb.status, benchHeader, bb.body, benchTarget).StatusProto() == nil {
					b.Fatal("nil")
				}
			}
		})
	}
}

// BenchmarkFromResponseUnbuilt is what the REST face pays for an upstream
// error it answers with Connect's own bytes: FromResponse, whose status is
// never built (the body checked and indexed, its code looked up).
func BenchmarkFromResponseUnbuilt(b *testing.B) {
	for _, bb := range benchBodies {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bb.body)))
			for b.Loop() {
				if e := FromResponse(bb.status, benchHeader, bb.body, benchTarget); e == nil {
					b.Fatal("nil")
				}
			}
		})
	}
}

// BenchmarkFromResponseGRPCStatus adds what a gRPC handler pays next: the
// status.Status that grpc-go asks for (a copy of the proto).
func BenchmarkFromResponseGRPCStatus(b *testing.B) {
	for _, bb := range benchBodies {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = FromResponse(bb.status, benchHeader, bb.body, benchTarget).GRPCStatus()
			}
		})
	}
}

// BenchmarkFromResponseSent is what a failed gRPC call costs the server
// between the upstream's answer and HPACK: "status" as grpc-go does it for
// a status with details (the status copied by GRPCStatus, then marshalled
// for grpc-status-details-bin), "wire" as the gateway hands it over (the
// status marshalled once by WireStatus).
func BenchmarkFromResponseSent(b *testing.B) {
	for _, bb := range benchBodies {
		b.Run(bb.name+"/status", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e := FromResponse(bb.status, benchHeader, bb.body, benchTarget)
				_ = e.GRPCStatus()
				if _, err := proto.Marshal(e.StatusProto()); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bb.name+"/wire", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = FromResponse(bb.status, benchHeader, bb.body, benchTarget).WireStatus()
			}
		})
	}
}

func BenchmarkToResponse(b *testing.B) {
	for _, bb := range benchBodies {
		st := FromResponse(bb.status, benchHeader, bb.body, benchTarget).GRPCStatus()
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if code, _, _ := ToResponse(st); code != bb.status {
					b.Fatalf("status %d", code)
				}
			}
		})
	}
}
