package translate

import (
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

var (
	urlBadRequest          = typeURLOf(&errdetails.BadRequest{})
	urlPreconditionFailure = typeURLOf(&errdetails.PreconditionFailure{})
	urlResourceInfo        = typeURLOf(&errdetails.ResourceInfo{})
	urlHelp                = typeURLOf(&errdetails.Help{})
)

// build writes the status of a well-formed ErrorResponse into tr.w; it
// reports false when the status would be larger than MaxStatusBytes
// (without clipping; with clipping, when even the details that do not grow
// with the errors are too large).
//
// The details, in order: ErrorInfo, the typed detail of the first error's
// code, the row's detail kinds in the row's order, RequestInfo (when there is
// a correlation id), and ErrorResponse when a reader could not rebuild it
// from the others (see rebuilds).
func (tr *translation) build() bool {
	p := tr.p
	tr.arena = make([]kv, 0, len(p.members)+8)
	msg := tr.str(jsoncore.DecodeString(p.src, p.message))
	objs := make([]errObj, 0, min(len(p.errors), 16))
	var first *errObj
	statusMsg := msg
	if tr.first != nil {
		objs = append(objs, tr.object(*tr.first, msg))
		first = &objs[0]
		if statusMsg == "" {
			statusMsg = first.message
		}
	}
	code := tr.code()
	withResp := !tr.rebuilds(first, msg)
	kinds := tr.kinds()
	// The status message and the details of a single error take less than
	// its body; the ErrorResponse detail, when carried, about as much again;
	// each detail's Any header about anyReserve (the longest, while its
	// value is written).
	bufSize := len(p.src) + 128 + (3+len(kinds))*anyReserve
	if withResp {
		bufSize += len(p.src) + 128
	}
	w := tr.w
	w.reset(code, statusMsg, bufSize)

	// The details that do not grow with the number of errors. The
	// violations detail (BadRequest or PreconditionFailure) is written last,
	// once the kept errors are known, and then moved to its place in the
	// list, violAt.
	w.begin(urlErrorInfo)
	w.buf = appendErrorInfo(w.buf, tr.reason(first.codeOrEmpty()), DomainConnect, tr.metadata(first))
	w.finish()
	if tr.entry != nil && first != nil {
		w.begin(typeURLs[tr.entry.Detail.Descriptor().FullName()])
		w.buf = tr.appendTyped(w.buf, first)
		w.finish()
	}
	violAt, violURL := -1, ""
	for _, k := range kinds {
		switch k {
		case errorsv1.DetailKind_DETAIL_KIND_BAD_REQUEST:
			violAt, violURL = len(w.ats), urlBadRequest
		case errorsv1.DetailKind_DETAIL_KIND_PRECONDITION_FAILURE:
			violAt, violURL = len(w.ats), urlPreconditionFailure
		default:
			tr.kindDetail(k, first)
		}
	}
	if id := tr.t.CorrelationID; id != "" {
		w.begin(urlRequestInfo)
		w.buf = appendRequestInfo(w.buf, id)
		w.finish()
	}

	extras := tr.topExtras()
	size := len(w.buf) + sizeSlack
	if withResp {
		size += anySize(urlErrorResponse, sizeRespHead(p.statusCode, msg, extras))
	}
	if violAt >= 0 {
		size += anySize(violURL, 0)
	}
	if size > MaxStatusBytes {
		return false
	}

	// Keep errors while they fit.
	for i := range p.errors {
		if i > 0 {
			objs = append(objs, tr.object(p.errors[i], msg))
		}
		o := &objs[i]
		cost := 0
		if withResp {
			cost += sizeMsg(3, o.size()) // ErrorResponse.errors
		}
		if violAt >= 0 {
			// BadRequest.field_violations or PreconditionFailure.violations
			cost += sizeMsg(1, tr.violation(o, violURL == urlBadRequest))
		}
		if size+cost > MaxStatusBytes {
			if !tr.clip {
				return false
			}
			objs = objs[:i]
			break
		}
		size += cost
	}

	if violAt >= 0 && len(objs) > 0 {
		w.begin(violURL)
		w.buf = appendViolations(w.buf, violURL == urlBadRequest, objs)
		w.finish()
		w.moveLast(violAt)
	}
	if withResp {
		w.begin(urlErrorResponse)
		w.buf = appendResp(w.buf, p.statusCode, msg, objs, extras)
		w.finish()
	}
	if len(w.buf) > MaxStatusBytes { // the estimate above was wrong: never send it
		return false
	}
	return true
}

// anyReserve is about what begin reserves for the header of an Any of one
// of the detail types made here.
const anyReserve = 80

func (o *errObj) codeOrEmpty() string {
	if o == nil {
		return ""
	}
	return o.code
}

// minimal is the last resort when even a clipped status does not fit: the
// code and an ErrorInfo saying that the status is truncated.
func (tr *translation) minimal() {
	md := []kv{{MetadataHTTPStatus, itoaStatus(tr.httpStatus)}, {MetadataTruncated, "true"}}
	reason := ReasonUnknownCode
	if tr.first != nil {
		c, _ := clip(jsoncore.DecodeString(tr.p.src, tr.first.code), maxClipString)
		md = append(md, kv{MetadataCode, c})
		reason = tr.reason(c)
	}
	w := tr.w
	w.reset(tr.code(), "upstream error too large to translate", 256)
	w.begin(urlErrorInfo)
	w.buf = appendErrorInfo(w.buf, reason, DomainConnect, sortKVs(md))
	w.finish()
}
