package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	"github.com/connect-gateway/connect-gateway/gateway/wirejson"
	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// face is one of the gateway's two faces.
type face int

const (
	faceGRPC face = iota
	faceREST
	numFaces
)

func (f face) String() string {
	if f == faceREST {
		return "rest"
	}
	return "grpc"
}

// callIn is what a face passes to invoke besides the request message.
type callIn struct {
	face          face
	correlationID string
	bearer        string // secret: never logged
	// rawBody asks for the upstream's success body as it is (callOut.answer)
	// instead of a decoded message: the REST face writes Connect's own bytes.
	rawBody bool
	// forward, set by the REST face, is the caller's request as it came:
	// the upstream gets its query string and body bytes instead of ones
	// encoded from the request message, which then holds only the path
	// parameters (see [forwarded]).
	forward *forwarded
	// secured are secured configuration values of a forwarded body that
	// the request message does not hold (a body that does not decode into
	// it); secret: never logged.
	secured []string
	// wireBody asks for the success body in protobuf binary (callOut.wire),
	// transcoded straight from the JSON without building the message, when
	// [wirejson.AppendProto] takes it; otherwise the message is decoded. The
	// gRPC face sends those bytes as they are (see [serverCodec]).
	wireBody bool
}

// callOut is what invoke learned about the upstream exchange.
type callOut struct {
	upstreamStatus int    // 0 when no answer came
	connectCode    string // the error's label (see reasonOf), set by scrubCall
	attempts       int
	// answer is the upstream's success answer when callIn.rawBody asked
	// for its body as it is (JSON); the face recycles it once written.
	answer *upstream.Response
	// wire is the success body in protobuf binary when callIn.wireBody
	// asked for it and the transcoder took it.
	wire mem.Buffer
	// header is the upstream's response header, when an answer came.
	header http.Header
}

// forwarded is a REST request as the caller sent it.
type forwarded struct {
	rawQuery string // without "?"
	body     []byte // nil for a route without a body
}

// invoke performs one RPC as one upstream call (plus safe retries): the
// route's HTTP rule builds the request, the answer is decoded into the
// response message, and an error answer is translated into a status.
func (g *Gateway) invoke(ctx context.Context, r *route, req proto.Message, in callIn) (proto.Message, callOut, error) {
	g.metrics.inFlight.Inc()
	defer g.metrics.inFlight.Dec()
	var out callOut
	m := req.ProtoReflect()
	read := r.normalize(m)
	// target names what the call addresses in its errors; m does not change
	// after normalize, and a call that succeeds never reads it.
	target := func() translate.Target {
		id, key := r.addressed(m)
		return translate.Target{ResourceType: r.resourceType, ID: id, Key: key, CorrelationID: in.correlationID}
	}

	ureq, err := r.upstreamRequest(m, in, read)
	if err != nil {
		if _, ok := errors.AsType[*pathParamError](err); ok {
			return nil, out, invalidPathParam(err.Error(), target())
		}
		return nil, out, translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_INVALID_REQUEST, err.Error(), target(), nil)
	}

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, g.opts.DefaultTimeout)
		defer cancel()
	}
	wctx, cancel := writeContext(ctx, r)
	resp, err := g.upstream.Do(wctx, ureq)
	cancel()
	if r.verify != nil && ambiguous(resp, err) && ctx.Err() == nil {
		msg, verr := g.verifyForwarded(ctx, r, m, in, target(), ambiguityCause(resp, err))
		if verr == nil {
			g.metrics.ambiguous.WithLabelValues("verified").Inc()
			out.upstreamStatus = http.StatusCreated // what the write answers when its answer arrives
			return msg, out, nil
		}
		if err != nil {
			return nil, out, verr
		}
		// An unverified 500 is answered as the upstream answered it: its
		// General error already says the outcome is unknown.
		g.log.LogAttrs(ctx, slog.LevelWarn, "write outcome unknown", slog.String("method", r.fullMethod),
			slog.String("correlation_id", in.correlationID), slog.String("read_back", verr.Error()))
	}
	if err != nil {
		terr := g.upstreamError(err, target())
		return nil, out, terr
	}
	out.upstreamStatus, out.attempts, out.header = resp.StatusCode, resp.Attempts, resp.Header
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		terr := translate.FromResponse(resp.StatusCode, resp.Header, resp.Body, target())
		return nil, out, terr
	}
	if in.rawBody {
		out.answer = resp
		return nil, out, nil
	}
	if in.wireBody {
		if wire, ok := r.transcodeResponse(resp.Body); ok {
			resp.Recycle() // the wire form is a copy
			out.wire = wire
			return nil, out, nil
		}
		g.metrics.decoded.WithLabelValues(r.fullMethod).Inc()
	}
	msg, err := r.decodeResponse(resp.Body)
	if err != nil {
		return nil, out, translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_INTERNAL,
			fmt.Sprintf("the upstream answered %d with a body the gateway cannot read as %s: %v",
				resp.StatusCode, r.output.Descriptor().Name(), err), target(), nil)
	}
	return msg, out, nil
}

// invalidPathParam is the answer to a path parameter the gateway refuses
// before any upstream call (see [checkPathParam]): the ErrorResponse the
// Connect API answers such a parameter with, 400 InvalidPathParam with the
// broken rule as its detailedErrorMessage, translated as an upstream answer
// is. Both faces thus see what the Connect API would have said (over gRPC
// the same status, typed detail and BadRequest field violation; over REST
// the same body), and the upstream never sees the path.
func invalidPathParam(detail string, target translate.Target) *translate.Error {
	type errorObject struct {
		Code                 string `json:"code"`
		Message              string `json:"message"`
		DetailedErrorMessage string `json:"detailedErrorMessage"`
	}
	msg := "Request path param is not valid"
	if e, ok := translate.Lookup(invalidPathParamCode); ok {
		msg = e.Spec.GetMessageTemplate()
	}
	body, err := json.Marshal(struct {
		StatusCode int           `json:"statusCode"`
		Message    string        `json:"message"`
		Errors     []errorObject `json:"errors"`
	}{http.StatusBadRequest, msg, []errorObject{{invalidPathParamCode, msg, detail}}})
	if err != nil { // strings and an int always marshal
		return translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_INTERNAL, "encoding InvalidPathParam: "+err.Error(), target, nil)
	}
	return translate.FromResponse(http.StatusBadRequest, http.Header{"Content-Type": {jsonContentType}}, body, target)
}

const invalidPathParamCode = "InvalidPathParam"

// ambiguityCause says in a few words why a write's outcome is unknown.
func ambiguityCause(resp *upstream.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("the upstream answered %d", resp.StatusCode)
}

// upstreamRequest builds the upstream HTTP request of a call from the
// route's rule, with the call's token and correlation id. The path is built
// from the request's path parameters, each checked against its rule (a
// [*pathParamError] otherwise). A forwarded REST request keeps its query
// string and body bytes as the caller sent them. read is a path value
// already read from m (see [route.normalize]), or none.
func (r *route) upstreamRequest(m protoreflect.Message, in callIn, read pathValue) (*upstream.Request, error) {
	path, err := r.path(m, read)
	if err != nil {
		return nil, err
	}
	ureq := &upstream.Request{Method: r.httpMethod, Path: path, Operation: r.fullMethod,
		Bearer: in.bearer, CorrelationID: in.correlationID}
	if in.forward != nil {
		ureq.RawQuery, ureq.Body = in.forward.rawQuery, in.forward.body
		return ureq, nil
	}
	ureq.Query = r.query(m)
	// Bodies carry fields without presence even at their zero value, as
	// Connect's own clients send them (`"certification": false`); the protos
	// make every field Connect may leave out optional.
	switch {
	case r.bodyAll:
		ureq.Body, err = wirejson.MarshalOptions{EmitDefaults: true, Omit: func(fd protoreflect.FieldDescriptor) bool {
			return r.pathFields[fd.Number()]
		}}.Append(nil, m.Interface())
	case r.body != nil:
		ureq.Body, err = wirejson.MarshalOptions{EmitDefaults: true}.Marshal(m.Get(r.body).Message().Interface())
	}
	if err != nil {
		return nil, fmt.Errorf("encoding the request body: %w", err)
	}
	return ureq, nil
}

// verifyForwarded is [Gateway.verifyWrite] for a call of either face: the
// read-back needs the request's body fields (the draft's key, the update's
// version), which a forwarded REST request holds only as bytes, decoded
// here for that purpose alone.
func (g *Gateway) verifyForwarded(ctx context.Context, r *route, m protoreflect.Message, in callIn, target translate.Target, cause string) (proto.Message, error) {
	if in.forward != nil {
		full, err := r.withBody(m, in.forward.body)
		if err != nil {
			return nil, g.unknownOutcome(target, cause, "the request body cannot be read to read the resource back: "+err.Error())
		}
		m = full
	}
	return g.verifyWrite(ctx, r, m, in, target, cause)
}

// withBody returns a request message with the path parameters of m and the
// fields of the JSON body, as grpc-gateway would decode a REST request. The
// REST face sends the body as it came; it decodes it only for what the
// gateway itself reads of it (a read-back, the secrets to scrub).
func (r *route) withBody(m protoreflect.Message, body []byte) (protoreflect.Message, error) {
	full := r.input.New()
	if r.bodyAll || r.body != nil {
		dst := full
		if r.body != nil {
			dst = full.Mutable(r.body).Message()
		}
		if err := wirejson.Unmarshal(body, dst.Interface()); err != nil {
			return nil, err
		}
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if r.pathFields[fd.Number()] {
			full.Set(fd, v)
		}
		return true
	})
	return full, nil
}

// decodeResponse reads a successful upstream body into the response message.
func (r *route) decodeResponse(body []byte) (proto.Message, error) {
	resp := r.output.New()
	dst := resp
	if r.responseBody != nil {
		dst = resp.Mutable(r.responseBody).Message()
	}
	if err := wirejson.Unmarshal(body, dst.Interface()); err != nil {
		return nil, err
	}
	return resp.Interface(), nil
}

// transcodeResponse writes a successful upstream body as the protobuf
// encoding of the response message, without building the message; ok is
// false when the body is left to decodeResponse (see [wirejson.AppendProto]).
// The bytes are written into a buffer of grpc-go's default pool, which
// grpc-go gives back once it has sent them (see [serverCodec]).
func (r *route) transcodeResponse(body []byte) (wire mem.Buffer, ok bool) {
	pool := mem.DefaultBufferPool()
	buf := pool.Get(len(body) + 8) // the wire form is shorter than the JSON
	var out []byte
	if r.responseBody != nil {
		out, ok = wirejson.AppendProtoField((*buf)[:0], r.responseBody.Number(), body, r.responseBody.Message())
	} else {
		out, ok = wirejson.AppendProto((*buf)[:0], body, r.output.Descriptor())
	}
	if !ok {
		pool.Put(buf)
		return nil, false
	}
	if cap(out) != cap(*buf) { // it outgrew the pool's buffer: keep the new one
		pool.Put(buf)
		return mem.SliceBuffer(out), true
	}
	*buf = out
	return mem.NewBuffer(buf, pool), true
}

// restBody returns the part of a response message the REST face writes.
func (r *route) restBody(resp proto.Message) proto.Message {
	if r.responseBody == nil {
		return resp
	}
	return resp.ProtoReflect().Get(r.responseBody).Message().Interface()
}

// upstreamError turns a failed upstream exchange into a status.
func (g *Gateway) upstreamError(err error, target translate.Target) *translate.Error {
	uerr, ok := errors.AsType[*upstream.Error](err)
	if !ok { // the upstream client classifies every failure: this is a bug
		uerr = &upstream.Error{Kind: upstream.KindInternal, Err: err}
	}
	reason := uerr.Kind.Reason()
	if uerr.Ambiguous {
		reason = errorsv1.GatewayReason_GATEWAY_REASON_OUTCOME_UNKNOWN
	}
	md := map[string]string{"attempts": fmt.Sprint(uerr.Attempts)}
	if uerr.Err != nil {
		md[translate.MetadataCause] = uerr.Err.Error()
	}
	if uerr.BudgetExhausted {
		md["retryBudgetExhausted"] = "true"
	}
	msg := uerr.Error()
	if uerr.Ambiguous {
		msg = "the outcome of the write is unknown: " + msg + "; read the resource before retrying"
	}
	return translate.NewError(reason, msg, target, md)
}

// reasonOf names a failed call for logs and metrics, from a bounded set:
// the catalogued Connect code, the gateway reason, or the gRPC code of an
// error that is not a translated one.
func reasonOf(err error) string {
	if te, ok := errors.AsType[*translate.Error](err); ok {
		return te.Parts().Label
	}
	if err == nil {
		return ""
	}
	return status.Code(err).String()
}

// codeOf is status.Code(err) without making a translated error's status,
// which only the gRPC face needs (grpc-go makes it when the handler returns).
func codeOf(err error) codes.Code {
	if te, ok := errors.AsType[*translate.Error](err); ok {
		return te.Code()
	}
	return status.Code(err)
}

// finish logs one line per call and records its metrics. The line never
// holds the token or any part of the request or response bodies.
func (g *Gateway) finish(ctx context.Context, r *route, in callIn, out callOut, err error, start time.Time) {
	elapsed := time.Since(start)
	code := codeOf(err)
	traceCall(ctx, r, in, out, err)
	g.metrics.observeCall(r.series[in.face], code, elapsed)
	if out.connectCode != "" {
		g.metrics.translatedError(out.connectCode)
	}
	level := slog.LevelInfo
	if code == codes.Internal || code == codes.Unknown || code == codes.DataLoss {
		level = slog.LevelError
	}
	if !g.log.Enabled(ctx, level) {
		return
	}
	g.log.LogAttrs(ctx, level, "call",
		slog.String("method", r.fullMethod),
		slog.String("face", in.face.String()),
		slog.String("code", code.String()),
		slog.Int("upstream_status", out.upstreamStatus),
		slog.String("connect_code", out.connectCode),
		slog.Int("attempts", out.attempts),
		slog.String("correlation_id", in.correlationID),
		slog.Duration("latency", elapsed),
	)
}
