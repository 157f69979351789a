package translate

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
)

// CodeForHTTPStatus maps the HTTP status of an upstream error whose code the
// catalogue does not know (or whose body is not a Connect ErrorResponse) to a
// gRPC code (docs/design.md#codes-the-catalogue-does-not-know). It follows
// google/rpc/code.proto's HTTP mapping, except that 422 is INVALID_ARGUMENT
// (Connect uses 422 for request content that is wrong) and other 4xx are
// FAILED_PRECONDITION. Statuses outside 400 to 599 are not error statuses:
// they map to UNKNOWN, as grpc-go's own HTTP fallback does.
func CodeForHTTPStatus(httpStatus int) codes.Code {
	switch httpStatus {
	case 400:
		return codes.InvalidArgument
	case 401:
		return codes.Unauthenticated
	case 403:
		return codes.PermissionDenied
	case 404:
		return codes.NotFound
	case 409:
		return codes.Aborted
	case 412:
		return codes.FailedPrecondition
	case 422:
		return codes.InvalidArgument
	case 429:
		return codes.ResourceExhausted
	case 499:
		return codes.Canceled
	case 500:
		return codes.Internal
	case 501:
		return codes.Unimplemented
	case 502, 503:
		return codes.Unavailable
	case 504:
		return codes.DeadlineExceeded
	}
	switch {
	case httpStatus >= 400 && httpStatus < 500:
		return codes.FailedPrecondition
	case httpStatus >= 500 && httpStatus < 600:
		return codes.Internal
	}
	return codes.Unknown
}

// HTTPStatusForCode maps a gRPC code to the HTTP status the REST face answers
// with when nothing more specific is known. It is grpc-gateway's
// HTTPStatusFromCode table (from google/rpc/code.proto), except that OK, which
// is never a valid error, is 500.
func HTTPStatusForCode(c codes.Code) int {
	switch c {
	case codes.Canceled:
		return 499
	case codes.Unknown:
		return 500
	case codes.InvalidArgument:
		return 400
	case codes.DeadlineExceeded:
		return 504
	case codes.NotFound:
		return 404
	case codes.AlreadyExists:
		return 409
	case codes.PermissionDenied:
		return 403
	case codes.Unauthenticated:
		return 401
	case codes.ResourceExhausted:
		return 429
	case codes.FailedPrecondition:
		// Not 412: HTTP 412 is about request preconditions (If-Match).
		return 400
	case codes.Aborted:
		return 409
	case codes.OutOfRange:
		return 400
	case codes.Unimplemented:
		return 501
	case codes.Internal:
		return 500
	case codes.Unavailable:
		return 503
	case codes.DataLoss:
		return 500
	}
	return 500
}

// retryableHTTPStatus reports whether an upstream status with no catalogued
// code gets RetryInfo: 429, 502 and 503, the statuses that ask for a retry.
func retryableHTTPStatus(httpStatus int) bool {
	return httpStatus == 429 || httpStatus == 502 || httpStatus == 503
}

// DefaultRetryDelay is the RetryInfo delay when the upstream sends no usable
// Retry-After.
const DefaultRetryDelay = time.Second

// maxRetryDelay caps a Retry-After value; anything longer is nonsense for an
// RPC and would overflow durations.
const maxRetryDelay = 24 * time.Hour

// retryDelay reads Retry-After: delay-seconds, or an HTTP-date measured
// against the response's own Date header (translate has no clock, and the
// server's clock is the one the date refers to). Otherwise it is
// DefaultRetryDelay.
func retryDelay(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return DefaultRetryDelay
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return DefaultRetryDelay
		}
		if n > int64(maxRetryDelay/time.Second) {
			return maxRetryDelay
		}
		return time.Duration(n) * time.Second
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return DefaultRetryDelay
	}
	now, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return DefaultRetryDelay
	}
	d := at.Sub(now)
	switch {
	case d < 0:
		return 0
	case d > maxRetryDelay:
		return maxRetryDelay
	}
	return d
}
