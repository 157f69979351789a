package translate

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
)

// roundTrip asserts ToResponse(FromResponse(x)) == x as JSON, with the same
// HTTP status, and that the status is within bounds and not truncated.
func roundTrip(t *testing.T, httpStatus int, body []byte) *Error {
	t.Helper()
	target := Target{CorrelationID: "cid-rt"}
	e := FromResponse(httpStatus, nil, body, target)
	pb := e.GRPCStatus().Proto()
	info := onlyErrorInfo(t, pb)
	if info.GetMetadata()[MetadataTruncated] != "" {
		t.Fatalf("status truncated for a %d-byte body", len(body))
	}
	if size := statusSize(pb); size > MaxStatusBytes {
		t.Errorf("status is %d bytes, over %d", size, MaxStatusBytes)
	}
	gotStatus, header, got := ToResponse(e.GRPCStatus())
	if gotStatus != httpStatus {
		t.Errorf("REST status %d, want %d", gotStatus, httpStatus)
	}
	if d := jsonDiff(body, got); d != "" {
		t.Errorf("round trip differs (-upstream +rest):\n%s\nrest body: %s", d, got)
	}
	if header.Get("X-Correlation-ID") != "cid-rt" || header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", header)
	}
	if !bytes.Equal(e.Parts().UpstreamBody, body) {
		t.Errorf("Parts().UpstreamBody = %q, want the upstream's body", e.Parts().UpstreamBody)
	}
	checkRESTResponse(t, e)
	checkErrorResponseOf(t, e.GRPCStatus().Err(), body)
	checkWireStatus(t, e, FromResponse(httpStatus, nil, body, target))
	return e
}

// checkErrorResponseOf asserts that ErrorResponseOf(err), whether the status
// carries the ErrorResponse or stands for it, is body, equal as JSON.
func checkErrorResponseOf(t *testing.T, err error, body []byte) {
	t.Helper()
	resp, ok := ErrorResponseOf(err)
	if !ok {
		t.Fatal("ErrorResponseOf found no ErrorResponse")
	}
	if d := jsonDiff(body, responseJSON(t, resp)); d != "" {
		t.Fatalf("ErrorResponseOf differs from the upstream body (-upstream +ErrorResponseOf):\n%s", d)
	}
}

// TestResponseDetailOnlyWhenNeeded: the ErrorResponse detail is left out
// exactly when a reader rebuilds the body from the rest of the status; in
// both cases the round trip holds.
func TestResponseDetailOnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	cm := func(extra string) string {
		return `{"statusCode":409,"message":"m","errors":[{"code":"ConcurrentModification","message":"m"` + extra + `}]}`
	}
	tests := []struct {
		name       string
		httpStatus int
		body       string
		want       bool // the status carries the ErrorResponse
	}{
		{"typical", 409, cm(`,"expectedVersion":3,"currentVersion":5`), false},
		{"no extra field", 409, cm(``), false},
		{"a field the typed message does not model, under a valid key", 409, cm(`,"hint":"re-read it","n":[1,{"a":null}],"x":-0.0,"e":""`), false},
		{"error message other than the top-level one", 409, `{"statusCode":409,"message":"top","errors":[{"code":"ConcurrentModification","message":"own"}]}`, false},
		{"strings that read as JSON", 409, cm(`,"v":"3"`), true},
		{"a string holding an object", 409, cm(`,"v":"{\"a\":1}"`), true},
		{"a string holding NaN", 409, cm(`,"v":" NaN"`), true},
		{"a string holding true", 409, cm(`,"v":"true"`), true},
		{"a string that starts like JSON but is not", 409, cm(`,"v":"3 apples","w":"null-ish"`), false},
		{"a key that is not a metadata key", 409, cm(`,"$v":1`), true},
		{"a key the gateway sets", 409, cm(`,"httpStatus":409`), true},
		{"several errors", 409, `{"statusCode":409,"message":"m","errors":[{"code":"ConcurrentModification","message":"m"},{"code":"General","message":"n"}]}`, true},
		{"no error", 409, `{"statusCode":409,"message":"m","errors":[]}`, true},
		{"a code outside the catalogue", 409, `{"statusCode":409,"message":"m","errors":[{"code":"Conflict","message":"m"}]}`, true},
		{"a top-level member", 409, `{"statusCode":409,"message":"m","errors":[{"code":"ConcurrentModification","message":"m"}],"trace":"t"}`, true},
		{"statusCode disagrees", 409, `{"statusCode":400,"message":"m","errors":[{"code":"ConcurrentModification","message":"m"}]}`, true},
		{"empty top-level message", 409, `{"statusCode":409,"message":"","errors":[{"code":"ConcurrentModification","message":"m"}]}`, true},
		{"both messages empty", 409, `{"statusCode":409,"message":"","errors":[{"code":"ConcurrentModification","message":""}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := roundTrip(t, tt.httpStatus, []byte(tt.body))
			if got := slices.Contains(detailNames(e.GRPCStatus().Proto()), "commercetools.connect.errors.v1.ErrorResponse"); got != tt.want {
				t.Errorf("status carries the ErrorResponse: %v, want %v", got, tt.want)
			}
			if slices.Contains(detailNames(e.GRPCStatus().Proto()), "google.rpc.LocalizedMessage") {
				t.Error("status carries a LocalizedMessage")
			}
		})
	}
}

// checkRESTResponse checks that ResponseOf(e) is ToResponse of e's
// status: the same HTTP status and headers, and the same body, or, when e
// keeps the upstream's body, those very bytes, equal to it as JSON unless
// the status was truncated.
func checkRESTResponse(t *testing.T, e *Error) {
	t.Helper()
	wantStatus, wantHeader, wantBody := ToResponse(e.GRPCStatus())
	gotStatus, gotHeader, gotBody := ResponseOf(e)
	if gotStatus != wantStatus || !reflect.DeepEqual(gotHeader, wantHeader) {
		t.Fatalf("ResponseOf: %d %v, ToResponse: %d %v", gotStatus, gotHeader, wantStatus, wantHeader)
	}
	if up := e.Parts().UpstreamBody; up != nil {
		if !bytes.Equal(gotBody, up) {
			t.Fatalf("ResponseOf body %q, want the upstream's %q", gotBody, up)
		}
		if truncated := onlyErrorInfo(t, e.GRPCStatus().Proto()).GetMetadata()[MetadataTruncated] != ""; truncated {
			return
		}
		if d := jsonDiff(wantBody, gotBody); d != "" {
			t.Fatalf("the upstream's body differs from ToResponse's (-ToResponse +upstream):\n%s", d)
		}
		return
	}
	if !bytes.Equal(gotBody, wantBody) {
		t.Fatalf("ResponseOf body %q, ToResponse body %q", gotBody, wantBody)
	}
}

func TestRoundTripGoldens(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/upstream/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			e, _ := Lookup(strings.TrimSuffix(filepath.Base(f), ".json"))
			roundTrip(t, e.HTTPStatus, body)
		})
	}
}

func TestRoundTripEdgeCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		httpStatus int
		body       string
		wantCode   codes.Code
		wantReason string
	}{
		{
			name:       "statusCode disagrees, catalogued code decides",
			httpStatus: 409,
			body:       `{"statusCode":400,"message":"m","errors":[{"code":"ConcurrentModification","message":"m","expectedVersion":1,"currentVersion":2}]}`,
			wantCode:   codes.Aborted,
			wantReason: "CONCURRENT_MODIFICATION",
		},
		{
			name:       "statusCode disagrees, HTTP status decides an unknown code",
			httpStatus: 503,
			body:       `{"statusCode":400,"message":"scaling","errors":[{"code":"Scaling","message":"scaling"}]}`,
			wantCode:   codes.Unavailable,
			wantReason: "SCALING",
		},
		{
			name:       "empty errors array",
			httpStatus: 404,
			body:       `{"statusCode":404,"message":"The Resource with key 'resource-key' was not found.","errors":[]}`,
			wantCode:   codes.NotFound,
			wantReason: ReasonUnknownCode,
		},
		{
			name:       "several errors, the first decides",
			httpStatus: 400,
			body: `{"statusCode":400,"message":"first","errors":[` +
				`{"code":"DuplicateField","message":"first","field":"key","duplicateValue":{"a":[1,2.50,null]}},` +
				`{"code":"InvalidJsonInput","message":"second","detailedErrorMessage":"name: Missing required value"},` +
				`{"code":"NotInTheCatalogue","message":"third","extra":true}]}`,
			wantCode:   codes.AlreadyExists,
			wantReason: "DUPLICATE_FIELD",
		},
		{
			name:       "unknown code",
			httpStatus: 429,
			body:       `{"statusCode":429,"message":"slow down","errors":[{"code":"QuotaExceeded","message":"slow down","limit":100}]}`,
			wantCode:   codes.ResourceExhausted,
			wantReason: "QUOTA_EXCEEDED",
		},
		{
			name:       "unknown top-level and error fields, exact numbers, nesting",
			httpStatus: 401,
			body: `{"statusCode":401,"message":"invalid_token","errors":[{"code":"invalid_token","message":"invalid_token",` +
				`"big":12345678901234567890,"float":1.50,"exp":1e400,"nested":{"a":{"b":[{"c":null}]}},"empty":"","list":[]}],` +
				`"error":"invalid_token","error_description":"The token expired","trace":{"id":"x","n":-0.0}}`,
			wantCode:   codes.Unauthenticated,
			wantReason: "INVALID_TOKEN",
		},
		{
			name:       "escapes, unicode and invalid UTF-8",
			httpStatus: 400,
			body:       "{\"statusCode\":400,\"message\":\"caf\\u00e9 \\\"x\\\" <b>&</b> \\n\xff\",\"errors\":[{\"code\":\"InvalidJsonInput\",\"message\":\"\\ud800 \u2028 \\t\",\"detailedErrorMessage\":\"bad \xfe\xff byte\"}]}",
			wantCode:   codes.InvalidArgument,
			wantReason: "INVALID_JSON_INPUT",
		},
		{
			name:       "duplicate keys, the last counts",
			httpStatus: 409,
			body:       `{"statusCode":1,"statusCode":409,"message":5,"message":"m","errors":[{"code":"General","code":"ConcurrentModification","message":"m","expectedVersion":"x","expectedVersion":7}],"x":1,"x":2}`,
			wantCode:   codes.Aborted,
			wantReason: "CONCURRENT_MODIFICATION",
		},
		{
			name:       "escaped key names",
			httpStatus: 404,
			body:       `{"status\u0043ode":404,"message":"gone","errors":[{"\u0063ode":"ResourceNotFound","message":"gone"}]}`,
			wantCode:   codes.NotFound,
			wantReason: "RESOURCE_NOT_FOUND",
		},
		{
			name:       "escaped code",
			httpStatus: 409,
			body:       `{"statusCode":409,"message":"m","errors":[{"code":"Concurrent\u004dodification","message":"m","expectedVersion":2}]}`,
			wantCode:   codes.Aborted,
			wantReason: "CONCURRENT_MODIFICATION",
		},
		{
			name:       "whitespace everywhere",
			httpStatus: 400,
			body:       " \n{ \"statusCode\" : 400 , \"message\" : \"m\" , \"errors\" : [ { \"code\" : \"FeatureRemoved\" , \"message\" : \"m\" , \"x\" : [ 1 , { \"y\" : \" a b \" } ] } ] , \"z\" : { } }\r\n",
			wantCode:   codes.Unimplemented,
			wantReason: "FEATURE_REMOVED",
		},
		{
			name:       "code that cannot be a reason",
			httpStatus: 418,
			body:       `{"statusCode":418,"message":"tea","errors":[{"code":"i'm a teapot","message":"tea"}]}`,
			wantCode:   codes.FailedPrecondition,
			wantReason: ReasonUnknownCode,
		},
		{
			name:       "unknown code whose reason is a catalogued one",
			httpStatus: 500,
			body:       `{"statusCode":500,"message":"m","errors":[{"code":"concurrent_modification","message":"m"}]}`,
			wantCode:   codes.Internal,
			wantReason: ReasonUnknownCode,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := roundTrip(t, tt.httpStatus, []byte(tt.body))
			if e.Code() != tt.wantCode {
				t.Errorf("code %v, want %v", e.Code(), tt.wantCode)
			}
			info, _ := ErrorInfoOf(e)
			if info.GetReason() != tt.wantReason || info.GetDomain() != DomainConnect {
				t.Errorf("ErrorInfo %s/%s, want %s/%s", info.GetDomain(), info.GetReason(), DomainConnect, tt.wantReason)
			}
			if e.HTTPStatus() != tt.httpStatus {
				t.Errorf("HTTPStatus() = %d, want %d", e.HTTPStatus(), tt.httpStatus)
			}
		})
	}
}

// TestSeveralErrorsDetails checks that every error is kept and gets its own
// violation, with its own field and description.
func TestSeveralErrorsDetails(t *testing.T) {
	t.Parallel()
	body := `{"statusCode":400,"message":"a","errors":[` +
		`{"code":"InvalidJsonInput","message":"a","detailedErrorMessage":"name: Missing required value"},` +
		`{"code":"DeploymentUnsupportedRegion","message":"b"},` +
		`{"code":"Unknown","message":"c","field":"region"}]}`
	e := FromResponse(400, nil, []byte(body), Target{})
	br, ok := DetailOf[*errdetails.BadRequest](e)
	if !ok {
		t.Fatal("no BadRequest")
	}
	want := [][2]string{{"body", "name: Missing required value"}, {"region", "b"}, {"region", "c"}}
	if len(br.GetFieldViolations()) != len(want) {
		t.Fatalf("violations %v, want %d", br.GetFieldViolations(), len(want))
	}
	for i, v := range br.GetFieldViolations() {
		if v.GetField() != want[i][0] || v.GetDescription() != want[i][1] {
			t.Errorf("violation %d = %s/%q, want %s/%q", i, v.GetField(), v.GetDescription(), want[i][0], want[i][1])
		}
	}
	resp, _ := ErrorResponseOf(e)
	if len(resp.GetErrors()) != 3 {
		t.Errorf("ErrorResponse keeps %d errors, want 3", len(resp.GetErrors()))
	}
}

// TestTypedDetailTolerance fills what it can from values of the wrong type.
func TestTypedDetailTolerance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		extra         string
		wantExpected  int64
		wantCurrent   int64
		wantMetaValue string
	}{
		{"numbers", `"expectedVersion":3,"currentVersion":5`, 3, 5, "3"},
		{"numeric strings", `"expectedVersion":"3","currentVersion":" 5 "`, 3, 5, "3"},
		{"integral floats", `"expectedVersion":3.0,"currentVersion":5e0`, 3, 5, "3.0"},
		{"wrong types are left unset", `"expectedVersion":true,"currentVersion":{"v":5}`, 0, 0, "true"},
		{"fractions and overflow are left unset", `"expectedVersion":3.5,"currentVersion":1e30`, 0, 0, "3.5"},
		{"missing", ``, 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sep := ""
			if tt.extra != "" {
				sep = ","
			}
			body := `{"statusCode":409,"message":"m","errors":[{"code":"ConcurrentModification","message":"m"` + sep + tt.extra + `}]}`
			e := roundTrip(t, 409, []byte(body))
			cm, ok := DetailOf[*errorsv1.ConcurrentModification](e)
			if !ok {
				t.Fatal("no typed detail")
			}
			if cm.GetExpectedVersion() != tt.wantExpected || cm.GetCurrentVersion() != tt.wantCurrent || cm.GetMessage() != "m" {
				t.Errorf("typed detail %v, want expected %d current %d", cm, tt.wantExpected, tt.wantCurrent)
			}
			info, _ := ErrorInfoOf(e)
			if got := info.GetMetadata()["expectedVersion"]; got != tt.wantMetaValue {
				t.Errorf("metadata expectedVersion %q, want %q", got, tt.wantMetaValue)
			}
		})
	}
}

// TestRetryAfter reads delay-seconds and HTTP dates against the Date header.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	date := "Wed, 21 Oct 2026 07:28:00 GMT"
	tests := []struct {
		name   string
		header http.Header
		want   int64 // seconds
	}{
		{"absent", nil, 1},
		{"seconds", http.Header{"Retry-After": {"7"}}, 7},
		{"zero", http.Header{"Retry-After": {"0"}}, 0},
		{"negative", http.Header{"Retry-After": {"-3"}}, 1},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 1},
		{"huge", http.Header{"Retry-After": {"99999999999999"}}, 86400},
		{"date", http.Header{"Retry-After": {"Wed, 21 Oct 2026 07:28:30 GMT"}, "Date": {date}}, 30},
		{"date in the past", http.Header{"Retry-After": {"Wed, 21 Oct 2026 07:27:00 GMT"}, "Date": {date}}, 0},
		{"date without Date", http.Header{"Retry-After": {"Wed, 21 Oct 2026 07:28:30 GMT"}}, 1},
	}
	body := []byte(`{"statusCode":502,"message":"Bad Gateway","errors":[{"code":"BadGateway","message":"Bad Gateway"}]}`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := FromResponse(502, tt.header, body, Target{})
			ri, ok := DetailOf[*errdetails.RetryInfo](e)
			if !ok {
				t.Fatal("no RetryInfo")
			}
			if got := ri.GetRetryDelay().GetSeconds(); got != tt.want {
				t.Errorf("retry delay %ds, want %ds", got, tt.want)
			}
		})
	}
}

// TestResourceInfo names the addressed resource only when it is the missing
// one.
func TestResourceInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code     string
		target   Target
		wantType string
		wantName string
	}{
		{"ResourceNotFound", Target{ResourceType: "Deployment", ID: "d-1", Key: "k"}, "Deployment", "d-1"},
		{"ResourceNotFound", Target{ResourceType: "ConnectorStaged", Key: "tax"}, "ConnectorStaged", "tax"},
		{"ConnectorReferenceNotFound", Target{ResourceType: "Deployment", Key: "tax-prod"}, "Connector", ""},
		{"ConnectorReferenceNotFound", Target{ResourceType: "Connector", Key: "tax"}, "Connector", "tax"},
		{"DeploymentApplicationDoesNotExist", Target{ResourceType: "Deployment", ID: "d-1"}, "DeploymentApplication", ""},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/"+tt.target.ResourceType, func(t *testing.T) {
			t.Parallel()
			e, _ := Lookup(tt.code)
			body := `{"statusCode":404,"message":"m","errors":[{"code":"` + tt.code + `","message":"m"}]}`
			ri, ok := DetailOf[*errdetails.ResourceInfo](FromResponse(e.HTTPStatus, nil, []byte(body), tt.target))
			if !ok {
				t.Fatal("no ResourceInfo")
			}
			if ri.GetResourceType() != tt.wantType || ri.GetResourceName() != tt.wantName || ri.GetDescription() != "m" {
				t.Errorf("ResourceInfo %v, want %s/%s", ri, tt.wantType, tt.wantName)
			}
		})
	}
}
