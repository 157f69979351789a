package translate

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/anypb"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
)

// TestNewError covers every reason the gateway originates: code and REST
// rendering from its row.
func TestNewError(t *testing.T) {
	t.Parallel()
	for _, g := range GatewayEntries() {
		t.Run(g.Reason, func(t *testing.T) {
			t.Parallel()
			e := NewError(g.Enum, "something went wrong", Target{CorrelationID: "cid-g"}, map[string]string{"limit": "10", "bad key": "x", MetadataHTTPStatus: "503"})
			wantCode, wantREST := g.GRPCCode, g.HTTPStatus
			if wantCode == codes.OK {
				wantCode = codes.Unavailable // follows metadata httpStatus 503
			}
			if wantREST == 0 {
				wantREST = 503
			}
			if e.Code() != wantCode || e.HTTPStatus() != wantREST {
				t.Errorf("code %v / HTTP %d, want %v / %d", e.Code(), e.HTTPStatus(), wantCode, wantREST)
			}
			info := onlyErrorInfo(t, e.GRPCStatus().Proto())
			if info.GetDomain() != DomainGateway || info.GetReason() != g.Reason || info.GetMetadata()["limit"] != "10" {
				t.Errorf("ErrorInfo %v", info)
			}
			if _, ok := info.GetMetadata()["bad key"]; ok {
				t.Error("an invalid metadata key was kept")
			}
			_, hasRetry := DetailOf[*errdetails.RetryInfo](e)
			if hasRetry != g.Spec.GetRetryable() {
				t.Errorf("RetryInfo present %v, want %v", hasRetry, g.Spec.GetRetryable())
			}
			gotStatus, header, body := ToResponse(e.GRPCStatus())
			checkRESTResponse(t, e)
			if gotStatus != wantREST {
				t.Errorf("REST status %d, want %d", gotStatus, wantREST)
			}
			code := checkGatewayBody(t, gotStatus, body)
			if want := g.Spec.GetConnectCode(); want != "" && code != want {
				t.Errorf("REST code %s, want %s", code, want)
			}
			if code == "invalid_token" && !strings.Contains(string(body), `"error":"invalid_token"`) {
				t.Errorf("invalid_token body lacks the OAuth error field: %s", body)
			}
			if header.Get("X-Correlation-ID") != "cid-g" {
				t.Errorf("X-Correlation-ID %q", header.Get("X-Correlation-ID"))
			}
		})
	}
	t.Run("unknown reason", func(t *testing.T) {
		t.Parallel()
		for _, r := range []errorsv1.GatewayReason{0, 999} {
			e := NewError(r, "m", Target{}, nil)
			info, _ := ErrorInfoOf(e)
			if e.Code() != codes.Internal || info.GetReason() != "INTERNAL" || info.GetMetadata()["unknownReason"] == "" {
				t.Errorf("NewError(%d) = %v, %v", r, e.Code(), info)
			}
		}
	})
}

// TestToResponseArbitrary renders statuses made anywhere: each becomes a valid
// gateway ErrorResponse.
func TestToResponseArbitrary(t *testing.T) {
	t.Parallel()
	withDetails := func(st *status.Status, details ...*anypb.Any) *status.Status {
		pb := st.Proto()
		pb.Details = append(pb.Details, details...)
		return status.FromProto(pb)
	}
	mustAny := func(b []byte, url string) *anypb.Any { return &anypb.Any{TypeUrl: url, Value: b} }
	tests := []struct {
		name     string
		st       *status.Status
		wantHTTP int
		wantCode string
		wantMsg  string
	}{
		{"nil", nil, 500, "General", "the gateway answered with an error status of code OK"},
		{"OK misuse", status.New(codes.OK, ""), 500, "General", "the gateway answered with an error status of code OK"},
		{"OK misuse with a message", status.New(codes.OK, "oops"), 500, "General", "oops"},
		{"not found", status.New(codes.NotFound, "no such route"), 404, "ResourceNotFound", "no such route"},
		{"invalid argument", status.New(codes.InvalidArgument, "bad id"), 400, "InvalidJsonInput", "bad id"},
		{"unauthenticated", status.New(codes.Unauthenticated, ""), 401, "invalid_token", "Unauthorized"},
		{"permission denied", status.New(codes.PermissionDenied, "no"), 403, "AuthorizationError", "no"},
		{"unavailable", status.New(codes.Unavailable, "down"), 503, "BadGateway", "down"},
		{"aborted", status.New(codes.Aborted, "conflict"), 409, "General", "conflict"},
		{"code out of range", status.New(codes.Code(42), "odd"), 500, "General", "odd"},
		{"garbage ErrorResponse", withDetails(status.New(codes.Internal, "x"), mustAny([]byte{0xff, 0xff}, urlErrorResponse)), 500, "General", "x"},
		{"catalogued reason without ErrorResponse", withDetails(status.New(codes.Aborted, "conflict"),
			mustAny(appendErrorInfo(nil, "CONCURRENT_MODIFICATION", DomainConnect, nil), urlErrorInfo)), 409, "ConcurrentModification", "conflict"},
		{"unknown gateway reason", withDetails(status.New(codes.ResourceExhausted, "slow"),
			mustAny(appendErrorInfo(nil, "NOT_A_REASON", DomainGateway, nil), urlErrorInfo)), 429, "General", "slow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			gotStatus, header, body := ToResponse(tt.st)
			if gotStatus != tt.wantHTTP {
				t.Errorf("status %d, want %d", gotStatus, tt.wantHTTP)
			}
			if code := checkGatewayBody(t, gotStatus, body); code != tt.wantCode {
				t.Errorf("code %s, want %s", code, tt.wantCode)
			}
			// Codes that document a detailedErrorMessage carry the status
			// message there, under the catalogue's own message.
			key := "message"
			if e, _ := Lookup(tt.wantCode); e.Detail != nil && e.Detail.Descriptor().Fields().ByName("detailed_error_message") != nil {
				key = "detailedErrorMessage"
				if !strings.Contains(string(body), `"message":"`+e.Spec.GetMessageTemplate()+`"`) {
					t.Errorf("body %s lacks the catalogue message %q", body, e.Spec.GetMessageTemplate())
				}
			}
			if !strings.Contains(string(body), `"`+key+`":"`+tt.wantMsg+`"`) {
				t.Errorf("body %s lacks %s %q", body, key, tt.wantMsg)
			}
			if header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type %q", header.Get("Content-Type"))
			}
		})
	}
}

func TestToResponseHeaders(t *testing.T) {
	t.Parallel()
	pb := &spb.Status{Code: int32(codes.Unavailable), Message: "down"}
	add := func(url string, b []byte) { pb.Details = append(pb.Details, &anypb.Any{TypeUrl: url, Value: b}) }
	add(urlRequestInfo, appendRequestInfo(nil, "evil\r\nSet-Cookie: x=1"))
	add(urlRetryInfo, appendRetryInfo(nil, 2, 500_000_000))
	_, header, _ := ToResponse(status.FromProto(pb))
	if header.Get("X-Correlation-ID") != "" {
		t.Errorf("a correlation id with CR LF was sent as a header: %q", header.Get("X-Correlation-ID"))
	}
	if header.Get("Retry-After") != "3" {
		t.Errorf("Retry-After %q, want 3 (2.5 s rounded up)", header.Get("Retry-After"))
	}
}

// TestClientHelpers reads details from every kind of error a client holds.
func TestClientHelpers(t *testing.T) {
	t.Parallel()
	body := []byte(`{"statusCode":409,"message":"m","errors":[{"code":"ConcurrentModification","message":"m","expectedVersion":3,"currentVersion":5}]}`)
	e := FromResponse(409, nil, body, Target{})
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"*Error", e, true},
		{"status error from grpc-go", e.GRPCStatus().Err(), true},
		{"wrapped *Error", fmt.Errorf("update: %w", e), true},
		{"wrapped status error", fmt.Errorf("update: %w", e.GRPCStatus().Err()), true},
		{"plain error", errors.New("no status"), false},
		{"nil", nil, false},
		{"nil *Error", (*Error)(nil), false},
		{"status without details", status.Error(codes.Aborted, "x"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			info, ok := ErrorInfoOf(tt.err)
			if ok != tt.want || ok && info.GetReason() != "CONCURRENT_MODIFICATION" {
				t.Errorf("ErrorInfoOf = %v, %v", info, ok)
			}
			cm, ok := DetailOf[*errorsv1.ConcurrentModification](tt.err)
			if ok != tt.want || ok && (cm.GetExpectedVersion() != 3 || cm.GetCurrentVersion() != 5) {
				t.Errorf("DetailOf = %v, %v", cm, ok)
			}
			resp, ok := ErrorResponseOf(tt.err)
			if ok != tt.want || ok && resp.GetErrors()[0].GetExtraJson()["currentVersion"] != "5" {
				t.Errorf("ErrorResponseOf = %v, %v", resp, ok)
			}
			if _, ok := DetailOf[*errdetails.QuotaFailure](tt.err); ok {
				t.Error("DetailOf found a detail the status does not carry")
			}
		})
	}
}

func TestErrorMethods(t *testing.T) {
	t.Parallel()
	e := FromResponse(404, nil, []byte(`{"statusCode":404,"message":"gone","errors":[{"code":"ResourceNotFound","message":"gone"}]}`), Target{})
	if got, want := e.Error(), status.New(codes.NotFound, "gone").Err().Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if s, ok := status.FromError(e); !ok || s.Code() != codes.NotFound || s.Message() != "gone" {
		t.Errorf("status.FromError = %v, %v", s, ok)
	}
	if e.GRPCStatus() != e.GRPCStatus() {
		t.Error("GRPCStatus is not made once")
	}
	var nilErr *Error
	if nilErr.GRPCStatus() != nil || nilErr.Code() != codes.OK || nilErr.HTTPStatus() != 0 || nilErr.Error() != "<nil>" {
		t.Error("a nil *Error is not safe to use")
	}
}

// TestResponseOfAnyError: an error that is not a translated one renders as
// ToResponse of its status.
func TestResponseOfAnyError(t *testing.T) {
	t.Parallel()
	for _, err := range []error{status.Error(codes.NotFound, "no such thing"), errors.New("plain"), nil, (*Error)(nil)} {
		wantStatus, wantHeader, wantBody := ToResponse(status.Convert(err))
		gotStatus, gotHeader, gotBody := ResponseOf(err)
		if gotStatus != wantStatus || gotHeader.Get("Content-Type") != wantHeader.Get("Content-Type") || string(gotBody) != string(wantBody) {
			t.Errorf("ResponseOf(%v) = %d %s, want %d %s", err, gotStatus, gotBody, wantStatus, wantBody)
		}
	}
}
