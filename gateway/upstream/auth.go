package upstream

import (
	"context"
	"errors"
)

// Auth supplies the bearer token of each call.
//
// When the upstream answers 401 with the code invalid_token, the client
// calls Invalidate with the token it sent; if Invalidate returns true, the
// client asks Token again and replays the request once. Implementations
// must be safe for concurrent use.
type Auth interface {
	// Token returns the bearer token for req. It must return promptly when
	// ctx ends, with an error for which [errors.Is] reports
	// [context.DeadlineExceeded] or [context.Canceled]. Other errors should
	// be an *[Error] (ErrAuthUnavailable, ErrAuthRejected); anything else is
	// reported as KindAuthUnavailable. An empty token sends no
	// Authorization header.
	Token(ctx context.Context, req *Request) (string, error)
	// Invalidate reports that the upstream rejected token as invalid, and
	// whether asking Token again may give a better one.
	Invalidate(token string) bool
}

// PassthroughAuth forwards the caller's own token, [Request.Bearer]. A
// request without one is sent without an Authorization header, so that the
// upstream answers it exactly as it would answer the caller (401
// invalid_token): the gateway does not judge credentials it does not hold.
// A token the upstream rejects is the caller's to renew: no replay.
type PassthroughAuth struct{}

// Token returns req.Bearer, which may be empty.
func (PassthroughAuth) Token(_ context.Context, req *Request) (string, error) {
	return req.Bearer, nil
}

// Invalidate returns false: the gateway cannot renew a caller's token.
func (PassthroughAuth) Invalidate(string) bool { return false }

// authError turns an error of [Auth.Token] into an *Error.
func authError(ctx context.Context, err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	if ctx.Err() != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		return contextError(ctx, "waiting for an access token")
	}
	return &Error{Kind: KindAuthUnavailable, Err: err}
}
