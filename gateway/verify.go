package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// An ambiguous write is a POST the upstream may or may not have applied: it
// answered 500 General, or the call timed out or lost its connection after
// the request was written. The gateway never resends it; it reads the
// resource back instead:
//
//   - a create whose draft has a key: the resource is read by key, and the
//     write is verified when it exists and agrees with the draft;
//   - an update: the resource is read, and the write is verified when its
//     version is the one the update would have produced.
//
// A verified write answers OK with the resource, as if the first answer had
// arrived. Anything else answers INTERNAL (OUTCOME_UNKNOWN), saying what
// the read showed.
//
// To have time to read back, a write gets the caller's deadline minus a
// reserve (a fifth of the time left, at most verifyReserveMax).
const verifyReserveMax = time.Second

// verifier is how a route reads back what its write did.
type verifier struct {
	read *route // the GET route of the same resource
	// create is true for a create (read by the draft's key), false for an
	// update (read by the request's id or key, compare versions).
	create bool
}

// linkVerifiers gives every write route the GET route that reads its
// resource back.
func linkVerifiers(routes []*route) {
	for _, w := range routes {
		if w.httpMethod != http.MethodPost {
			continue
		}
		for _, r := range routes {
			if r.httpMethod != http.MethodGet || r.desc.Parent() != w.desc.Parent() || r.responseBody == nil || w.responseBody == nil ||
				r.responseBody.Message() != w.responseBody.Message() {
				continue
			}
			switch {
			case w.body != nil && r.template == w.template+"/{id}" && w.body.Message() != nil && w.body.Message().Fields().ByName("key") != nil:
				w.verify = &verifier{read: r, create: true}
			case w.bodyAll && r.template == w.template && w.desc.Input().Fields().ByName("version") != nil:
				w.verify = &verifier{read: r}
			}
		}
	}
}

// writeContext returns the context a write is sent with: the caller's
// deadline minus the reserve for reading back.
func writeContext(ctx context.Context, r *route) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if r.verify == nil || !ok {
		return ctx, func() {}
	}
	reserve := min(time.Until(deadline)/5, verifyReserveMax)
	return context.WithDeadline(ctx, deadline.Add(-reserve))
}

// ambiguous reports whether a write's result leaves its outcome unknown.
func ambiguous(resp *upstream.Response, err error) bool {
	if err != nil {
		uerr, ok := errors.AsType[*upstream.Error](err)
		return ok && uerr.Ambiguous // written, then no answer
	}
	return resp.StatusCode == http.StatusInternalServerError
}

// verifyWrite reads back the resource of an ambiguous write. It returns the
// response message when the write is verified, else an OUTCOME_UNKNOWN
// error explaining what was found.
func (g *Gateway) verifyWrite(ctx context.Context, w *route, req protoreflect.Message, in callIn, target translate.Target, cause string) (proto.Message, error) {
	v := w.verify
	get := v.read.input.New()
	for i := range get.Descriptor().Fields().Len() {
		fd := get.Descriptor().Fields().Get(i)
		if src := req.Descriptor().Fields().ByName(fd.Name()); src != nil && src.Kind() == fd.Kind() && !fd.IsList() && req.Has(src) {
			get.Set(fd, req.Get(src))
		}
	}
	var draft protoreflect.Message
	if v.create {
		draft = req.Get(w.body).Message()
		key := draft.Get(draft.Descriptor().Fields().ByName("key")).String()
		if key == "" {
			return nil, g.unknownOutcome(target, cause, "the draft has no key to read the resource back by")
		}
		get.Set(get.Descriptor().Fields().ByName("key"), protoreflect.ValueOfString(key))
	}
	ureq, err := v.read.upstreamRequest(get, in, pathValue{})
	if err != nil {
		return nil, g.unknownOutcome(target, cause, "cannot build the read-back request: "+err.Error())
	}
	resp, err := g.upstream.Do(ctx, ureq)
	switch {
	case err != nil:
		return nil, g.unknownOutcome(target, cause, "reading the resource back failed: "+err.Error())
	case resp.StatusCode == http.StatusNotFound && v.create:
		return nil, g.unknownOutcome(target, cause, "the resource does not exist (yet): the create was probably not applied")
	case resp.StatusCode/100 != 2:
		return nil, g.unknownOutcome(target, cause, fmt.Sprintf("reading the resource back answered %d", resp.StatusCode))
	}
	msg, err := w.decodeResponse(resp.Body)
	if err != nil {
		return nil, g.unknownOutcome(target, cause, "the resource read back cannot be decoded: "+err.Error())
	}
	resource := msg.ProtoReflect().Get(w.responseBody).Message()
	if v.create {
		if field, ok := agrees(draft, resource); !ok {
			return nil, g.unknownOutcome(target, cause, "a resource with the key exists but its "+field+" differs from the draft's")
		}
		return msg, nil
	}
	sent := req.Get(req.Descriptor().Fields().ByName("version")).Int()
	got := resource.Get(resource.Descriptor().Fields().ByName("version")).Int()
	if got != sent+1 {
		return nil, g.unknownOutcome(target, cause, fmt.Sprintf(
			"the resource is at version %d; the update, sent for version %d, would have made it %d", got, sent, sent+1))
	}
	return msg, nil
}

// agrees reports whether every scalar the draft sets has the same value in
// the resource (fields of the same name), and else names the first that
// differs.
func agrees(draft, resource protoreflect.Message) (string, bool) {
	field, ok := "", true
	draft.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		rf := resource.Descriptor().Fields().ByName(fd.Name())
		if rf == nil || rf.Kind() != fd.Kind() || fd.IsList() || fd.IsMap() || fd.Message() != nil || rf.IsList() {
			return true
		}
		if !resource.Get(rf).Equal(v) {
			field, ok = fd.JSONName(), false
		}
		return ok
	})
	return field, ok
}

func (g *Gateway) unknownOutcome(target translate.Target, cause, found string) error {
	g.metrics.ambiguous.WithLabelValues("unknown").Inc()
	return translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_OUTCOME_UNKNOWN,
		"the outcome of the write is unknown ("+cause+"); reading it back: "+found+"; read the resource before retrying",
		target, map[string]string{translate.MetadataCause: cause})
}
