package translate

import (
	"cmp"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
)

// The hot path of FromResponse writes its details with protowire rather than
// through generated structs: protobuf-go marshals maps (ErrorInfo.metadata,
// extra_json) by reflection, which costs more than the whole translation.
// Every function here writes the encoding proto.Marshal would write, with
// map entries sorted by key as Deterministic does; the golden tests compare
// the result with protocmp after unmarshalling it. Every size counts the
// tag of its own field number, as the append beside it writes it.

// kv is one entry of a map<string, string>.
type kv struct{ k, v string }

// sortKVs sorts entries by key and keeps the last of equal keys (the order
// of the body decides, as encoding/json's last-wins rule does).
func sortKVs(kvs []kv) []kv {
	slices.SortStableFunc(kvs, func(a, b kv) int { return cmp.Compare(a.k, b.k) })
	out := kvs[:0]
	for i, e := range kvs {
		if i+1 < len(kvs) && kvs[i+1].k == e.k {
			continue
		}
		out = append(out, e)
	}
	return out
}

// lookupKV returns the value of key k in sorted entries.
func lookupKV(kvs []kv, k string) (string, bool) {
	i, ok := slices.BinarySearchFunc(kvs, k, func(e kv, k string) int { return cmp.Compare(e.k, k) })
	if !ok {
		return "", false
	}
	return kvs[i].v, true
}

// sizeStr is the size of string field num; empty strings are not written.
func sizeStr(num protowire.Number, s string) int {
	if s == "" {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeBytes(len(s))
}

func appendStr(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// sizeMsg is the size of nested message field num whose content is n bytes.
func sizeMsg(num protowire.Number, n int) int { return protowire.SizeTag(num) + protowire.SizeBytes(n) }

func appendMsgHeader(b []byte, num protowire.Number, n int) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendVarint(b, uint64(n))
}

func sizeEntry(e kv) int { return sizeStr(1, e.k) + sizeStr(2, e.v) }

// sizeMap is the size of map<string, string> field num.
func sizeMap(num protowire.Number, kvs []kv) int {
	n := 0
	for _, e := range kvs {
		n += sizeMsg(num, sizeEntry(e))
	}
	return n
}

func appendMap(b []byte, num protowire.Number, kvs []kv) []byte {
	for _, e := range kvs {
		b = appendMsgHeader(b, num, sizeEntry(e))
		b = appendStr(b, 1, e.k)
		b = appendStr(b, 2, e.v)
	}
	return b
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func sizeVarintField(num protowire.Number, v uint64) int {
	if v == 0 {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeVarint(v)
}

// errObj is one error of the ErrorResponse, decoded.
type errObj struct {
	code, message string
	extras        []kv   // sorted by key, one per key
	entry         *Entry // the code's row; nil when not catalogued
	viol          violation
}

// violation is the BadRequest.FieldViolation or PreconditionFailure.Violation
// of one error.
type violation struct{ typ, subject, field, description string }

// commercetools.connect.errors.v1.ErrorObject
func (o *errObj) size() int {
	return sizeStr(1, o.code) + sizeStr(2, o.message) + sizeMap(3, o.extras)
}

func appendErrObj(b []byte, o *errObj) []byte {
	b = appendStr(b, 1, o.code)
	b = appendStr(b, 2, o.message)
	return appendMap(b, 3, o.extras)
}

// commercetools.connect.errors.v1.ErrorResponse without its errors.
func sizeRespHead(statusCode int32, msg string, extras []kv) int {
	return sizeVarintField(1, uint64(int64(statusCode))) + sizeStr(2, msg) + sizeMap(4, extras)
}

func appendResp(b []byte, statusCode int32, msg string, objs []errObj, extras []kv) []byte {
	b = appendVarintField(b, 1, uint64(int64(statusCode)))
	b = appendStr(b, 2, msg)
	for i := range objs {
		b = appendMsgHeader(b, 3, objs[i].size())
		b = appendErrObj(b, &objs[i])
	}
	return appendMap(b, 4, extras)
}

// google.rpc.ErrorInfo
func appendErrorInfo(b []byte, reason, domain string, md []kv) []byte {
	b = appendStr(b, 1, reason)
	b = appendStr(b, 2, domain)
	return appendMap(b, 3, md)
}

// google.rpc.BadRequest.FieldViolation
func sizeFieldViolation(v *violation) int { return sizeStr(1, v.field) + sizeStr(2, v.description) }

// google.rpc.PreconditionFailure.Violation
func sizePreconditionViolation(v *violation) int {
	return sizeStr(1, v.typ) + sizeStr(2, v.subject) + sizeStr(3, v.description)
}

// appendViolations writes a google.rpc.BadRequest (badRequest) or a
// google.rpc.PreconditionFailure.
func appendViolations(b []byte, badRequest bool, objs []errObj) []byte {
	for i := range objs {
		v := &objs[i].viol
		if badRequest {
			b = appendMsgHeader(b, 1, sizeFieldViolation(v))
			b = appendStr(b, 1, v.field)
			b = appendStr(b, 2, v.description)
			continue
		}
		b = appendMsgHeader(b, 1, sizePreconditionViolation(v))
		b = appendStr(b, 1, v.typ)
		b = appendStr(b, 2, v.subject)
		b = appendStr(b, 3, v.description)
	}
	return b
}

// google.rpc.ResourceInfo
func appendResourceInfo(b []byte, typ, name, description string) []byte {
	b = appendStr(b, 1, typ)
	b = appendStr(b, 2, name)
	return appendStr(b, 4, description)
}

// google.rpc.Help with one link.
func appendHelp(b []byte, description, url string) []byte {
	b = appendMsgHeader(b, 1, sizeStr(1, description)+sizeStr(2, url))
	b = appendStr(b, 1, description)
	return appendStr(b, 2, url)
}

// google.rpc.RetryInfo
func appendRetryInfo(b []byte, seconds int64, nanos int32) []byte {
	inner := sizeVarintField(1, uint64(seconds)) + sizeVarintField(2, uint64(int64(nanos)))
	b = appendMsgHeader(b, 1, inner)
	b = appendVarintField(b, 1, uint64(seconds))
	return appendVarintField(b, 2, uint64(int64(nanos)))
}

// google.rpc.RequestInfo
func appendRequestInfo(b []byte, id string) []byte { return appendStr(b, 1, id) }
