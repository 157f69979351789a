package translate

import (
	"strings"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

// A translated status carries the whole upstream ErrorResponse only when the
// rest of the status cannot stand for it. A typical Connect error (one
// catalogued error, no other member, statusCode equal to the HTTP status) is
// rebuilt, by every reader, from what the status carries anyway:
//
//	{"statusCode": <ErrorInfo.metadata httpStatus, as a number>,
//	 "message":    <the status message>,
//	 "errors": [{"code":    <ErrorInfo.metadata code>,
//	             "message": <the typed detail's message>,
//	             <every other ErrorInfo.metadata entry: its value as JSON
//	              text when it is valid JSON, else as a JSON string>}]}
//
// when ErrorInfo has domain connect.commercetools.com, the metadata has code
// and httpStatus (an error status) and no truncated. [rebuilds] decides, on
// the writing side, whether that rebuild equals the upstream body as JSON;
// [rebuildResponse] is the reading side ([ToResponse], [ErrorResponseOf]).
// clients/ts and clients/python read the same way.

// rebuilds reports whether the ErrorResponse of a translation, not
// truncated, is what a reader rebuilds from its status, so that the
// ErrorResponse detail can be left out. first is the first error, decoded;
// msg the top-level message.
//
// It holds when: there is exactly one error, its code is catalogued (so the
// status has its typed detail), there is no top-level member other than
// statusCode, message and errors, statusCode is the HTTP status, the status
// message is the top-level message, and every extra field of the error is in
// ErrorInfo.metadata in a form the reader turns back into the same JSON
// value: a valid metadata key, and a value that is not a string, or a string
// that no JSON parser reads as a JSON value (see mayReadAsJSON).
func (tr *translation) rebuilds(first *errObj, msg string) bool {
	p := tr.p
	if tr.clip || first == nil || first.entry == nil || len(p.errors) != 1 || p.topHi != p.topLo ||
		int(p.statusCode) != tr.httpStatus || msg == "" && first.message != "" {
		return false
	}
	for _, e := range first.extras {
		if !validMetadataKey(e.k) {
			return false
		}
		if len(e.v) > 0 && e.v[0] == '"' && mayReadAsJSON(jsonTextValue(e.v)) {
			return false
		}
	}
	return true
}

// mayReadAsJSON reports whether s, a metadata value that stands for a JSON
// string, might be read back as some other JSON value: it is valid JSON, or
// an object or array (which parsers nest to different depths), or Python's
// NaN or Infinity.
func mayReadAsJSON(s string) bool {
	t := strings.Trim(s, " \t\r\n")
	if t == "" {
		return false
	}
	switch t {
	case "NaN", "Infinity", "-Infinity":
		return true
	}
	return t[0] == '{' || t[0] == '[' || jsoncore.Valid([]byte(t))
}

// rebuildResponse appends to dst the commercetools.connect.errors.v1
// ErrorResponse, in wire form, that pb stands for when it has no
// ErrorResponse detail (see the comment at the top of this file). It reports
// false when pb is not a translated upstream error that can be rebuilt.
func rebuildResponse(dst []byte, pb *spb.Status) ([]byte, bool) {
	info, ok := firstDetail(pb, urlErrorInfo)
	if !ok {
		return dst, false
	}
	var entries [][]byte // metadata entries other than code, httpStatus and truncated
	ei, ok := readErrorInfo(info, &entries)
	code := ei.code
	sc := parseStatus(ei.httpStatus)
	if !ok || string(ei.domain) != DomainConnect || code == nil || sc == 0 || ei.truncated {
		return dst, false
	}
	errMsg := []byte(pb.GetMessage())
	if e, known := catalog.byCode[string(code)]; known {
		if typed, found := firstDetail(pb, typeURLs[e.Detail.Descriptor().FullName()]); found {
			errMsg = nil
			forFields(typed, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) {
				if num == 1 && typ == protowire.BytesType {
					errMsg = v
				}
			})
		}
	}

	// commercetools.connect.errors.v1.ErrorObject
	obj := make([]byte, 0, 64+len(errMsg)+16*len(entries))
	obj = appendBytesField(obj, 1, code)
	obj = appendBytesField(obj, 2, errMsg)
	for _, v := range entries {
		k, val, entryOK := readEntry(v)
		if !entryOK {
			return dst, false
		}
		text := val
		if len(val) == 0 || !jsoncore.Valid(val) {
			text = jsoncore.AppendString(nil, val)
		}
		obj = appendMsgHeader(obj, 3, sizeBytesField(1, k)+sizeBytesField(2, text))
		obj = appendBytesField(obj, 1, k)
		obj = appendBytesField(obj, 2, text)
	}
	// commercetools.connect.errors.v1.ErrorResponse
	dst = appendVarintField(dst, 1, uint64(sc))
	dst = appendStr(dst, 2, pb.GetMessage())
	dst = appendMsgHeader(dst, 3, len(obj))
	return append(dst, obj...), true
}

// firstDetail returns the value of pb's first detail of type url.
func firstDetail(pb *spb.Status, url string) ([]byte, bool) {
	for _, a := range pb.GetDetails() {
		if a.GetTypeUrl() == url {
			return a.GetValue(), true
		}
	}
	return nil, false
}

// sizeBytesField is the size of bytes field num; empty values are not
// written.
func sizeBytesField(num protowire.Number, b []byte) int {
	if len(b) == 0 {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeBytes(len(b))
}

func appendBytesField(b []byte, num protowire.Number, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}
