package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

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

// restHandler serves one route on the REST face: it builds the request
// message from the path, the query and the body as grpc-gateway would, and
// calls the same handler as the gRPC server, in process. Only the
// Authorization and X-Correlation-ID headers are read; no other header of
// the caller reaches the upstream.
func (g *Gateway) restHandler(r *route) runtime.HandlerFunc {
	filter := utilities.NewDoubleArray(r.boundFieldPaths())
	return func(w http.ResponseWriter, hr *http.Request, params map[string]string) {
		start := time.Now()
		in := callIn{
			face:          faceREST,
			rawBody:       true,
			correlationID: correlationID(hr.Header.Get(upstream.HeaderCorrelationID)),
			bearer:        bearerToken(hr.Header.Get("Authorization")),
		}
		req, err := g.restRequest(w, hr, r, params, filter, in.correlationID)
		var (
			resp proto.Message
			out  callOut
		)
		if err == nil {
			resp, out, err = g.invoke(hr.Context(), r, req, in)
		}
		err = g.scrubCall(err, &out, in, req)
		g.finish(hr.Context(), r, in, out, err, start)
		if err != nil {
			writeError(w, err, in.correlationID)
			return
		}
		body := out.body
		if body == nil { // a write verified by reading back: its message
			body, err = wirejson.MarshalOptions{EmitDefaults: true}.Marshal(r.restBody(resp))
		}
		if err != nil {
			writeError(w, translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_INTERNAL,
				"encoding the response: "+err.Error(), translate.Target{CorrelationID: in.correlationID}, nil), in.correlationID)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set(upstream.HeaderCorrelationID, in.correlationID)
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(out.upstreamStatus) // the upstream's own: 201 on create and update, 202 on Deployment delete
		_, _ = w.Write(body)
	}
}

// restRequest decodes a REST request into the route's input message.
func (g *Gateway) restRequest(w http.ResponseWriter, hr *http.Request, r *route, params map[string]string, filter *utilities.DoubleArray, cid string) (proto.Message, error) {
	target := translate.Target{ResourceType: r.resourceType, CorrelationID: cid}
	invalid := func(format string, args ...any) error {
		return translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_INVALID_REQUEST, fmt.Sprintf(format, args...), target, nil)
	}
	msg := r.input.New()
	if r.bodyAll || r.body != nil {
		body, err := g.readBody(w, hr, target)
		if err != nil {
			return nil, err
		}
		dst := msg
		if r.body != nil {
			dst = msg.Mutable(r.body).Message()
		}
		if err := wirejson.Unmarshal(body, dst.Interface()); err != nil {
			return nil, invalid("the request body is not a valid %s: %v", dst.Descriptor().Name(), err)
		}
	}
	for name, value := range params {
		if err := runtime.PopulateFieldFromPath(msg.Interface(), name, value); err != nil {
			return nil, invalid("path parameter %s: %v", name, err)
		}
	}
	if !r.bodyAll {
		if err := runtime.PopulateQueryParameters(msg.Interface(), hr.URL.Query(), filter); err != nil {
			return nil, invalid("query: %v", err)
		}
	}
	return msg.Interface(), nil
}

func tooLarge(size, limit int64, target translate.Target) error {
	msg := fmt.Sprintf("the request body is larger than the gateway's limit of %d bytes", limit)
	if size > 0 {
		msg = fmt.Sprintf("the request body of %d bytes is larger than the gateway's limit of %d bytes", size, limit)
	}
	return translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_REQUEST_TOO_LARGE, msg, target,
		map[string]string{"limit": strconv.FormatInt(limit, 10)})
}

// boundFieldPaths lists the fields a REST request sets from its path or
// body, which the query must not set again.
func (r *route) boundFieldPaths() [][]string {
	var paths [][]string
	fs := r.desc.Input().Fields()
	for i := range fs.Len() {
		fd := fs.Get(i)
		if r.bound(fd) {
			paths = append(paths, []string{string(fd.Name())}, []string{fd.JSONName()})
		}
	}
	return paths
}

// writeError renders err as a Connect ErrorResponse: the upstream's own
// body for a translated upstream error that holds all of it
// ([translate.Error.RESTResponse]), translate.ToResponse of its status
// otherwise.
func writeError(w http.ResponseWriter, err error, correlationID string) {
	var (
		code   int
		header http.Header
		body   []byte
	)
	if te, ok := errors.AsType[*translate.Error](err); ok {
		code, header, body = te.RESTResponse() // the upstream's own bytes when it has them
	} else {
		code, header, body = translate.ToResponse(status.Convert(err))
	}
	h := w.Header()
	for k, v := range header {
		h[k] = v
	}
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
		reason, msg = errorsv1.GatewayReason_GATEWAY_REASON_INVALID_REQUEST, fmt.Sprintf("malformed request path %s", hr.URL.Path)
	}
	writeError(w, translate.NewError(reason, msg, translate.Target{CorrelationID: cid}, nil), cid)
}
