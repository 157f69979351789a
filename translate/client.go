package translate

import (
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
)

// ErrorInfoOf returns the ErrorInfo of the status that err carries: an error
// returned by a grpc-go call, an [*Error], or any error wrapping one. Every
// status made by this package has exactly one.
func ErrorInfoOf(err error) (*errdetails.ErrorInfo, bool) {
	return DetailOf[*errdetails.ErrorInfo](err)
}

// ErrorResponseOf returns the whole upstream ErrorResponse of the status err
// carries, equal as JSON to what the Connect API sent: the ErrorResponse
// detail when the status has one, else the one the status stands for,
// rebuilt from its message, ErrorInfo and typed detail (a typical single
// error leaves the detail out; see docs/design.md#what-a-translated-status-carries).
// It returns false for a status that is not a translated upstream error.
func ErrorResponseOf(err error) (*errorsv1.ErrorResponse, bool) {
	if resp, ok := DetailOf[*errorsv1.ErrorResponse](err); ok {
		return resp, true
	}
	wire, ok := rebuildResponse(nil, statusProtoOf(err))
	if !ok {
		return nil, false
	}
	resp := &errorsv1.ErrorResponse{}
	if proto.Unmarshal(wire, resp) != nil {
		return nil, false
	}
	return resp, true
}

// DetailOf returns the first detail of type T of the status err carries, for
// example the typed detail of a Connect code:
//
//	if cm, ok := translate.DetailOf[*errorsv1.ConcurrentModification](err); ok {
//		// re-read, then re-apply on cm.GetCurrentVersion()
//	}
//
// It returns false when err carries no status or the status has no such
// detail.
func DetailOf[T proto.Message](err error) (T, bool) {
	var zero T
	pb := statusProtoOf(err)
	if pb == nil || any(zero) == nil { // no status, or T is an interface
		return zero, false
	}
	want := zero.ProtoReflect().Descriptor().FullName()
	for _, a := range pb.GetDetails() {
		if a.MessageName() != want {
			continue
		}
		m := zero.ProtoReflect().Type().New().Interface()
		if err := a.UnmarshalTo(m); err != nil {
			continue
		}
		return m.(T), true
	}
	return zero, false
}

// statusProtoOf finds the status of err without copying it when err is (or
// wraps) an *Error.
func statusProtoOf(err error) *spb.Status {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e.StatusProto()
	}
	st, ok := status.FromError(err)
	if !ok || st == nil {
		return nil
	}
	return st.Proto()
}
