package translate

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

// object decodes one error. topMsg, the top-level message, is reused when the
// error's message is the same text.
func (tr *translation) object(e rawError, topMsg string) errObj {
	src := tr.p.src
	o := errObj{entry: lookupCode(src, e.code)}
	if o.entry != nil {
		o.code = o.entry.Code // no allocation for a catalogued code
	} else {
		o.code = tr.str(jsoncore.DecodeString(src, e.code))
	}
	if m := tr.p.message; bytes.Equal(e.message.Bytes(src), m.Bytes(src)) {
		o.message = topMsg
	} else {
		o.message = tr.str(jsoncore.DecodeString(src, e.message))
	}
	o.extras = tr.kvs(tr.p.extras(e), maxClipObject-len(o.code)-len(o.message))
	return o
}

// kvs decodes members into sorted entries of JSON text. When truncating,
// values over maxClipString are dropped, and the rest within budget bytes.
func (tr *translation) kvs(ms []member, budget int) []kv {
	if len(ms) == 0 {
		return nil
	}
	src := tr.p.src
	start := len(tr.arena)
	for _, m := range ms {
		k, v := keyString(src, m.key), rawText(src, m.val)
		if tr.clip {
			if n := len(k) + len(v); n > maxClipString || n > budget {
				continue
			}
			budget -= len(k) + len(v)
		}
		tr.arena = append(tr.arena, kv{k, v})
	}
	out := sortKVs(tr.arena[start:])
	tr.arena = tr.arena[:start+len(out)]
	return out[:len(out):len(out)]
}

// topExtras returns the top-level fields other than statusCode, message and
// errors, as JSON text.
func (tr *translation) topExtras() []kv {
	return tr.kvs(tr.p.topExtras(), maxClipMetadata)
}

// metadata is ErrorInfo.metadata: the wire code, the HTTP status and every
// extra field of the first error whose name is a valid metadata key, strings
// as they are and other values as JSON text.
func (tr *translation) metadata(first *errObj) []kv {
	start := len(tr.arena)
	tr.arena = append(tr.arena, kv{MetadataHTTPStatus, itoaStatus(tr.httpStatus)})
	if tr.clip {
		tr.arena = append(tr.arena, kv{MetadataTruncated, "true"})
	}
	if first != nil {
		tr.arena = append(tr.arena, kv{MetadataCode, first.code})
		budget := maxClipMetadata
		for _, e := range first.extras {
			if !validMetadataKey(e.k) {
				continue
			}
			if tr.clip {
				if len(e.k)+len(e.v) > budget {
					continue
				}
				budget -= len(e.k) + len(e.v)
			}
			tr.arena = append(tr.arena, kv{e.k, jsonTextValue(e.v)})
		}
	}
	return sortKVs(tr.arena[start:])
}

// validMetadataKey reports whether k can be an ErrorInfo metadata key
// (google.rpc.ErrorInfo: letters, digits, '_' and '-', starting with a
// letter, at most 64 characters) and is not one the gateway sets.
func validMetadataKey(k string) bool {
	if len(k) == 0 || len(k) > 64 || k == MetadataCode || k == MetadataHTTPStatus || k == MetadataTruncated {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !letter || !letter && !(c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// jsonTextValue returns the value of a JSON string, and any other JSON text
// unchanged.
func jsonTextValue(raw string) string {
	if len(raw) < 2 || raw[0] != '"' {
		return raw
	}
	if !strings.ContainsRune(raw, '\\') {
		return raw[1 : len(raw)-1]
	}
	var s string
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return raw
	}
	return s
}

// appendTyped writes the typed detail of the first error: its message and
// each field of the typed message found among the error's extra fields under
// the field's JSON name. A value of the wrong type is converted when it can
// be ("3" or 3.0 for an int64) and left out when it cannot.
func (tr *translation) appendTyped(b []byte, first *errObj) []byte {
	fields := tr.entry.Detail.Descriptor().Fields()
	limit := maxValueJSON
	if tr.clip {
		limit = maxClipString
	}
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.Name() == "message" && fd.Kind() == protoreflect.StringKind {
			b = appendStr(b, fd.Number(), first.message)
			continue
		}
		raw, ok := lookupKV(first.extras, fd.JSONName())
		if !ok || fd.Cardinality() == protoreflect.Repeated {
			continue
		}
		b = appendTypedField(b, fd, raw, limit)
	}
	return b
}

// appendTypedField writes one field of a typed detail from JSON text, when
// the text converts to the field's kind.
func appendTypedField(b []byte, fd protoreflect.FieldDescriptor, raw string, limit int) []byte {
	text := strings.TrimSpace(jsonTextValue(raw))
	num := fd.Number()
	switch fd.Kind() {
	case protoreflect.StringKind:
		return appendStr(b, num, text)
	case protoreflect.Int64Kind, protoreflect.Int32Kind:
		bits := 64
		if fd.Kind() == protoreflect.Int32Kind {
			bits = 32
		}
		if n, ok := jsoncore.ParseIntegral(text, bits); ok {
			return appendVarintField(b, num, uint64(n))
		}
	case protoreflect.Sint64Kind, protoreflect.Sint32Kind:
		bits := 64
		if fd.Kind() == protoreflect.Sint32Kind {
			bits = 32
		}
		if n, ok := jsoncore.ParseIntegral(text, bits); ok {
			return appendVarintField(b, num, protowire.EncodeZigZag(n))
		}
	case protoreflect.Uint64Kind, protoreflect.Uint32Kind:
		bits := 64
		if fd.Kind() == protoreflect.Uint32Kind {
			bits = 32
		}
		if n, err := strconv.ParseUint(text, 10, bits); err == nil {
			return appendVarintField(b, num, n)
		}
	case protoreflect.BoolKind:
		if v, err := strconv.ParseBool(text); err == nil && v {
			return appendVarintField(b, num, 1)
		}
	case protoreflect.DoubleKind:
		if f, err := strconv.ParseFloat(text, 64); err == nil && f != 0 {
			b = protowire.AppendTag(b, num, protowire.Fixed64Type)
			return protowire.AppendFixed64(b, math.Float64bits(f))
		}
	case protoreflect.MessageKind:
		if fd.Message().FullName() == "google.protobuf.Value" && len(raw) <= limit {
			return appendValueField(b, num, raw)
		}
	}
	return b
}

// appendValueField writes JSON text as a google.protobuf.Value field.
func appendValueField(b []byte, num protowire.Number, raw string) []byte {
	v := &structpb.Value{}
	if err := protojson.Unmarshal([]byte(raw), v); err != nil {
		return b
	}
	vb, err := marshalOpts.Marshal(v)
	if err != nil {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, vb)
}

// kinds returns the extra detail kinds of the status: the catalogue row's,
// or RetryInfo for an uncatalogued code on a retryable HTTP status.
func (tr *translation) kinds() []errorsv1.DetailKind {
	if tr.entry != nil {
		return tr.entry.Spec.GetDetails()
	}
	if retryableHTTPStatus(tr.httpStatus) {
		return retryKinds
	}
	return nil
}

var retryKinds = []errorsv1.DetailKind{errorsv1.DetailKind_DETAIL_KIND_RETRY_INFO}

// kindDetail writes a detail that does not depend on the number of errors:
// ResourceInfo, Help or RetryInfo.
func (tr *translation) kindDetail(k errorsv1.DetailKind, first *errObj) {
	w := tr.w
	switch k {
	case errorsv1.DetailKind_DETAIL_KIND_RESOURCE_INFO:
		typ, name := resourceOf(tr.entry.Spec, tr.t)
		w.begin(urlResourceInfo)
		w.buf = appendResourceInfo(w.buf, typ, name, first.message)
	case errorsv1.DetailKind_DETAIL_KIND_HELP:
		desc := tr.entry.Spec.GetHelp()
		if desc == "" {
			desc = tr.entry.Spec.GetCallerAction()
		}
		w.begin(urlHelp)
		w.buf = appendHelp(w.buf, desc, tr.entry.Spec.GetDocUrl())
	default: // DETAIL_KIND_RETRY_INFO
		d := retryDelay(tr.header)
		w.begin(urlRetryInfo)
		w.buf = appendRetryInfo(w.buf, int64(d/1e9), int32(d%1e9))
	}
	w.finish()
}

// resourceOf names the resource that is missing: the row's resource type
// when it has one, else the resource the call addressed. The name is the id
// or key the call addressed, and only when the type is the addressed one
// (otherwise the message names the other resource).
func resourceOf(spec *errorsv1.ErrorCodeSpec, t Target) (typ, name string) {
	typ = spec.GetResourceType()
	if typ == "" {
		typ = t.ResourceType
	}
	if typ == t.ResourceType {
		name = t.name()
	}
	return typ, name
}

// violation fills o.viol for a BadRequest (badRequest) or a
// PreconditionFailure and returns its size.
//
// BadRequest: the field is the error's `field` property, else its code's
// row's field, else the first error's row's; the description is
// detailedErrorMessage when not empty, else the message.
// PreconditionFailure: the type is the row's precondition_type (the first
// error's row when the error's own code has none), the subject is the
// addressed resource, the description is the message.
func (tr *translation) violation(o *errObj, badRequest bool) int {
	v := &o.viol
	v.description = o.message
	if badRequest {
		if f, ok := lookupKV(o.extras, "field"); ok {
			v.field = tr.str(jsonTextValue(f))
		}
		if v.field == "" {
			v.field = o.entry.spec().GetField()
		}
		if v.field == "" {
			v.field = tr.entry.spec().GetField()
		}
		if d, ok := lookupKV(o.extras, "detailedErrorMessage"); ok {
			if d = jsonTextValue(d); d != "" {
				v.description = tr.str(d)
			}
		}
		return sizeFieldViolation(v)
	}
	v.typ = o.entry.spec().GetPreconditionType()
	if v.typ == "" {
		v.typ = tr.entry.spec().GetPreconditionType()
	}
	v.subject = tr.t.subject()
	return sizePreconditionViolation(v)
}

// spec returns the row's spec; nil for a nil entry.
func (e *Entry) spec() *errorsv1.ErrorCodeSpec {
	if e == nil {
		return nil
	}
	return e.Spec
}
