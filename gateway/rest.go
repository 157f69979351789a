package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/gateway/redact"
	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	"github.com/connect-gateway/connect-gateway/gateway/wirejson"
	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// newHTTPMux builds the HTTP face: the REST routes on a grpc-gateway
// ServeMux, plus /healthz, /readyz and /metrics.
func (g *Gateway) newHTTPMux() (http.Handler, error) {
	gw := runtime.NewServeMux(
		runtime.WithUnescapingMode(runtime.UnescapingModeAllExceptReserved),
		runtime.WithRoutingErrorHandler(g.routingError),
	)
	if err := g.registerRoutes(gw, g.restHandler); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !g.ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "draining\n")
			return
		}
		_, _ = io.WriteString(w, "ready\n")
	})
	mux.Handle("GET /metrics", g.metrics.handler())
	mux.Handle("GET /openapi.json", openAPIHandler())
	mux.Handle("/", gw)
	return apiFront(mux, gw, g.opts.MaxHeaderBytes), nil
}

// registerRoutes registers every route's HTTP rule on mux, with the
// handler handlerFor gives. grpc-gateway tries the most recently registered
// pattern first, so the most general templates go first: /connectors/search
// must win over /connectors/{id}.
func (g *Gateway) registerRoutes(mux *runtime.ServeMux, handlerFor func(*route) runtime.HandlerFunc) error {
	routes := slices.Clone(g.routes)
	slices.SortStableFunc(routes, func(a, b *route) int { return b.variables() - a.variables() })
	for _, r := range routes {
		if err := mux.HandlePath(r.httpMethod, r.template, handlerFor(r)); err != nil {
			return fmt.Errorf("REST route %s %s: %w", r.httpMethod, r.template, err)
		}
	}
	return nil
}

func (r *route) variables() int {
	n := 0
	for _, s := range r.segments {
		if s.field != nil {
			n++
		}
	}
	return n
}

// restHandler serves one route on the REST face as a transparent proxy of
// the Connect API: the upstream gets the caller's method, path (rebuilt
// from the path parameters, each checked first), query string and body
// bytes as they came; the caller gets the upstream's status, body bytes and
// the headers of [passedHeaders]. The gateway only bounds the body, sets the
// token and correlation id, and decides retries and read-back (see
// [Gateway.invoke]); it judges nothing the Connect API judges itself (JSON,
// field types, query values). Only the Authorization and X-Correlation-ID
// headers of the caller are read; no other header reaches the upstream.
func (g *Gateway) restHandler(r *route) runtime.HandlerFunc {
	return func(w http.ResponseWriter, hr *http.Request, params map[string]string) {
		start := time.Now()
		in := callIn{
			face:          faceREST,
			rawBody:       true,
			correlationID: correlationID(hr.Header.Get(upstream.HeaderCorrelationID)),
			bearer:        bearerToken(hr.Header.Get("Authorization")),
		}
		req, fwd, err := g.restForward(w, hr, r, params, in.correlationID)
		in.forward = fwd
		var (
			resp proto.Message
			out  callOut
		)
		if err == nil {
			resp, out, err = g.invoke(hr.Context(), r, req, in)
		}
		if err != nil {
			var full proto.Message
			full, in.secured = restSecrets(r, req, fwd)
			err = g.scrubCall(err, &out, in, full)
		}
		g.finish(hr.Context(), r, in, out, err, start)
		if err != nil {
			writeRESTError(w, err, out.header, in.correlationID)
			return
		}
		var body []byte
		header := out.header
		if out.answer != nil {
			body = out.answer.Body
		} else { // a write verified by reading back: its message
			header = nil
			body, err = wirejson.MarshalOptions{EmitDefaults: true}.Marshal(r.restBody(resp))
		}
		if err != nil {
			writeRESTError(w, translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_INTERNAL,
				"encoding the response: "+err.Error(), translate.Target{CorrelationID: in.correlationID}, nil), nil, in.correlationID)
			return
		}
		h := w.Header()
		copyPassed(h, header)
		if header == nil {
			h.Set("Content-Type", jsonContentType)
		}
		if h.Get(upstream.HeaderCorrelationID) == "" {
			h.Set(upstream.HeaderCorrelationID, in.correlationID)
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(out.upstreamStatus) // the upstream's own: 201 on create and update, 202 on Deployment delete
		_, _ = w.Write(body)              // net/http copies it or writes it before returning
		if out.answer != nil {
			out.answer.Recycle()
		}
	}
}

// jsonContentType is the Content-Type of the Connect API's JSON answers,
// and of the REST face's own.
const jsonContentType = "application/json; charset=utf-8"

// restForward reads what the REST face forwards of a request: the route's
// input message holding only the path parameters (checked when the
// upstream path is built), and the query string and body bytes as they
// came. The body is read only for a route that has one, through the
// gateway's bound.
func (g *Gateway) restForward(w http.ResponseWriter, hr *http.Request, r *route, params map[string]string, cid string) (proto.Message, *forwarded, error) {
	target := translate.Target{ResourceType: r.resourceType, CorrelationID: cid}
	msg := r.input.New()
	for name, value := range params {
		if err := runtime.PopulateFieldFromPath(msg.Interface(), name, value); err != nil {
			return nil, nil, invalidPathParam(fmt.Sprintf("%s: %v", name, err), target)
		}
	}
	fwd := &forwarded{rawQuery: hr.URL.RawQuery}
	if r.bodyAll || r.body != nil {
		body, err := g.readBody(w, hr, target)
		if err != nil {
			return nil, nil, err
		}
		fwd.body = body
	}
	return msg.Interface(), fwd, nil
}

// restSecrets finds the secured configuration values that
// [Gateway.scrubCall] masks in a failed REST call's answer: the request
// with the forwarded body decoded when it decodes, else the values found
// under "securedConfiguration" in any JSON body. The answer goes back to
// the caller who sent the values, but it is also logged and counted, and an
// upstream that echoes a request must not make the gateway repeat a secret.
func restSecrets(r *route, req proto.Message, fwd *forwarded) (proto.Message, []string) {
	if req == nil || fwd == nil || fwd.body == nil {
		return req, nil
	}
	if !redact.MayHoldSecret(r.input.Descriptor()) && !mayNameSecured(fwd.body) {
		// Decoding the body would find nothing: into the request type, it
		// holds no secret; as any JSON, no member can be named
		// securedConfiguration.
		return req, nil
	}
	if full, err := r.withBody(req.ProtoReflect(), fwd.body); err == nil {
		return full.Interface(), nil
	}
	var doc any
	if json.Unmarshal(fwd.body, &doc) != nil {
		return req, nil // not JSON: the upstream refuses it without reading a value
	}
	var values []string
	collectSecured(doc, false, &values)
	return req, values
}

// mayNameSecured reports whether a JSON body can have a member named
// securedConfiguration: it holds the name, or an escape that could spell it.
func mayNameSecured(body []byte) bool {
	return bytes.Contains(body, []byte("securedConfiguration")) || bytes.Contains(body, []byte(`\u`))
}

// collectSecured appends the string "value" members of the objects listed
// under a "securedConfiguration" key, at any depth, to out.
func collectSecured(v any, secured bool, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && secured && k == "value" && s != "" {
				*out = append(*out, s)
				continue
			}
			collectSecured(e, k == "securedConfiguration", out)
		}
	case []any:
		for _, e := range v {
			collectSecured(e, secured, out)
		}
	}
}

// passedHeaders are the upstream response headers the REST face passes on
// to its caller, as the Connect API sent them; no other header passes.
// Each is one a Connect client reads:
//
//   - Content-Type: the media type and charset of the body, exactly
//     ("application/json; charset=utf-8"), so that a client decodes the
//     bytes as Connect meant them;
//   - WWW-Authenticate: the OAuth challenge of a 401 (RFC 6750 §3,
//     `Bearer error="invalid_token"`), which tells a client to fetch a new
//     token rather than give up;
//   - Retry-After: how long to wait before retrying a 429, 502 or 503
//     (RFC 9110 §10.2.3); clients' retry policies read it;
//   - X-Correlation-ID: the id that finds the request in Connect's logs and
//     the gateway's (the gateway sets its own when the upstream sends none);
//   - Location: where a created resource is, when Connect says so
//     (RFC 9110 §10.2.2);
//   - Cache-Control: whether an answer may be cached, which a cache
//     between the caller and the gateway must hear from Connect.
//
// Never passed: hop-by-hop headers (Connection, Keep-Alive,
// Transfer-Encoding, Upgrade, Proxy-*, TE, Trailer), which describe the
// gateway's own connection to the upstream; Content-Length and
// Content-Encoding, which the gateway sets for the bytes it writes;
// Set-Cookie and anything else that may carry a credential or a session of
// the gateway's; and every header of the upstream's infrastructure.
var passedHeaders = []string{
	"Content-Type",
	"Www-Authenticate",
	"Retry-After",
	upstream.HeaderCorrelationID,
	"Location",
	"Cache-Control",
}

// copyPassed copies the [passedHeaders] of from into to.
func copyPassed(to, from http.Header) {
	for _, k := range passedHeaders {
		if v := from.Values(k); len(v) > 0 {
			to[http.CanonicalHeaderKey(k)] = slices.Clone(v)
		}
	}
}

// writeRESTError answers a failed REST call: with the upstream's own
// status, body bytes and passed headers when err is the translation of a
// Connect ErrorResponse that the answer can repeat as it came (see
// [upstreamAnswer]); with the Connect ErrorResponse the gateway renders of
// err otherwise (see [writeError]).
func writeRESTError(w http.ResponseWriter, err error, upstreamHeader http.Header, correlationID string) {
	te := upstreamAnswer(err, upstreamHeader)
	if te == nil {
		writeError(w, err, correlationID)
		return
	}
	body := te.Parts().UpstreamBody
	h := w.Header()
	copyPassed(h, upstreamHeader)
	if h.Get(upstream.HeaderCorrelationID) == "" {
		h.Set(upstream.HeaderCorrelationID, correlationID)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(te.HTTPStatus()) // the upstream's, as translate.ResponseOf gives it
	_, _ = w.Write(body)
}

// upstreamAnswer returns the translated upstream error a failed REST call
// answers with as it came, when err is one: a Connect ErrorResponse with its
// upstream headers ([translate.Parts].UpstreamBody); nil when the gateway
// renders the answer itself.
func upstreamAnswer(err error, upstreamHeader http.Header) *translate.Error {
	te, ok := errors.AsType[*translate.Error](err)
	if !ok || te.Parts().UpstreamBody == nil || upstreamHeader == nil {
		return nil
	}
	return te
}

func tooLarge(size, limit int64, target translate.Target) error {
	msg := fmt.Sprintf("the request body is larger than the gateway's limit of %d bytes", limit)
	if size > 0 {
		msg = fmt.Sprintf("the request body of %d bytes is larger than the gateway's limit of %d bytes", size, limit)
	}
	return translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_REQUEST_TOO_LARGE, msg, target,
		map[string]string{"limit": strconv.FormatInt(limit, 10)})
}

// writeError renders err as a Connect ErrorResponse: the upstream's own
// body for a translated upstream error that holds all of it,
// translate.ToResponse of its status otherwise ([translate.ResponseOf]).
func writeError(w http.ResponseWriter, err error, correlationID string) {
	code, header, body := translate.ResponseOf(err) // the upstream's own bytes when it has them
	h := w.Header()
	for k, v := range header {
		h[k] = v
	}
	h.Set("Content-Type", jsonContentType) // as the Connect API's own errors
	if h.Get(upstream.HeaderCorrelationID) == "" {
		h.Set(upstream.HeaderCorrelationID, correlationID)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// routingError renders grpc-gateway's routing failures (no route, wrong
// method) as Connect errors.
func (g *Gateway) routingError(_ context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, hr *http.Request, httpStatus int) {
	cid := correlationID(hr.Header.Get(upstream.HeaderCorrelationID))
	reason, msg := errorsv1.GatewayReason_GATEWAY_REASON_ROUTE_NOT_FOUND, fmt.Sprintf("no Connect API route for %s %s", hr.Method, hr.URL.Path)
	switch httpStatus {
	case http.StatusMethodNotAllowed:
		reason, msg = errorsv1.GatewayReason_GATEWAY_REASON_METHOD_NOT_ALLOWED, fmt.Sprintf("method %s is not allowed on %s", hr.Method, hr.URL.Path)
	case http.StatusBadRequest:
		writeError(w, invalidPathParam(fmt.Sprintf("malformed request path %s", hr.URL.Path), translate.Target{CorrelationID: cid}), cid)
		return
	}
	writeError(w, translate.NewError(reason, msg, translate.Target{CorrelationID: cid}, nil), cid)
}
