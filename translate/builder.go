package translate

import (
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
)

// MaxStatusBytes bounds the marshalled google.rpc.Status of every status made
// here (code, message and all details). grpc-go sends it base64-encoded in
// the grpc-status-details-bin trailer, so 6 KiB becomes at most 8 KiB on the
// wire: within the default header buffers of common proxies (nginx's 8k,
// Envoy's 60 KiB). A status that would be larger keeps the first errors that
// fit, clips long strings, and says so with ErrorInfo.metadata["truncated"].
const MaxStatusBytes = 6 << 10

// Bounds used when a status has to be truncated, and always for input that
// does not come from the upstream body.
const (
	maxClipString   = 256  // every string of a truncated status
	maxClipMetadata = 512  // all extra metadata of a truncated ErrorInfo
	maxClipObject   = 1024 // one error object of a truncated ErrorResponse
	maxValueJSON    = 1024 // JSON text turned into a google.protobuf.Value
	maxExcerpt      = 1024 // body excerpt of an UPSTREAM_MALFORMED_ERROR
	// sizeSlack covers the growth of length prefixes while errors are added.
	sizeSlack = 32
)

var marshalOpts = proto.MarshalOptions{Deterministic: true}

const typeURLPrefix = "type.googleapis.com/"

// typeURLs holds the Any type URL of every detail type made here, so that
// building a status does not concatenate strings. It is filled at init and
// never changes.
var typeURLs = func() map[protoreflect.FullName]string {
	m := map[protoreflect.FullName]string{}
	for _, fd := range []protoreflect.FileDescriptor{
		errdetails.File_google_rpc_error_details_proto,
		errorsv1.File_commercetools_connect_errors_v1_error_response_proto,
		errorsv1.File_commercetools_connect_errors_v1_typed_errors_proto,
		errorsv1.File_commercetools_connect_errors_v1_catalog_proto,
	} {
		msgs := fd.Messages()
		for i := range msgs.Len() {
			n := msgs.Get(i).FullName()
			m[n] = typeURLPrefix + string(n)
		}
	}
	return m
}()

func typeURLOf(m proto.Message) string {
	n := m.ProtoReflect().Descriptor().FullName()
	if u, ok := typeURLs[n]; ok {
		return u
	}
	return typeURLPrefix + string(n)
}

// builder marshals details into one shared buffer and keeps their Any
// wrappers in one slice, so that a status costs few allocations.
type builder struct {
	buf  []byte
	anys []anypb.Any
	list []*anypb.Any
}

// newBuilder makes a builder for n details of about size bytes in all.
func newBuilder(n, size int) *builder {
	return &builder{
		buf:  make([]byte, 0, min(max(size, 256), MaxStatusBytes)),
		anys: make([]anypb.Any, 0, n),
		list: make([]*anypb.Any, 0, n),
	}
}

// add marshals m as the next detail; a detail that does not marshal is
// left out.
func (b *builder) add(m proto.Message) {
	start := b.begin()
	var err error
	b.buf, err = marshalOpts.MarshalAppend(b.buf, m)
	if err != nil {
		b.buf = b.buf[:start]
		return
	}
	b.list = append(b.list, b.finish(typeURLOf(m), start))
}

// begin starts a detail written straight into the buffer.
func (b *builder) begin() int { return len(b.buf) }

// finish wraps the bytes written since start in an Any of type url.
func (b *builder) finish(url string, start int) *anypb.Any {
	if len(b.anys) == cap(b.anys) {
		// The Any values already handed out keep the old backing array.
		b.anys = make([]anypb.Any, 0, 2*cap(b.anys)+1)
	}
	b.anys = b.anys[:len(b.anys)+1]
	a := &b.anys[len(b.anys)-1]
	a.TypeUrl = url
	a.Value = b.buf[start:len(b.buf):len(b.buf)]
	return a
}

// status returns the google.rpc.Status with the details added so far.
func (b *builder) status(c codes.Code, msg string) *spb.Status {
	return &spb.Status{Code: int32(c), Message: msg, Details: b.list}
}

// anySize is the size of a detail of type url and marshalled size n, as an
// element of google.rpc.Status.details.
func anySize(url string, n int) int {
	inner := protowire.SizeTag(1) + protowire.SizeBytes(len(url))
	if n > 0 {
		inner += protowire.SizeTag(2) + protowire.SizeBytes(n)
	}
	return protowire.SizeTag(3) + protowire.SizeBytes(inner)
}

// statusHeadSize is the size of a status's code and message fields.
func statusHeadSize(c codes.Code, msg string) int {
	n := 0
	if c != codes.OK {
		n += protowire.SizeTag(1) + protowire.SizeVarint(uint64(c))
	}
	if msg != "" {
		n += protowire.SizeTag(2) + protowire.SizeBytes(len(msg))
	}
	return n
}
