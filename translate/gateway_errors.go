package translate

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
)

// Metadata keys of the errors the gateway makes.
const (
	MetadataCause       = "cause"       // why the gateway could not get an answer
	MetadataContentType = "contentType" // of a malformed upstream body
	MetadataParseError  = "parseError"  // why a body is not an ErrorResponse
)

const (
	maxMessage       = 1024 // a message the gateway makes or is given
	maxGatewayFields = 16   // metadata entries of NewError
)

// NewError makes the status of an error the gateway originates itself, with
// an ErrorInfo of domain connect-gateway and the given reason. The gRPC code
// and the REST rendering come from the reason's (gateway_spec) row; RetryInfo
// (DefaultRetryDelay) is attached when the row is retryable. For a reason
// whose row follows the upstream (UPSTREAM_MALFORMED_ERROR), the status
// follows metadata["httpStatus"], or is UNKNOWN / 502 without it. A reason
// without a row (UNSPECIFIED, or a number the catalogue does not know)
// becomes INTERNAL.
//
// Metadata keys must be valid ErrorInfo keys (letters, digits, '_', '-');
// others are dropped, as are entries beyond 16, and values are clipped to 256
// bytes. Never put secrets in the message or metadata.
func NewError(reason errorsv1.GatewayReason, message string, t Target, metadata map[string]string) *Error {
	g, ok := gatewayEntry(reason)
	md := cleanMetadata(metadata)
	if !ok {
		md["unknownReason"] = strconv.Itoa(int(reason))
		g, _ = gatewayEntry(errorsv1.GatewayReason_GATEWAY_REASON_INTERNAL)
	}
	code, httpStatus := g.GRPCCode, g.HTTPStatus
	if code == codes.OK || httpStatus == 0 {
		up, _ := strconv.Atoi(md[MetadataHTTPStatus])
		if code == codes.OK {
			code = CodeForHTTPStatus(up)
		}
		if httpStatus == 0 {
			httpStatus = restStatusFollowingUpstream(up)
		}
	}
	message, _ = clip(message, maxMessage)
	b := newBuilder(4, 512+len(message))
	b.add(&errdetails.ErrorInfo{Reason: g.Reason, Domain: DomainGateway, Metadata: md})
	if g.Spec.GetRetryable() {
		b.add(&errdetails.RetryInfo{RetryDelay: durationpb.New(DefaultRetryDelay)})
	}
	addCommon(b, t.clean(), message)
	return newError(httpStatus, b.status(code, message), g.Reason)
}

// restStatusFollowingUpstream is the REST status of a gateway error that
// follows the upstream status: that status when it is an error status, else
// 502 (the upstream answered something the gateway cannot pass on).
func restStatusFollowingUpstream(up int) int {
	if up >= 400 && up <= 599 {
		return up
	}
	return http.StatusBadGateway
}

// mustGatewayEntry is gatewayEntry of a reason the package itself uses.
func mustGatewayEntry(r errorsv1.GatewayReason) GatewayEntry {
	e, ok := gatewayEntry(r)
	if !ok {
		panic(fmt.Sprintf("translate: gateway reason %v has no catalogue row", r))
	}
	return e
}

func gatewayEntry(r errorsv1.GatewayReason) (GatewayEntry, bool) {
	e, ok := catalog.byEnum[r]
	if !ok {
		return GatewayEntry{}, false
	}
	return *e, true
}

// cleanMetadata copies at most 16 valid entries, in key order, with values
// clipped.
func cleanMetadata(in map[string]string) map[string]string {
	keys := make([]string, 0, len(in))
	for k := range in {
		if validMetadataKey(k) || k == MetadataHTTPStatus {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) > maxGatewayFields {
		keys = keys[:maxGatewayFields]
	}
	out := make(map[string]string, len(keys)+1)
	for _, k := range keys {
		out[k], _ = clip(in[k], maxClipString)
	}
	return out
}

// addCommon adds RequestInfo (when there is a correlation id) and
// LocalizedMessage.
func addCommon(b *builder, t Target, message string) {
	if t.CorrelationID != "" {
		b.add(&errdetails.RequestInfo{RequestId: t.CorrelationID})
	}
	b.add(&errdetails.LocalizedMessage{Locale: "en-US", Message: message})
}

// malformed is the UPSTREAM_MALFORMED_ERROR path: a body that is not a
// Connect error response (docs/design.md#odd-input).
func malformed(httpStatus int, header http.Header, body []byte, t Target, why error) *Error {
	code := CodeForHTTPStatus(httpStatus)
	ct, _ := clip(header.Get("Content-Type"), maxClipString)
	parseErr, _ := clip(why.Error(), maxClipString)
	head := body
	if len(head) > maxExcerpt+utf8.UTFMax {
		head = head[:maxExcerpt+utf8.UTFMax]
	}
	excerpt, cut := clip(string(head), maxExcerpt)
	detail := &errorsv1.UpstreamMalformedError{
		HttpStatus:  int32(httpStatus),
		ContentType: ct,
		ParseError:  parseErr,
		BodyExcerpt: excerpt,
		BodyLength:  int64(len(body)),
		Truncated:   cut || len(body) > len(head),
	}
	msg := fmt.Sprintf("the upstream answered HTTP %d %s with a body that is not a Connect error response: %s",
		httpStatus, StatusText(httpStatus), parseErr)
	md := map[string]string{MetadataHTTPStatus: itoaStatus(httpStatus), MetadataParseError: parseErr}
	if ct != "" {
		md[MetadataContentType] = ct
	}
	b := newBuilder(5, 2*maxExcerpt+len(msg))
	b.add(&errdetails.ErrorInfo{
		Reason:   malformedReason,
		Domain:   DomainGateway,
		Metadata: md,
	})
	b.add(detail)
	if retryableHTTPStatus(httpStatus) {
		b.add(&errdetails.RetryInfo{RetryDelay: durationpb.New(retryDelay(header))})
	}
	addCommon(b, t, msg)
	return newError(restStatusFollowingUpstream(httpStatus), b.status(code, msg), malformedReason)
}

// malformedReason is the ErrorInfo reason of an upstream body that is not a
// Connect error response.
var malformedReason = mustGatewayEntry(errorsv1.GatewayReason_GATEWAY_REASON_UPSTREAM_MALFORMED_ERROR).Reason
