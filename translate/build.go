package translate

import (
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/types/known/anypb"

	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

var (
	urlBadRequest          = typeURLOf(&errdetails.BadRequest{})
	urlPreconditionFailure = typeURLOf(&errdetails.PreconditionFailure{})
	urlResourceInfo        = typeURLOf(&errdetails.ResourceInfo{})
	urlHelp                = typeURLOf(&errdetails.Help{})
)

// build returns the status of a well-formed ErrorResponse, or nil when it
// would be larger than MaxStatusBytes (without clipping; with clipping, when
// even the details that do not grow with the errors are too large).
//
// The details, in order: ErrorInfo, the typed detail of the first error's
// code, the row's detail kinds in the row's order, RequestInfo (when there is
// a correlation id), and ErrorResponse when a reader could not rebuild it
// from the others (see rebuilds).
func (tr *translation) build() *spb.Status {
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
	// The details of a single error take less than its body; the
	// ErrorResponse detail, when carried, about as much again.
	bufSize := len(p.src) + 128
	if withResp {
		bufSize += len(p.src) + 128
	}
	b := newBuilder(3+len(kinds)+1, bufSize)

	// The details that do not grow with the number of errors. The
	// violations detail (BadRequest or PreconditionFailure) is written last,
	// once the kept errors are known; violAt is its place in the list.
	start := b.begin()
	b.buf = appendErrorInfo(b.buf, tr.reason(first.codeOrEmpty()), DomainConnect, tr.metadata(first))
	head := []*anypb.Any{b.finish(urlErrorInfo, start)}
	if tr.entry != nil && first != nil {
		start = b.begin()
		b.buf = tr.appendTyped(b.buf, first)
		head = append(head, b.finish(typeURLs[tr.entry.Detail.Descriptor().FullName()], start))
	}
	violAt, violURL := -1, ""
	for _, k := range kinds {
		switch k {
		case errorsv1.DetailKind_DETAIL_KIND_BAD_REQUEST:
			violAt, violURL = len(head), urlBadRequest
			head = append(head, nil)
		case errorsv1.DetailKind_DETAIL_KIND_PRECONDITION_FAILURE:
			violAt, violURL = len(head), urlPreconditionFailure
			head = append(head, nil)
		default:
			head = append(head, tr.kindDetail(b, k, first))
		}
	}
	if id := tr.t.CorrelationID; id != "" {
		start = b.begin()
		b.buf = appendRequestInfo(b.buf, id)
		head = append(head, b.finish(urlRequestInfo, start))
	}

	extras := tr.topExtras()
	size := statusHeadSize(code, statusMsg) + sizeSlack
	if withResp {
		size += anySize(urlErrorResponse, sizeRespHead(p.statusCode, msg, extras))
	}
	for _, a := range head {
		if a != nil {
			size += anySize(a.TypeUrl, len(a.Value))
		}
	}
	if violAt >= 0 {
		size += anySize(violURL, 0)
	}
	if size > MaxStatusBytes {
		return nil
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
				return nil
			}
			objs = objs[:i]
			break
		}
		size += cost
	}

	if violAt >= 0 && len(objs) > 0 {
		start = b.begin()
		b.buf = appendViolations(b.buf, violURL == urlBadRequest, objs)
		head[violAt] = b.finish(violURL, start)
	}
	if withResp {
		start = b.begin()
		b.buf = appendResp(b.buf, p.statusCode, msg, objs, extras)
		head = append(head, b.finish(urlErrorResponse, start))
	}
	total := statusHeadSize(code, statusMsg)
	for _, a := range head {
		if a != nil {
			b.list = append(b.list, a)
			total += anySize(a.TypeUrl, len(a.Value))
		}
	}
	if total > MaxStatusBytes { // the estimate above was wrong: never send it
		return nil
	}
	return b.status(code, statusMsg)
}

func (o *errObj) codeOrEmpty() string {
	if o == nil {
		return ""
	}
	return o.code
}

// minimal is the last resort when even a clipped status does not fit: the
// code and an ErrorInfo saying that the status is truncated.
func (tr *translation) minimal() *spb.Status {
	md := []kv{{MetadataHTTPStatus, itoaStatus(tr.httpStatus)}, {MetadataTruncated, "true"}}
	reason := ReasonUnknownCode
	if tr.first != nil {
		c, _ := clip(jsoncore.DecodeString(tr.p.src, tr.first.code), maxClipString)
		md = append(md, kv{MetadataCode, c})
		reason = tr.reason(c)
	}
	b := newBuilder(1, 256)
	start := b.begin()
	b.buf = appendErrorInfo(b.buf, reason, DomainConnect, sortKVs(md))
	b.list = append(b.list, b.finish(urlErrorInfo, start))
	return b.status(tr.code(), "upstream error too large to translate")
}
