package translate

import (
	"errors"
	"net/http"
	"slices"
	"sync"
	"unsafe"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Target says what the failed call addressed. It feeds ResourceInfo,
// PreconditionFailure subjects and RequestInfo. Every field is optional; long
// values are clipped to 256 bytes and invalid UTF-8 is replaced.
type Target struct {
	// ResourceType is "ConnectorStaged", "Connector" or "Deployment"; empty
	// when unknown.
	ResourceType string
	// ID and Key are the id or the key the call addressed, if any.
	ID, Key string
	// CorrelationID goes to RequestInfo.request_id and, on the REST face,
	// back into X-Correlation-ID. When empty, FromResponse uses the upstream
	// response's X-Correlation-ID header.
	CorrelationID string
}

// maxTargetField bounds each Target field copied into a status.
const maxTargetField = 256

func (t Target) clean() Target {
	t.ResourceType, _ = clip(t.ResourceType, maxTargetField)
	t.ID, _ = clip(t.ID, maxTargetField)
	t.Key, _ = clip(t.Key, maxTargetField)
	t.CorrelationID, _ = clip(t.CorrelationID, maxTargetField)
	return t
}

// name is the id or, failing that, the key.
func (t Target) name() string {
	if t.ID != "" {
		return t.ID
	}
	return t.Key
}

// subject names the addressed resource as "ResourceType/id" or
// "ResourceType/key=key", the way Connect paths tell keys from ids.
func (t Target) subject() string {
	var id string
	switch {
	case t.ID != "":
		id = t.ID
	case t.Key != "":
		id = "key=" + t.Key
	}
	if t.ResourceType == "" {
		return id
	}
	if id == "" {
		return t.ResourceType
	}
	return t.ResourceType + "/" + id
}

// Error is a gRPC status with rich details, made by [FromResponse] or
// [NewError]. gRPC handlers return it as it is: grpc-go
// finds the status through [Error.GRPCStatus]. An Error is immutable and safe
// for concurrent use.
//
// The code, the HTTP status, the label and the upstream body are known when
// the Error is made. The status of a translated upstream error is written
// from its body on first use, in protobuf binary ([Error.WireStatus], which
// [Error.Message] also needs), and built over those bytes only when asked
// for ([Error.StatusProto], [Error.GRPCStatus]): a server that answers with
// the upstream's own bytes (the REST face) never pays for details it does
// not send, and one that sends the wire form (the gRPC face) never builds
// the status.
type Error struct {
	httpStatus int
	code       codes.Code
	label      string
	// body is the upstream's body when the status translates it (see Parts).
	body []byte
	// tr is FromResponse's work, from which the status is written; nil for
	// an Error made with its status (pb).
	tr *translation

	wireOnce sync.Once
	wire     string

	built sync.Once
	pb    *spb.Status

	once sync.Once
	st   *status.Status
}

func newError(httpStatus int, pb *spb.Status, label string) *Error {
	return &Error{httpStatus: httpStatus, code: codes.Code(pb.GetCode()), pb: pb, label: label}
}

// StatusProto returns the status, with its details, without copying it: the
// caller must not modify it. It is built on the first call (by any of the
// methods that need it) for an Error of [FromResponse], over the bytes of
// [Error.WireStatus]: each detail's value is a part of them.
func (e *Error) StatusProto() *spb.Status {
	if e == nil {
		return nil
	}
	e.built.Do(func() {
		if e.tr != nil {
			e.WireStatus()
			e.pb = e.tr.w.status(e.code)
		}
	})
	return e.pb
}

// Message returns the status message, StatusProto().GetMessage(), without
// building the status: an Error of [FromResponse] knows it once its status
// is written ([Error.WireStatus], which a gRPC server sends anyway).
func (e *Error) Message() string {
	if e == nil {
		return ""
	}
	if e.tr != nil {
		e.WireStatus()
		return e.tr.w.msg
	}
	return e.pb.GetMessage()
}

// Parts are what an [Error] is made of besides its status, for a server
// that must name it (a metric label) or answer with the upstream's bytes;
// reading them never builds the status. They are shared with the Error: the
// caller must not modify them.
type Parts struct {
	// UpstreamBody is the upstream's error body when the Error translates a
	// well-formed Connect ErrorResponse with an error status (400 to 599),
	// and nil otherwise. Rendering the status with [ToResponse] gives the
	// same JSON, unless errors were dropped to fit the status bound
	// (ErrorInfo.metadata truncated): these bytes still hold them all, and
	// every value of a key given twice, which matters to anyone searching
	// them for secrets. [ResponseOf] answers with them.
	UpstreamBody []byte
	// Label names what the error is, from a small fixed set fit for a
	// metric label or a log field: the catalogued Connect code of the first
	// upstream error ("ConcurrentModification"), [LabelUncatalogued] for a
	// code the catalogue does not know, or the gateway reason
	// ("UPSTREAM_TIMEOUT").
	Label string
}

// Parts returns what e is made of, without copying; zero Parts for a nil e.
func (e *Error) Parts() Parts {
	if e == nil {
		return Parts{}
	}
	return Parts{UpstreamBody: e.body, Label: e.label}
}

// ResponseOf renders any error for the REST face as [ToResponse] renders
// its status, without copying the status of an [*Error]; an Error that
// translates a well-formed upstream error answers with the upstream's own
// bytes ([Parts.UpstreamBody]: all of them, even when the status had to
// drop errors).
func ResponseOf(err error) (httpStatus int, header http.Header, body []byte) {
	if te, ok := errors.AsType[*Error](err); ok && te != nil {
		return toResponse(te.StatusProto(), te.body)
	}
	return ToResponse(status.Convert(err))
}

// Error returns the same text as the error of the equivalent
// [status.Status].
func (e *Error) Error() string {
	if e == nil {
		return "<nil>"
	}
	return "rpc error: code = " + e.code.String() + " desc = " + e.Message()
}

// GRPCStatus returns the status, with its details. The status is made once,
// on the first call.
func (e *Error) GRPCStatus() *status.Status {
	if e == nil {
		return nil
	}
	e.once.Do(func() { e.st = status.FromProto(e.StatusProto()) })
	return e.st
}

// WireStatus returns the status as a marshalled google.rpc.Status, the
// bytes proto.Marshal writes for [Error.StatusProto]: the bytes grpc-go
// sends, base64-encoded, in the grpc-status-details-bin trailer, and that
// every gRPC client decodes back into the status. It is made once, on the
// first call: for an Error of [FromResponse], written straight from the
// translation, without building the status. A gRPC server can set the
// trailer to it and return a status of the same code and message
// ([Error.Message]) without details (grpc-go then sends the trailer as it
// is), which saves building the status, grpc-go's copy of it and a
// reflective marshal on every failed call.
func (e *Error) WireStatus() string {
	if e == nil {
		return ""
	}
	e.wireOnce.Do(func() {
		var b []byte
		if e.tr != nil {
			e.tr.write()
			b = e.tr.w.buf
		} else {
			b = appendStatus(nil, e.pb)
		}
		e.wire = unsafe.String(unsafe.SliceData(b), len(b)) // b is never written again
	})
	return e.wire
}

// appendStatus appends pb in protobuf binary, as proto.Marshal writes it.
func appendStatus(b []byte, pb *spb.Status) []byte {
	size := 0
	for _, a := range pb.GetDetails() {
		size += anySize(a.GetTypeUrl(), len(a.GetValue()))
	}
	b = slices.Grow(b, statusHeadSize(codes.Code(pb.GetCode()), pb.GetMessage())+size)
	b = appendVarintField(b, 1, uint64(int64(pb.GetCode())))
	b = appendStr(b, 2, pb.GetMessage())
	for _, a := range pb.GetDetails() {
		b = appendAnyHeader(b, a.GetTypeUrl(), len(a.GetValue()))
		b = append(b, a.GetValue()...)
	}
	return b
}

// Code returns the gRPC code.
func (e *Error) Code() codes.Code {
	if e == nil {
		return codes.OK
	}
	return e.code
}

// HTTPStatus returns the HTTP status the REST face answers with, the one
// [ToResponse] gives: the upstream's for an error made by [FromResponse] (502
// when the upstream's is not an error status, 400 to 599), and the reason's
// row for an error the gateway made ([NewError]).
func (e *Error) HTTPStatus() int {
	if e == nil {
		return 0
	}
	return e.httpStatus
}
