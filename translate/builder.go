package translate

import (
	"encoding/binary"
	"slices"
	"unsafe"

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
func anySize(url string, n int) int { return sizeMsg(3, anyInner(url, n)) }

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

// statusWriter writes a google.rpc.Status in protobuf binary, as
// proto.Marshal writes it, straight into one buffer: the code and the
// message, then each detail as a google.protobuf.Any whose value is written
// in place. It remembers where each detail lies, so that the status can be
// built over the same bytes ([statusWriter.status]) without copying them.
// The bytes are what a gRPC server sends in grpc-status-details-bin; a
// server that sends them as they are never builds the status at all.
type statusWriter struct {
	buf []byte
	msg string
	// ats holds the offset in buf of each detail, in order: the tag of its
	// Status.details field.
	ats []int
	arr [6]int
	// The detail being written, between begin and finish.
	url string
	at  int
}

// reset starts a status of code c and message msg in a buffer of about size
// bytes, forgetting what was written before.
func (w *statusWriter) reset(c codes.Code, msg string, size int) {
	w.ats = w.arr[:0]
	w.msg = msg
	w.buf = slices.Grow(w.buf[:0], min(max(size, 256), MaxStatusBytes))
	w.buf = appendVarintField(w.buf, 1, uint64(int64(c)))
	w.buf = appendStr(w.buf, 2, msg)
}

// maxAnyHeader is the most an Any of type url takes in Status.details before
// its value: the header begin reserves.
func maxAnyHeader(url string) int {
	return protowire.SizeTag(3) + binary.MaxVarintLen64 + sizeStr(1, url) + protowire.SizeTag(2) + binary.MaxVarintLen64
}

// begin starts a detail of type url: its value is to be appended to w.buf
// before finish is called.
func (w *statusWriter) begin(url string) {
	at, n := len(w.buf), maxAnyHeader(url)
	w.buf = slices.Grow(w.buf, n)[:at+n]
	w.url, w.at = url, at
}

// finish writes the header of the detail begun last, now that the size of
// its value is known, and moves the value to follow it.
func (w *statusWriter) finish() {
	from := w.at + maxAnyHeader(w.url)
	n := len(w.buf) - from
	// The header is at most what begin reserved, so it is written within
	// the reservation, in place.
	start := len(appendAnyHeader(w.buf[:w.at], w.url, n))
	w.buf = w.buf[:start+copy(w.buf[start:], w.buf[from:])]
	w.ats = append(w.ats, w.at)
}

// moveLast moves the last detail to place i of the list, in the bytes too:
// for a detail that can only be written once the details after it are
// known.
func (w *statusWriter) moveLast(i int) {
	last := len(w.ats) - 1
	if i >= last {
		return
	}
	from, at, end := w.ats[i], w.ats[last], len(w.buf)
	// buf[from:at] holds the details to move after the last one: copy them
	// past the end, then move the last one and the copy down to from.
	w.buf = append(w.buf, w.buf[from:at]...)
	copy(w.buf[from:], w.buf[at:])
	w.buf = w.buf[:end]
	moved := end - at
	for j := last; j > i; j-- {
		w.ats[j] = w.ats[j-1] + moved
	}
	w.ats[i] = from
}

// status builds the status written, of code c, over the written bytes: they
// must not change afterwards. Each detail's type URL and value are parts of
// them.
func (w *statusWriter) status(c codes.Code) *spb.Status {
	anys := make([]anypb.Any, len(w.ats))
	list := make([]*anypb.Any, len(w.ats))
	for i, at := range w.ats {
		anys[i].TypeUrl, anys[i].Value = readAny(w.buf[at:])
		list[i] = &anys[i]
	}
	return &spb.Status{Code: int32(c), Message: w.msg, Details: list}
}

// readAny returns the type URL and the value of the Any of Status.details
// that b begins with, as finish writes it: both are parts of b.
func readAny(b []byte) (url string, value []byte) {
	_, _, n := protowire.ConsumeTag(b)
	content, _ := protowire.ConsumeBytes(b[n:])
	_, _, n = protowire.ConsumeTag(content) // Any.type_url
	u, m := protowire.ConsumeBytes(content[n:])
	if rest := content[n+m:]; len(rest) > 0 {
		_, _, n = protowire.ConsumeTag(rest) // Any.value
		value, _ = protowire.ConsumeBytes(rest[n:])
	}
	return unsafe.String(unsafe.SliceData(u), len(u)), value[:len(value):len(value)]
}

// anyInner is the size of the content of an Any of type url and marshalled
// size n.
func anyInner(url string, n int) int {
	inner := sizeStr(1, url)
	if n > 0 {
		inner += sizeMsg(2, n)
	}
	return inner
}

// appendAnyHeader appends what precedes the value of an Any of type url and
// marshalled size n in Status.details: the value is to follow it.
func appendAnyHeader(b []byte, url string, n int) []byte {
	b = appendMsgHeader(b, 3, anyInner(url, n))
	b = appendStr(b, 1, url)
	if n > 0 {
		b = appendMsgHeader(b, 2, n)
	}
	return b
}
