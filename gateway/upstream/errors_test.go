package upstream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
)

// TestKindsHaveReasons: every Kind has a gateway reason of the catalogue
// and a message, and no two kinds share a reason. Adding a Kind without both
// fails here.
func TestKindsHaveReasons(t *testing.T) {
	t.Parallel()
	seen := map[errorsv1.GatewayReason]Kind{}
	for k := KindUnavailable; int(k) < len(kinds); k++ {
		r := kinds[k].reason
		if r == errorsv1.GatewayReason_GATEWAY_REASON_UNSPECIFIED || kinds[k].text == "" {
			t.Errorf("Kind %d has no reason or no message", k)
		}
		if _, ok := errorsv1.GatewayReason_name[int32(r)]; !ok {
			t.Errorf("Kind %d: reason %d is not a GatewayReason", k, r)
		}
		if k.String() != strings.TrimPrefix(r.String(), "GATEWAY_REASON_") {
			t.Errorf("Kind %d is named %q, its reason %v", k, k.String(), r)
		}
		if other, dup := seen[r]; dup {
			t.Errorf("Kinds %d and %d share the reason %v", other, k, r)
		}
		seen[r] = k
	}
	if got := Kind(0).String(); got != "KIND_0" {
		t.Errorf("Kind(0).String() = %q, want KIND_0", got)
	}
	if got := Kind(0).Reason(); got != errorsv1.GatewayReason_GATEWAY_REASON_INTERNAL {
		t.Errorf("Kind(0).Reason() = %v, want INTERNAL", got)
	}
}

func TestErrorIsAs(t *testing.T) {
	t.Parallel()
	cause := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	err := fmt.Errorf("calling: %w", &Error{Kind: KindUnavailable, Attempts: 3, Err: cause})
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("errors.Is(err, ErrUnavailable) = false")
	}
	if errors.Is(err, ErrTimeout) {
		t.Errorf("errors.Is(err, ErrTimeout) = true for an unavailable error")
	}
	if _, ok := errors.AsType[*net.OpError](err); !ok {
		t.Errorf("errors.As does not reach the cause")
	}
	if e, ok := errors.AsType[*Error](err); !ok || e.Attempts != 3 {
		t.Errorf("errors.As(*Error) = %v, %v", e, ok)
	}
	want := "upstream: upstream unavailable (attempts: 3): dial tcp: connection refused"
	if got := (&Error{Kind: KindUnavailable, Attempts: 3, Err: cause}).Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	expired, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	timeoutErr := &net.OpError{Op: "dial", Err: timeoutError{}}
	cases := []struct {
		name    string
		ctx     context.Context
		err     error
		written bool
		want    Kind
	}{
		{"deadline", expired, errors.New("x"), true, KindTimeout},
		{"cancelled", cancelled, errors.New("x"), true, KindCancelled},
		{"refused", context.Background(), errors.New("refused"), false, KindUnavailable},
		{"dial timeout before write", context.Background(), timeoutErr, false, KindUnavailable},
		{"transport timeout after write", context.Background(), timeoutErr, true, KindTimeout},
		{"conn deadline after write", context.Background(), fmt.Errorf("read: %w", os.ErrDeadlineExceeded), true, KindTimeout},
		{"connection refused", context.Background(), dial(os.NewSyscallError("connect", syscall.ECONNREFUSED)), false, KindUnavailable},
		{"connection reset", context.Background(), dial(os.NewSyscallError("read", syscall.ECONNRESET)), true, KindUnavailable},
		{"dns", context.Background(), dial(&net.DNSError{Err: "no such host", Name: "connect.example", IsNotFound: true}), false, KindUnavailable},
		{"tls record", context.Background(), dial(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), false, KindUnavailable},
		{"tls authority", context.Background(), dial(x509.UnknownAuthorityError{}), false, KindUnavailable},
		{"early EOF", context.Background(), &url.Error{Op: "Get", URL: "u", Err: io.EOF}, true, KindUnavailable},
	}
	for _, tc := range cases {
		if got := classify(tc.ctx, tc.err, tc.written); got.Kind != tc.want || got.Written != tc.written {
			t.Errorf("%s: classify = %v written %v, want %v written %v", tc.name, got.Kind, got.Written, tc.want, tc.written)
		}
	}
}

func dial(err error) error {
	return &url.Error{Op: "Get", URL: "https://connect.example/x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: err}}
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// TestAuthError: errors of a custom Auth are classified: an *Error is kept,
// the end of the caller's context is a timeout or a cancellation, anything
// else is AUTH_UNAVAILABLE.
func TestAuthError(t *testing.T) {
	t.Parallel()
	expired, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	cases := []struct {
		name string
		ctx  context.Context
		err  error
		want Kind
	}{
		{"typed", context.Background(), &Error{Kind: KindAuthRejected}, KindAuthRejected},
		{"caller deadline", expired, fmt.Errorf("vault: %w", context.DeadlineExceeded), KindTimeout},
		{"other", context.Background(), errors.New("vault sealed"), KindAuthUnavailable},
		{"deadline of its own", context.Background(), context.DeadlineExceeded, KindAuthUnavailable},
	}
	for _, tc := range cases {
		if got := authError(tc.ctx, tc.err); got.Kind != tc.want {
			t.Errorf("%s: authError = %v, want %v", tc.name, got.Kind, tc.want)
		}
	}
}
