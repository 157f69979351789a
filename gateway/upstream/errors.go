package upstream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
)

// Kind classifies a failed call that produced no upstream answer. It is the
// one classification of such failures: [Kind.Reason] is the catalogue's
// GatewayReason for it, whose row says the gRPC code and the REST status.
type Kind uint8

// The kinds of failure. The zero value is not a valid Kind.
const (
	// KindUnavailable: the upstream could not be reached, or the connection
	// broke before a whole answer arrived. See [Error.Written].
	KindUnavailable Kind = iota + 1
	// KindTimeout: the call's deadline passed before an answer arrived.
	KindTimeout
	// KindCancelled: the caller cancelled the call.
	KindCancelled
	// KindRequestTooLarge: the request body is over [Options.MaxRequestBytes];
	// nothing was sent.
	KindRequestTooLarge
	// KindResponseTooLarge: the response body is over
	// [Options.MaxResponseBytes]; at most the limit plus one byte was read.
	KindResponseTooLarge
	// KindConcurrencyLimit: [Options.MaxConcurrent] calls are in flight;
	// nothing was sent.
	KindConcurrencyLimit
	// KindAuthUnavailable: the token endpoint could not be reached, failed,
	// or did not answer within its timeout.
	KindAuthUnavailable
	// KindAuthRejected: the token endpoint rejected the client credentials.
	KindAuthRejected
	// KindInternal: a bug or a misconfiguration in the gateway (for example
	// a request that cannot be built).
	KindInternal
)

// kinds is the one table of failures without an answer: each Kind's
// gateway reason and the words of its error.
var kinds = [...]struct {
	reason errorsv1.GatewayReason
	text   string
}{
	KindUnavailable:      {errorsv1.GatewayReason_GATEWAY_REASON_UPSTREAM_UNAVAILABLE, "upstream unavailable"},
	KindTimeout:          {errorsv1.GatewayReason_GATEWAY_REASON_UPSTREAM_TIMEOUT, "upstream timeout"},
	KindCancelled:        {errorsv1.GatewayReason_GATEWAY_REASON_CANCELLED, "call cancelled"},
	KindRequestTooLarge:  {errorsv1.GatewayReason_GATEWAY_REASON_REQUEST_TOO_LARGE, "request body too large"},
	KindResponseTooLarge: {errorsv1.GatewayReason_GATEWAY_REASON_RESPONSE_TOO_LARGE, "response body too large"},
	KindConcurrencyLimit: {errorsv1.GatewayReason_GATEWAY_REASON_CONCURRENCY_LIMIT, "too many upstream calls in flight"},
	KindAuthUnavailable:  {errorsv1.GatewayReason_GATEWAY_REASON_AUTH_UNAVAILABLE, "token endpoint unavailable"},
	KindAuthRejected:     {errorsv1.GatewayReason_GATEWAY_REASON_AUTH_REJECTED, "client credentials rejected"},
	KindInternal:         {errorsv1.GatewayReason_GATEWAY_REASON_INTERNAL, "internal error"},
}

// Reason returns the gateway reason of k; GATEWAY_REASON_INTERNAL for a
// value that is not a Kind.
func (k Kind) Reason() errorsv1.GatewayReason {
	if int(k) < len(kinds) && kinds[k].reason != errorsv1.GatewayReason_GATEWAY_REASON_UNSPECIFIED {
		return kinds[k].reason
	}
	return errorsv1.GatewayReason_GATEWAY_REASON_INTERNAL
}

// String returns the ErrorInfo reason of k, for example "UPSTREAM_TIMEOUT"
// (the GatewayReason's name without its prefix), or "KIND_n" for a value
// that is not a Kind.
func (k Kind) String() string {
	if int(k) < len(kinds) && kinds[k].reason != errorsv1.GatewayReason_GATEWAY_REASON_UNSPECIFIED {
		return strings.TrimPrefix(kinds[k].reason.String(), "GATEWAY_REASON_")
	}
	return fmt.Sprintf("KIND_%d", uint8(k))
}

// Error is a failed call that produced no usable upstream answer. Use
// [errors.As] to read its fields, or [errors.Is] with the sentinels below
// (ErrTimeout, ErrConcurrencyLimit, ...) to test its Kind; errors.Is also
// sees through to the cause ([context.DeadlineExceeded], a net error).
//
// Its message never holds a bearer token, a client secret or a body.
type Error struct {
	// Kind classifies the failure.
	Kind Kind
	// Written reports whether the last attempt's request was written to the
	// connection in full, so that the upstream may have acted on it.
	Written bool
	// Ambiguous reports that a non-idempotent request (a POST or DELETE) was
	// written and no answer came back: the write may or may not have taken
	// effect, and the caller should read the resource to find out before
	// resending anything.
	Ambiguous bool
	// Attempts is the number of upstream attempts made (0 when nothing was
	// sent).
	Attempts int
	// BudgetExhausted reports that a retry was due but the process-wide
	// retry budget denied it.
	BudgetExhausted bool
	// Err is the cause; it may be nil for a sentinel.
	Err error
}

// Sentinels for [errors.Is]: an *Error matches the sentinel of its Kind.
var (
	ErrUnavailable      = &Error{Kind: KindUnavailable}
	ErrTimeout          = &Error{Kind: KindTimeout}
	ErrCancelled        = &Error{Kind: KindCancelled}
	ErrRequestTooLarge  = &Error{Kind: KindRequestTooLarge}
	ErrResponseTooLarge = &Error{Kind: KindResponseTooLarge}
	ErrConcurrencyLimit = &Error{Kind: KindConcurrencyLimit}
	ErrAuthUnavailable  = &Error{Kind: KindAuthUnavailable}
	ErrAuthRejected     = &Error{Kind: KindAuthRejected}
	ErrInternal         = &Error{Kind: KindInternal}
)

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("upstream: ")
	if int(e.Kind) < len(kinds) && kinds[e.Kind].text != "" {
		b.WriteString(kinds[e.Kind].text)
	} else {
		b.WriteString(e.Kind.String())
	}
	if e.Attempts > 0 {
		fmt.Fprintf(&b, " (attempts: %d", e.Attempts)
		if e.Written {
			b.WriteString(", request written")
		}
		if e.BudgetExhausted {
			b.WriteString(", retry budget exhausted")
		}
		b.WriteString(")")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's Kind. A target *Error
// with a cause is compared by identity, as usual.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Err == nil && t.Kind == e.Kind
}

// classify turns the error of an HTTP round trip or of a body read into an
// *Error. ctx is the call's context: its error wins over whatever the
// transport reports, because a cancelled context is why the transport
// failed.
func classify(ctx context.Context, err error, written bool) *Error {
	e := &Error{Kind: KindUnavailable, Written: written, Err: err}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		e.Kind = KindTimeout
	case errors.Is(ctx.Err(), context.Canceled):
		e.Kind = KindCancelled
	default:
		// A transport timeout of its own (dial, TLS handshake) before the
		// request was written means the upstream is unreachable; after it,
		// the answer is late and the outcome unknown.
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() && written {
			e.Kind = KindTimeout
		}
	}
	return e
}

// contextError is the *Error for a call whose context ended while it was
// not talking to the upstream (waiting for a token, sleeping before a
// retry).
func contextError(ctx context.Context, what string) *Error {
	err := ctx.Err()
	kind := KindCancelled
	if errors.Is(err, context.DeadlineExceeded) {
		kind = KindTimeout
	}
	return &Error{Kind: kind, Err: fmt.Errorf("%s: %w", what, err)}
}
