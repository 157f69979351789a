package translate

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
)

// checkGatewayBody asserts that a REST body is a valid Connect ErrorResponse
// made by the gateway for httpStatus, and returns its first error's code.
func checkGatewayBody(t *testing.T, httpStatus int, body []byte) string {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("REST body is not an ErrorResponse: %v\n%s", err, body)
	}
	status, _ := r["statusCode"].(float64)
	_, hasMessage := r["message"].(string)
	errs, _ := r["errors"].([]any)
	if status != float64(httpStatus) || !hasMessage || len(errs) != 1 {
		t.Fatalf("REST body is not a gateway ErrorResponse for %d: %s", httpStatus, body)
	}
	first, _ := errs[0].(map[string]any)
	code, hasCode := first["code"].(string)
	if _, hasFirstMessage := first["message"].(string); !hasCode || !hasFirstMessage {
		t.Fatalf("REST body's error has no code or message: %s", body)
	}
	if _, ok := Lookup(code); !ok {
		t.Errorf("REST body code %q is not catalogued", code)
	}
	return code
}

func TestMalformed(t *testing.T) {
	t.Parallel()
	html := "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n"
	tests := []struct {
		name       string
		httpStatus int
		body       string
		wantCode   codes.Code
		wantREST   int
		wantConn   string // Connect code of the REST body
	}{
		{"HTML from a load balancer", 502, html, codes.Unavailable, 502, "BadGateway"},
		{"empty", 500, "", codes.Internal, 500, "General"},
		{"whitespace only", 503, " \r\n", codes.Unavailable, 503, "BadGateway"},
		{"truncated", 400, `{"statusCode":400,"message":"Request body does not contain valid JSON.","errors":[{"code":"InvalidJs`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"array", 400, `[{"code":"InvalidJsonInput","message":"m"}]`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"string", 404, `"not found"`, codes.NotFound, 404, "ResourceNotFound"},
		{"null", 409, `null`, codes.Aborted, 409, "General"},
		{"trailing garbage", 400, `{"statusCode":400,"message":"m","errors":[]} x`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"two values", 400, `{"statusCode":400,"message":"m","errors":[]}{}`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"statusCode as a string", 400, `{"statusCode":"400","message":"m","errors":[]}`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"statusCode with a fraction", 400, `{"statusCode":400.0,"message":"m","errors":[]}`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"statusCode out of range", 400, `{"statusCode":99999999999,"message":"m","errors":[]}`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"statusCode missing", 401, `{"message":"m","errors":[]}`, codes.Unauthenticated, 401, "invalid_token"},
		{"message as a number", 403, `{"statusCode":403,"message":5,"errors":[]}`, codes.PermissionDenied, 403, "AuthorizationError"},
		{"message missing", 400, `{"statusCode":400,"errors":[]}`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"errors as an object", 400, `{"statusCode":400,"message":"m","errors":{}}`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"errors missing", 400, `{"statusCode":400,"message":"m"}`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"error not an object", 400, `{"statusCode":400,"message":"m","errors":[1]}`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"code as a number", 400, `{"statusCode":400,"message":"m","errors":[{"code":5,"message":"m"}]}`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"code missing", 400, `{"statusCode":400,"message":"m","errors":[{"message":"m"}]}`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"error message null", 422, `{"statusCode":422,"message":"m","errors":[{"code":"X","message":null}]}`, codes.InvalidArgument, 422, "InvalidJsonInput"},
		{"a later error is bad", 400, `{"statusCode":400,"message":"m","errors":[{"code":"X","message":"m"},{"code":"Y"}]}`, codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"OAuth body of the auth service", 401, `{"error":"invalid_client","error_description":"Please provide valid client credentials"}`, codes.Unauthenticated, 401, "invalid_token"},
		{"byte order mark", 400, "\ufeff{\"statusCode\":400,\"message\":\"m\",\"errors\":[]}", codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"invalid UTF-8", 500, "\xff\xfe\xfd", codes.Internal, 500, "General"},
		{"deep nesting", 400, strings.Repeat("[", 20000) + strings.Repeat("]", 20000), codes.InvalidArgument, 400, "InvalidJsonInput"},
		{"not an error status: redirect", 302, `{"statusCode":400,"message":"m","errors":[]}`, codes.Unknown, 502, "BadGateway"},
		{"not an error status: success", 200, `{}`, codes.Unknown, 502, "BadGateway"},
		{"not an HTTP status", -1, ``, codes.Unknown, 502, "BadGateway"},
		{"odd 4xx", 418, `I'm a teapot`, codes.FailedPrecondition, 418, "General"},
		{"odd 5xx", 507, `Insufficient Storage`, codes.Internal, 507, "General"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			header := http.Header{"Content-Type": {"text/html"}, "X-Correlation-Id": {"cid-upstream"}}
			e := FromResponse(tt.httpStatus, header, []byte(tt.body), Target{ResourceType: "Deployment", Key: "k"})
			if e.Code() != tt.wantCode {
				t.Errorf("code %v, want %v", e.Code(), tt.wantCode)
			}
			pb := e.GRPCStatus().Proto()
			info := onlyErrorInfo(t, pb)
			if info.GetReason() != "UPSTREAM_MALFORMED_ERROR" || info.GetDomain() != DomainGateway {
				t.Errorf("ErrorInfo %s/%s, want connect-gateway/UPSTREAM_MALFORMED_ERROR", info.GetDomain(), info.GetReason())
			}
			if info.GetMetadata()[MetadataParseError] == "" || info.GetMetadata()[MetadataContentType] != "text/html" {
				t.Errorf("metadata %v lacks the parse error or content type", info.GetMetadata())
			}
			d, ok := DetailOf[*errorsv1.UpstreamMalformedError](e)
			if !ok {
				t.Fatal("no UpstreamMalformedError detail")
			}
			wantExcerpt := tt.body
			if len(wantExcerpt) > maxExcerpt {
				wantExcerpt = wantExcerpt[:maxExcerpt]
			}
			if d.GetBodyExcerpt() != strings.ToValidUTF8(wantExcerpt, "\ufffd") && utf8.ValidString(tt.body) {
				t.Errorf("excerpt %q, want %q", d.GetBodyExcerpt(), wantExcerpt)
			}
			if !utf8.ValidString(d.GetBodyExcerpt()) || len(d.GetBodyExcerpt()) > maxExcerpt {
				t.Errorf("excerpt is not bounded valid UTF-8: %d bytes", len(d.GetBodyExcerpt()))
			}
			if d.GetBodyLength() != int64(len(tt.body)) || d.GetTruncated() != (len(tt.body) > maxExcerpt) || int(d.GetHttpStatus()) != tt.httpStatus {
				t.Errorf("detail %v", d)
			}
			_, hasRetry := DetailOf[*errdetails.RetryInfo](e)
			if want := retryableHTTPStatus(tt.httpStatus); hasRetry != want {
				t.Errorf("RetryInfo present %v, want %v", hasRetry, want)
			}
			if _, ok := ErrorResponseOf(e); ok {
				t.Error("a malformed body must not produce an ErrorResponse detail")
			}
			if size := statusSize(pb); size > MaxStatusBytes {
				t.Errorf("status is %d bytes", size)
			}

			gotStatus, gotHeader, body := ToResponse(e.GRPCStatus())
			if gotStatus != tt.wantREST {
				t.Errorf("REST status %d, want %d", gotStatus, tt.wantREST)
			}
			if code := checkGatewayBody(t, gotStatus, body); code != tt.wantConn {
				t.Errorf("REST code %s, want %s", code, tt.wantConn)
			}
			if gotHeader.Get("X-Correlation-ID") != "cid-upstream" {
				t.Errorf("X-Correlation-ID %q, want the upstream's", gotHeader.Get("X-Correlation-ID"))
			}
		})
	}
}

// TestUnknownCodeHTTPMapping is the HTTP status table for codes the catalogue
// does not know (docs/design.md#codes-the-catalogue-does-not-know).
func TestUnknownCodeHTTPMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		httpStatus int
		want       codes.Code
	}{
		{400, codes.InvalidArgument},
		{401, codes.Unauthenticated},
		{403, codes.PermissionDenied},
		{404, codes.NotFound},
		{409, codes.Aborted},
		{412, codes.FailedPrecondition},
		{422, codes.InvalidArgument},
		{429, codes.ResourceExhausted},
		{499, codes.Canceled},
		{500, codes.Internal},
		{501, codes.Unimplemented},
		{502, codes.Unavailable},
		{503, codes.Unavailable},
		{504, codes.DeadlineExceeded},
		{405, codes.FailedPrecondition},
		{410, codes.FailedPrecondition},
		{451, codes.FailedPrecondition},
		{505, codes.Internal},
		{599, codes.Internal},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.httpStatus), func(t *testing.T) {
			t.Parallel()
			if got := CodeForHTTPStatus(tt.httpStatus); got != tt.want {
				t.Errorf("CodeForHTTPStatus(%d) = %v, want %v", tt.httpStatus, got, tt.want)
			}
			body := fmt.Sprintf(`{"statusCode":%d,"message":"m","errors":[{"code":"SomethingNew","message":"m"}]}`, tt.httpStatus)
			e := roundTrip(t, tt.httpStatus, []byte(body))
			if e.Code() != tt.want {
				t.Errorf("code %v, want %v", e.Code(), tt.want)
			}
			info, _ := ErrorInfoOf(e)
			if info.GetReason() != "SOMETHING_NEW" || info.GetMetadata()[MetadataCode] != "SomethingNew" ||
				info.GetMetadata()[MetadataHTTPStatus] != fmt.Sprint(tt.httpStatus) {
				t.Errorf("ErrorInfo %v", info)
			}
			_, hasRetry := DetailOf[*errdetails.RetryInfo](e)
			if want := tt.httpStatus == 429 || tt.httpStatus == 502 || tt.httpStatus == 503; hasRetry != want {
				t.Errorf("RetryInfo present %v, want %v", hasRetry, want)
			}
		})
	}
	for _, s := range []int{0, 100, 200, 302, 399, 600, 1000, -404} {
		if got := CodeForHTTPStatus(s); got != codes.Unknown {
			t.Errorf("CodeForHTTPStatus(%d) = %v, want Unknown", s, got)
		}
	}
}

// TestTruncation bounds statuses of huge bodies: the first errors that fit
// are kept, in order, and ErrorInfo says the status is truncated. The REST
// rendering still has the whole body: the upstream's own bytes.
func TestTruncation(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("é", 50_000)
	tests := []struct {
		name       string
		httpStatus int
		body       string
		wantAll    bool // whether every error is kept
	}{
		{"2,000 errors", 400, string(manyErrorBody(2000)), false},
		{"huge message", 500, `{"statusCode":500,"message":"` + big + `","errors":[{"code":"General","message":"` + big + `"}]}`, true},
		{"huge extra field", 409, `{"statusCode":409,"message":"m","errors":[{"code":"ConcurrentModification","message":"m","expectedVersion":1,"blob":"` + big + `"}]}`, true},
		{"huge top-level field", 401, `{"statusCode":401,"message":"m","errors":[{"code":"invalid_token","message":"m"}],"error":"` + big + `"}`, true},
		{"many extra fields", 400, `{"statusCode":400,"message":"m","errors":[{"code":"DuplicateField","message":"m"` + manyFields(3000) + `}]}`, true},
		{"huge unknown code", 400, `{"statusCode":400,"message":"m","errors":[{"code":"` + big + `","message":"m"}]}`, true},
		{"huge duplicateValue", 400, `{"statusCode":400,"message":"m","errors":[{"code":"DuplicateField","message":"m","field":"key","duplicateValue":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}]}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			target := Target{ResourceType: "Deployment", ID: strings.Repeat("i", 10_000), CorrelationID: "cid"}
			e := FromResponse(tt.httpStatus, nil, []byte(tt.body), target)
			pb := e.GRPCStatus().Proto()
			checkWireStatus(t, e, FromResponse(tt.httpStatus, nil, []byte(tt.body), target))
			if size := statusSize(pb); size > MaxStatusBytes {
				t.Errorf("status is %d bytes, over %d", size, MaxStatusBytes)
			}
			info := onlyErrorInfo(t, pb)
			if info.GetMetadata()[MetadataTruncated] != "true" {
				t.Errorf("metadata %v does not say truncated", info.GetMetadata())
			}
			resp, ok := ErrorResponseOf(e)
			if !ok {
				t.Fatal("no ErrorResponse")
			}
			var upstream struct {
				Errors []struct {
					Code string `json:"code"`
				} `json:"errors"`
			}
			if err := json.Unmarshal([]byte(tt.body), &upstream); err != nil {
				t.Fatal(err)
			}
			kept := resp.GetErrors()
			if len(kept) == 0 || (len(kept) == len(upstream.Errors)) != tt.wantAll {
				t.Errorf("kept %d of %d errors", len(kept), len(upstream.Errors))
			}
			for i, o := range kept {
				if want, _ := clip(upstream.Errors[i].Code, maxClipString); o.GetCode() != want {
					t.Errorf("kept error %d has code %q, want the upstream's %d-th", i, o.GetCode(), i)
				}
			}
			gotStatus, _, body := ToResponse(e.GRPCStatus())
			if gotStatus != tt.httpStatus || !json.Valid(body) {
				t.Errorf("REST %d, valid JSON %v", gotStatus, json.Valid(body))
			}
			if gotStatus, _, body := ResponseOf(e); gotStatus != tt.httpStatus || string(body) != tt.body {
				t.Errorf("ResponseOf: %d and %d bytes, want %d and the upstream's %d bytes", gotStatus, len(body), tt.httpStatus, len(tt.body))
			}
		})
	}
}

func manyFields(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `,"field%d":"value %d"`, i, i)
	}
	return b.String()
}
