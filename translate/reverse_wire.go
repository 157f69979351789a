package translate

import (
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

// ToResponse reads the few details it needs straight from their wire bytes
// and writes the ErrorResponse JSON while it decodes it: unmarshalling into
// generated structs would decode maps by reflection, at several times the
// cost. A detail whose bytes do not parse is ignored, as a detail that does
// not unmarshal would be.

// forFields calls f for each field of the message b; it reports false when b
// is not a valid message.
func forFields(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte, x uint64)) bool {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return false
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return false
		}
		b = b[n:]
		f(num, typ, v, x)
	}
	return true
}

// wireErrorInfo is what ToResponse and the rebuild read of a
// google.rpc.ErrorInfo, without copying it.
type wireErrorInfo struct {
	reason, domain, code, httpStatus []byte
	truncated                        bool
}

// readErrorInfo reads the ErrorInfo b. When extra is not nil it also
// appends there every metadata entry (in wire form) other than code,
// httpStatus and truncated: an error's own fields.
func readErrorInfo(b []byte, extra *[][]byte) (wireErrorInfo, bool) {
	var ei wireErrorInfo
	ok := forFields(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) {
		if typ != protowire.BytesType {
			return
		}
		switch num {
		case 1:
			ei.reason = v
		case 2:
			ei.domain = v
		case 3:
			k, val, _ := readEntry(v)
			switch string(k) {
			case MetadataCode:
				ei.code = val
			case MetadataHTTPStatus:
				ei.httpStatus = val
			case MetadataTruncated:
				ei.truncated = true
			default:
				if extra != nil {
					*extra = append(*extra, v)
				}
			}
		}
	})
	return ei, ok
}

// readEntry decodes a map<string, string> entry.
func readEntry(b []byte) (k, v []byte, ok bool) {
	ok = forFields(b, func(num protowire.Number, typ protowire.Type, x []byte, _ uint64) {
		if typ != protowire.BytesType {
			return
		}
		switch num {
		case 1:
			k = x
		case 2:
			v = x
		}
	})
	return k, v, ok
}

// readRetryDelay decodes google.rpc.RetryInfo's delay in whole seconds,
// rounded up.
func readRetryDelay(b []byte) (int64, bool) {
	var d []byte
	ok := forFields(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) {
		if num == 1 && typ == protowire.BytesType {
			d = v
		}
	})
	if !ok {
		return 0, false
	}
	var secs int64
	var nanos int32
	ok = forFields(d, func(num protowire.Number, typ protowire.Type, _ []byte, x uint64) {
		if typ != protowire.VarintType {
			return
		}
		switch num {
		case 1:
			secs = int64(x)
		case 2:
			nanos = int32(x)
		}
	})
	if nanos > 0 {
		secs++
	}
	return max(secs, 0), ok
}

// readRequestID decodes google.rpc.RequestInfo.request_id.
func readRequestID(b []byte) ([]byte, bool) {
	var id []byte
	ok := forFields(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) {
		if num == 1 && typ == protowire.BytesType {
			id = v
		}
	})
	return id, ok
}

// appendErrorResponseWire renders the ErrorResponse b as Connect JSON: the
// known fields (the last occurrence of each, as proto decoding keeps), then
// the extra fields in wire order (sorted, for a deterministic marshal). An
// extra field named like a known one is left out; an extra value that is not
// valid JSON is rendered as a JSON string of its text. It reports false when
// b is not a valid message.
func appendErrorResponseWire(dst, b []byte) ([]byte, bool) {
	var code int64
	var msg []byte
	ok := forFields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) {
		switch {
		case num == 1 && typ == protowire.VarintType:
			code = int64(int32(x))
		case num == 2 && typ == protowire.BytesType:
			msg = v
		}
	})
	if !ok {
		return dst, false
	}
	dst = append(dst, `{"statusCode":`...)
	dst = strconv.AppendInt(dst, code, 10)
	dst = append(dst, `,"message":`...)
	dst = jsoncore.AppendString(dst, msg)
	dst = append(dst, `,"errors":[`...)
	n := 0
	forFields(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) {
		if num != 3 || typ != protowire.BytesType || !ok {
			return
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst, ok = appendErrorObjectWire(dst, v)
	})
	dst = append(dst, ']')
	dst, extrasOK := appendExtrasWire(dst, b, 4, topLevelNames)
	return append(dst, '}'), ok && extrasOK
}

func appendErrorObjectWire(dst, b []byte) ([]byte, bool) {
	var code, msg []byte
	ok := forFields(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) {
		if typ != protowire.BytesType {
			return
		}
		switch num {
		case 1:
			code = v
		case 2:
			msg = v
		}
	})
	if !ok {
		return dst, false
	}
	dst = append(dst, `{"code":`...)
	dst = jsoncore.AppendString(dst, code)
	dst = append(dst, `,"message":`...)
	dst = jsoncore.AppendString(dst, msg)
	dst, ok = appendExtrasWire(dst, b, 3, errorObjectNames)
	return append(dst, '}'), ok
}

// The members written from the known fields, which an extra field may not
// repeat.
var (
	topLevelNames    = []string{"statusCode", "message", "errors"}
	errorObjectNames = []string{"code", "message"}
)

// appendExtrasWire writes the entries of the map<string, string> field num
// of b as JSON members, except those named in skip.
func appendExtrasWire(dst, b []byte, field protowire.Number, skip []string) ([]byte, bool) {
	ok := true
	forFields(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) {
		if num != field || typ != protowire.BytesType || !ok {
			return
		}
		k, val, entryOK := readEntry(v)
		if !entryOK {
			ok = false
			return
		}
		for _, name := range skip {
			if string(k) == name {
				return
			}
		}
		dst = append(dst, ',')
		dst = jsoncore.AppendString(dst, k)
		dst = append(dst, ':')
		if len(val) > 0 && jsoncore.Valid(val) {
			dst = append(dst, val...)
		} else {
			dst = jsoncore.AppendString(dst, val)
		}
	})
	return dst, ok
}
