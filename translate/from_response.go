package translate

import (
	"fmt"
	"net/http"
	"regexp"

	"google.golang.org/grpc/codes"

	"github.com/connect-gateway/connect-gateway/internal/jsoncore"
)

// ReasonUnknownCode is the ErrorInfo reason (domain connect.commercetools.com)
// of a well-formed upstream error whose code cannot be a reason of its own:
// the errors array is empty, or the code's UPPER_SNAKE_CASE form is not a
// valid reason (UPPER_SNAKE_CASE, at most 63 characters) or is the reason of
// a catalogued code. A code the catalogue does not know but that makes a
// valid reason ("QuotaExceeded") gets that reason ("QUOTA_EXCEEDED"). In
// every case ErrorInfo.metadata["code"] holds the exact wire code.
const ReasonUnknownCode = "UNKNOWN_ERROR"

// Metadata keys the gateway sets on ErrorInfo. An extra field of the upstream
// error with one of these names is not copied into the metadata (the status
// then carries the ErrorResponse detail, which keeps it).
const (
	MetadataCode       = "code"
	MetadataHTTPStatus = "httpStatus"
	MetadataTruncated  = "truncated"
)

// FromResponse translates an upstream error response (its HTTP status,
// headers and body) into an [Error] whose status carries what the package
// documentation lists. It never panics and never returns nil; the status is never OK, for
// any input.
//
// A body that is a well-formed Connect ErrorResponse (see parse.go) is
// translated by the catalogue row of its first error's code, or by HTTP
// status ([CodeForHTTPStatus]) when the code is not catalogued or there is no
// error. Any other body, and any HTTP status outside 400 to 599, takes the
// UPSTREAM_MALFORMED_ERROR path (docs/design.md#odd-input): the code follows the HTTP
// status (UNKNOWN outside 400 to 599) and an
// [errorsv1.UpstreamMalformedError] keeps a bounded excerpt of the body.
//
// The status is at most [MaxStatusBytes] when marshalled; see there. It is
// built from body and header on first use (see [Error]): the caller must not
// modify them after the call.
func FromResponse(httpStatus int, header http.Header, body []byte, t Target) *Error {
	t = t.clean()
	if t.CorrelationID == "" {
		t.CorrelationID, _ = clip(header.Get("X-Correlation-ID"), maxTargetField)
	}
	if httpStatus < 400 || httpStatus > 599 {
		return malformed(httpStatus, header, body, t, fmt.Errorf("HTTP status %d is not an error status", httpStatus))
	}
	p := newParsed()
	if err := parse(body, p); err != nil {
		return malformed(httpStatus, header, body, t, err)
	}
	tr := &translation{p: p, httpStatus: httpStatus, header: header, t: t}
	if len(p.errors) > 0 {
		tr.first = &p.errors[0]
		tr.entry = lookupCode(p.src, tr.first.code)
	}
	label := LabelUncatalogued
	if tr.entry != nil {
		label = tr.entry.Code
	}
	return &Error{httpStatus: httpStatus, code: tr.code(), label: label, body: body, tr: tr}
}

// write writes the status into tr.w: the whole translation when it fits in
// MaxStatusBytes, else a clipped one, else the minimal one. Each has the
// code tr.code(). Then it lets go of what only writing needed.
func (tr *translation) write() {
	tr.w = &statusWriter{}
	if !tr.build() {
		tr.clip = true
		if !tr.build() {
			tr.minimal()
		}
	}
	tr.p, tr.header, tr.first, tr.arena = nil, nil, nil, nil
}

// LabelUncatalogued is the [Parts.Label] of an upstream error whose code the
// catalogue does not know (or that has no error at all): labels stay a
// bounded set whatever the upstream sends.
const LabelUncatalogued = "UNCATALOGUED"

// translation builds the status of one well-formed ErrorResponse.
type translation struct {
	p          *parsed
	httpStatus int
	header     http.Header
	t          Target
	first      *rawError
	entry      *Entry // row of the first error's code; nil when not catalogued
	// clip is set on the second attempt, when the full status is over
	// MaxStatusBytes: strings are clipped, errors dropped from the end.
	clip bool
	// arena holds the map entries of one attempt.
	arena []kv
	// w holds the status once written (by write); the writer is made then,
	// so that an Error whose status is never written does not carry it.
	w *statusWriter
}

func (tr *translation) code() codes.Code {
	if tr.entry != nil {
		return tr.entry.GRPCCode
	}
	return CodeForHTTPStatus(tr.httpStatus)
}

var reasonRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,61}[A-Z0-9]$`)

func (tr *translation) reason(firstCode string) string {
	if tr.entry != nil {
		return tr.entry.Reason
	}
	if tr.first == nil {
		return ReasonUnknownCode
	}
	r := upperSnake(firstCode)
	if len(r) > 63 || !reasonRE.MatchString(r) {
		return ReasonUnknownCode
	}
	if _, clash := catalog.byReason[r]; clash {
		return ReasonUnknownCode
	}
	return r
}

// str clips s when the status is being truncated.
func (tr *translation) str(s string) string {
	if tr.clip {
		s, _ = clip(s, maxClipString)
	}
	return s
}

// lookupCode returns the row of the code in the JSON string at s; nil when
// the code is not catalogued.
func lookupCode(src []byte, s span) *Entry {
	if jsoncore.PlainString(src, s) {
		return catalog.byCode[string(s.Inner(src))]
	}
	return catalog.byCode[jsoncore.DecodeString(src, s)]
}
