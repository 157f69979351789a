package translate

import (
	"net/http"
	"strconv"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

// ToResponse renders a status for the REST face (docs/design.md#the-rest-face): an HTTP
// status, headers and a Connect ErrorResponse JSON body.
//
// A status that carries an [errorsv1.ErrorResponse], or that stands for one
// without carrying it (every status [FromResponse] makes for a well-formed
// body does one or the other; see rebuild.go), becomes exactly that body,
// equal as JSON to what the upstream sent, with the upstream's HTTP status
// (ErrorInfo.metadata["httpStatus"], else the body's statusCode when it is an
// error status). Any other status, whoever made it, becomes a valid
// ErrorResponse with one error, whose statusCode is the HTTP status and whose
// code comes from the catalogue: the gateway reason's connect_code, the code
// of a catalogued connect.commercetools.com reason, or by gRPC code
// (InvalidJsonInput, ResourceNotFound, invalid_token, AuthorizationError,
// BadGateway, else General). A nil or OK status, which is not an error, is a
// 500 General.
//
// Headers: Content-Type: application/json; X-Correlation-ID from
// RequestInfo.request_id; Retry-After (whole seconds, rounded up) from
// RetryInfo.
func ToResponse(st *status.Status) (httpStatus int, header http.Header, body []byte) {
	return toResponse(st.Proto(), nil) // nil for a nil status
}

// toResponse is [ToResponse] of pb, which it does not modify. A non-nil
// upstreamBody is the body pb translates ([Parts.UpstreamBody]): it is
// answered as it is instead of being rendered again from pb.
func toResponse(pb *spb.Status, upstreamBody []byte) (httpStatus int, header http.Header, body []byte) {
	var v statusView
	v.read(pb)
	header = http.Header{"Content-Type": {"application/json"}}
	if len(v.requestID) > 0 && validHeaderValue(v.requestID) {
		header["X-Correlation-Id"] = []string{string(v.requestID)}
	}
	if v.hasRetry {
		header["Retry-After"] = []string{strconv.FormatInt(v.retrySecs, 10)}
	}
	if upstreamBody != nil {
		return v.upstreamStatus(pb.GetCode()), header, upstreamBody
	}
	resp, ok := v.resp, v.hasResp
	if !ok {
		resp, ok = rebuildResponse(nil, pb)
	}
	if ok {
		if body, ok := appendErrorResponseWire(make([]byte, 0, len(resp)+64), resp); ok {
			return v.upstreamStatus(pb.GetCode()), header, body
		}
	}
	httpStatus, code, msg := v.gatewayRendering(pb)
	return httpStatus, header, appendGatewayBody(make([]byte, 0, 128), httpStatus, code, msg)
}

// statusView holds what ToResponse reads of a status's details: the first
// detail of each type that parses.
type statusView struct {
	info      wireErrorInfo
	hasInfo   bool
	resp      []byte
	hasResp   bool
	retrySecs int64
	hasRetry  bool
	requestID []byte
}

var (
	urlErrorInfo     = typeURLOf(&errdetails.ErrorInfo{})
	urlRequestInfo   = typeURLOf(&errdetails.RequestInfo{})
	urlRetryInfo     = typeURLOf(&errdetails.RetryInfo{})
	urlErrorResponse = typeURLOf(&errorsv1.ErrorResponse{})
)

func (v *statusView) read(pb *spb.Status) {
	for _, a := range pb.GetDetails() {
		b := a.GetValue()
		switch a.GetTypeUrl() {
		case urlErrorInfo:
			if !v.hasInfo {
				v.info, v.hasInfo = readErrorInfo(b, nil)
			}
		case urlErrorResponse:
			if !v.hasResp && forFields(b, func(protowire.Number, protowire.Type, []byte, uint64) {}) {
				v.resp, v.hasResp = b[:len(b):len(b)], true
			}
		case urlRetryInfo:
			if !v.hasRetry {
				v.retrySecs, v.hasRetry = readRetryDelay(b)
			}
		case urlRequestInfo:
			if v.requestID == nil {
				v.requestID, _ = readRequestID(b)
			}
		}
	}
}

// upstreamStatus is the HTTP status of a translated upstream error: the one
// recorded in ErrorInfo, else the body's statusCode, else by gRPC code.
func (v *statusView) upstreamStatus(code int32) int {
	if n := parseStatus(v.info.httpStatus); n != 0 {
		return n
	}
	var sc int64
	forFields(v.resp, func(num protowire.Number, typ protowire.Type, _ []byte, x uint64) {
		if num == 1 && typ == protowire.VarintType {
			sc = int64(int32(x))
		}
	})
	if sc >= 400 && sc <= 599 {
		return int(sc)
	}
	return HTTPStatusForCode(codes.Code(code))
}

// parseStatus reads an HTTP error status (400 to 599) from decimal text; 0
// when it is not one.
func parseStatus(b []byte) int {
	if len(b) != 3 {
		return 0
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	if n < 400 || n > 599 {
		return 0
	}
	return n
}

// gatewayRendering chooses the HTTP status, Connect code and message of a
// status that neither carries nor stands for an ErrorResponse.
func (v *statusView) gatewayRendering(pb *spb.Status) (int, string, string) {
	code, msg := codes.Code(pb.GetCode()), pb.GetMessage()
	if code == codes.OK {
		code = codes.Internal
		if msg == "" {
			msg = "the gateway answered with an error status of code OK"
		}
	}
	httpStatus, connectCode := HTTPStatusForCode(code), connectCodeFor(code)
	switch string(v.info.domain) {
	case DomainGateway:
		if g, ok := catalog.gateway[string(v.info.reason)]; ok {
			httpStatus = g.HTTPStatus
			if httpStatus == 0 {
				httpStatus = restStatusFollowingUpstream(parseStatus(v.info.httpStatus))
			}
			connectCode = g.Spec.GetConnectCode()
			if connectCode == "" {
				connectCode = connectCodeFor(CodeForHTTPStatus(httpStatus))
			}
		}
	case DomainConnect:
		if e, ok := catalog.byReason[string(v.info.reason)]; ok {
			httpStatus, connectCode = e.HTTPStatus, e.Code
		}
		if up := parseStatus(v.info.httpStatus); up != 0 {
			httpStatus = up
		}
	}
	if msg == "" {
		msg = StatusText(httpStatus)
	}
	return httpStatus, connectCode, msg
}

// connectCodeFor is the catalogued Connect code a REST client expects for a
// gRPC code when nothing more specific is known.
func connectCodeFor(c codes.Code) string {
	switch c {
	case codes.InvalidArgument, codes.OutOfRange:
		return "InvalidJsonInput"
	case codes.NotFound:
		return "ResourceNotFound"
	case codes.Unauthenticated:
		return "invalid_token"
	case codes.PermissionDenied:
		return "AuthorizationError"
	case codes.Unavailable:
		return "BadGateway"
	}
	return "General"
}

// validHeaderValue reports whether b can be sent as a header value as it is.
func validHeaderValue(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// appendGatewayBody renders the ErrorResponse of a status the gateway made.
// An invalid_token error has the OAuth top-level "error" field, as Connect's
// own 401s do. A code whose catalogue row documents a detailedErrorMessage
// (InvalidJsonInput, InvalidQueryParam, InvalidPathParam) reads as Connect's
// own: the catalogue's message, and the gateway's explanation as the
// detailedErrorMessage.
func appendGatewayBody(dst []byte, httpStatus int, code, msg string) []byte {
	detailed := ""
	if e, ok := catalog.byCode[code]; ok && e.Detail.Descriptor().Fields().ByName("detailed_error_message") != nil {
		detailed, msg = msg, e.Spec.GetMessageTemplate()
	}
	dst = append(dst, `{"statusCode":`...)
	dst = strconv.AppendInt(dst, int64(httpStatus), 10)
	dst = append(dst, `,"message":`...)
	dst = jsoncore.AppendString(dst, msg)
	dst = append(dst, `,"errors":[{"code":`...)
	dst = jsoncore.AppendString(dst, code)
	dst = append(dst, `,"message":`...)
	dst = jsoncore.AppendString(dst, msg)
	if detailed != "" {
		dst = append(dst, `,"detailedErrorMessage":`...)
		dst = jsoncore.AppendString(dst, detailed)
	}
	dst = append(dst, "}]"...)
	if code == "invalid_token" {
		dst = append(dst, `,"error":"invalid_token"`...)
	}
	return append(dst, '}')
}
