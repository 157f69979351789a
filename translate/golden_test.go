package translate

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
)

// goldenTarget reads what the golden call of code addressed (the request
// that plausibly produced the error) from testdata/target/<code>.json. The
// correlation id is derived from the code.
func goldenTarget(t *testing.T, code string) Target {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "target", code+".json"))
	if err != nil {
		t.Fatalf("no golden target for %s: %v", code, err)
	}
	var target Target
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&target); err != nil {
		t.Fatalf("golden target of %s: %v", code, err)
	}
	target.CorrelationID = "cid-" + strings.ToLower(strings.ReplaceAll(upperSnake(code), "_", "-")) + "-0001"
	return target
}

// goldenCall returns the status, headers, body and target of the golden
// upstream response of code.
func goldenCall(t *testing.T, e Entry) (int, http.Header, []byte, Target) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "upstream", e.Code+".json"))
	if err != nil {
		t.Fatal(err)
	}
	target := goldenTarget(t, e.Code)
	header := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	if e.Code == "BadGateway" {
		header.Set("Retry-After", "3")
	}
	return e.HTTPStatus, header, body, target
}

// TestGolden translates each catalogue code's documented body and compares
// the status and the REST body with the golden files.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, e := range Entries() {
		t.Run(e.Code, func(t *testing.T) {
			t.Parallel()
			httpStatus, header, body, target := goldenCall(t, e)
			var doc struct {
				StatusCode int `json:"statusCode"`
			}
			if err := json.Unmarshal(body, &doc); err != nil || doc.StatusCode != e.HTTPStatus {
				t.Fatalf("golden body: statusCode %d (%v), want the row's %d", doc.StatusCode, err, e.HTTPStatus)
			}
			err := FromResponse(httpStatus, header, body, target)
			pb := err.GRPCStatus().Proto()
			checkGoldenStatus(t, filepath.Join("testdata", "status", e.Code+".textproto"), pb)
			// The gRPC face's path: the wire form, written without building
			// the status, holds the same golden status.
			fresh := FromResponse(httpStatus, header, body, target)
			wire := &spb.Status{}
			if err := proto.Unmarshal([]byte(fresh.WireStatus()), wire); err != nil {
				t.Fatalf("WireStatus does not unmarshal: %v", err)
			}
			if !*update {
				checkGoldenStatus(t, filepath.Join("testdata", "status", e.Code+".textproto"), wire)
			}
			checkWireStatus(t, err, fresh)

			gotStatus, gotHeader, gotBody := ToResponse(err.GRPCStatus())
			checkGoldenJSON(t, filepath.Join("testdata", "rest", e.Code+".json"), gotBody)
			if gotStatus != e.HTTPStatus {
				t.Errorf("REST status %d, want %d", gotStatus, e.HTTPStatus)
			}
			if d := jsonDiff(body, gotBody); d != "" {
				t.Errorf("REST body differs from the upstream body (-upstream +rest):\n%s", d)
			}
			if got := gotHeader.Get("X-Correlation-ID"); got != target.CorrelationID {
				t.Errorf("X-Correlation-ID %q, want %q", got, target.CorrelationID)
			}
			checkTranslatedMeaning(t, e, err)
		})
	}
}

// checkTranslatedMeaning asserts what docs/design.md promises for a
// catalogued code (what a status carries, and the catalogue's gRPC code),
// independently of the golden files.
func checkTranslatedMeaning(t *testing.T, e Entry, err *Error) {
	t.Helper()
	pb := err.GRPCStatus().Proto()
	if got := codes.Code(pb.GetCode()); got != e.GRPCCode {
		t.Errorf("gRPC code %v, want %v", got, e.GRPCCode)
	}
	info := onlyErrorInfo(t, pb)
	if info.GetReason() != e.Reason || info.GetDomain() != DomainConnect {
		t.Errorf("ErrorInfo %s/%s, want %s/%s", info.GetDomain(), info.GetReason(), DomainConnect, e.Reason)
	}
	if info.GetMetadata()[MetadataCode] != e.Code {
		t.Errorf("metadata code %q, want %q", info.GetMetadata()[MetadataCode], e.Code)
	}
	names := detailNames(pb)
	want := []string{"google.rpc.ErrorInfo", string(e.Detail.Descriptor().FullName())}
	for _, k := range e.Spec.GetDetails() {
		want = append(want, kindMessage[k])
	}
	want = append(want, "google.rpc.RequestInfo")
	if _, ok := goldenKeepsResponse[e.Code]; ok {
		want = append(want, "commercetools.connect.errors.v1.ErrorResponse")
	}
	if !slices.Equal(names, want) {
		t.Errorf("details %v, want %v", names, want)
	}
	resp, ok := ErrorResponseOf(err)
	if !ok || len(resp.GetErrors()) != 1 || resp.GetErrors()[0].GetCode() != e.Code {
		t.Errorf("ErrorResponse %v, want one error of code %s", resp, e.Code)
	}
	_, _, body, _ := goldenCall(t, e)
	if d := jsonDiff(body, responseJSON(t, resp)); d != "" {
		t.Errorf("ErrorResponseOf differs from the upstream body (-upstream +ErrorResponseOf):\n%s", d)
	}
	if pb.GetMessage() != resp.GetMessage() {
		t.Errorf("status message %q, want the upstream message %q", pb.GetMessage(), resp.GetMessage())
	}
	if size := statusSize(pb); size > MaxStatusBytes {
		t.Errorf("status is %d bytes, over %d", size, MaxStatusBytes)
	}
}

// goldenKeepsResponse lists the golden bodies that the rest of the status
// cannot stand for, so that the status carries the whole ErrorResponse, and
// why.
var goldenKeepsResponse = map[string]string{
	"invalid_token": "the OAuth top-level members error and error_description",
}

// maxTypicalStatus bounds the marshalled status of a typical error (one
// catalogued error, a correlation id): ConcurrentModification's golden.
const maxTypicalStatus = 700

// TestStatusSize holds the typical ConcurrentModification status within
// maxTypicalStatus bytes and reports the size of every golden status.
func TestStatusSize(t *testing.T) {
	t.Parallel()
	largest, largestCode := 0, ""
	for _, e := range Entries() {
		httpStatus, header, body, target := goldenCall(t, e)
		size := statusSize(FromResponse(httpStatus, header, body, target).GRPCStatus().Proto())
		t.Logf("%-46s %4d bytes (upstream body %d bytes)", e.Code, size, len(body))
		if size > largest {
			largest, largestCode = size, e.Code
		}
		if e.Code == "ConcurrentModification" && size > maxTypicalStatus {
			t.Errorf("the typical ConcurrentModification status is %d bytes, over %d", size, maxTypicalStatus)
		}
	}
	t.Logf("largest: %s, %d bytes", largestCode, largest)
}

var kindMessage = map[errorsv1.DetailKind]string{
	errorsv1.DetailKind_DETAIL_KIND_BAD_REQUEST:          "google.rpc.BadRequest",
	errorsv1.DetailKind_DETAIL_KIND_PRECONDITION_FAILURE: "google.rpc.PreconditionFailure",
	errorsv1.DetailKind_DETAIL_KIND_RESOURCE_INFO:        "google.rpc.ResourceInfo",
	errorsv1.DetailKind_DETAIL_KIND_RETRY_INFO:           "google.rpc.RetryInfo",
	errorsv1.DetailKind_DETAIL_KIND_HELP:                 "google.rpc.Help",
}

// TestGoldenComplete fails when a catalogue code has no golden pair, or a
// golden file has no catalogue code.
func TestGoldenComplete(t *testing.T) {
	t.Parallel()
	codes := map[string]bool{}
	for _, e := range Entries() {
		codes[e.Code] = true
	}
	for dir, ext := range map[string]string{"target": ".json", "upstream": ".json", "status": ".textproto", "rest": ".json"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*"+ext))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, f := range files {
			code := strings.TrimSuffix(filepath.Base(f), ext)
			seen[code] = true
			if !codes[code] {
				t.Errorf("%s belongs to no catalogue code", f)
			}
		}
		for code := range codes {
			if !seen[code] {
				t.Errorf("testdata/%s has no file for %s", dir, code)
			}
		}
	}
}
