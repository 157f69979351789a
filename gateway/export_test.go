package gateway

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/gateway/wirejson"
)

// RPCForHTTP maps a Connect REST request onto the RPC the gateway serves it
// with and the request message it builds, so that end-to-end tests can send
// the same request over gRPC.
func (g *Gateway) RPCForHTTP(req *http.Request) (fullMethod string, msg proto.Message, err error) {
	mux := runtime.NewServeMux(runtime.WithUnescapingMode(runtime.UnescapingModeAllExceptReserved))
	found := false
	err = g.registerRoutes(mux, func(r *route) runtime.HandlerFunc {
		filter := utilities.NewDoubleArray(r.boundFieldPaths())
		return func(w http.ResponseWriter, hr *http.Request, params map[string]string) {
			found = true
			fullMethod = r.fullMethod
			msg, err = g.restRequest(w, hr, r, params, filter, "")
		}
	})
	if err != nil {
		return "", nil, err
	}
	mux.ServeHTTP(httptest.NewRecorder(), req)
	if !found {
		return "", nil, fmt.Errorf("no RPC for %s %s", req.Method, req.URL.Path)
	}
	return fullMethod, msg, err
}

// BodyReads returns the number of REST request bodies being read.
func BodyReads(g *Gateway) int { return int(g.readers.n.Load()) }

// restRequest decodes a REST request into the route's input message, as
// grpc-gateway would: the body, the path parameters, then the query. The
// REST face itself forwards requests without decoding them; tests use this
// to send the same request over gRPC.
func (g *Gateway) restRequest(w http.ResponseWriter, hr *http.Request, r *route, params map[string]string, filter *utilities.DoubleArray, _ string) (proto.Message, error) {
	msg := r.input.New()
	if r.bodyAll || r.body != nil {
		body, err := io.ReadAll(http.MaxBytesReader(w, hr.Body, g.opts.MaxRequestBytes))
		if err != nil {
			return nil, fmt.Errorf("reading the request body: %w", err)
		}
		dst := msg
		if r.body != nil {
			dst = msg.Mutable(r.body).Message()
		}
		if err := wirejson.Unmarshal(body, dst.Interface()); err != nil {
			return nil, fmt.Errorf("the request body is not a valid %s: %w", dst.Descriptor().Name(), err)
		}
	}
	for name, value := range params {
		if err := runtime.PopulateFieldFromPath(msg.Interface(), name, value); err != nil {
			return nil, fmt.Errorf("path parameter %s: %w", name, err)
		}
	}
	if !r.bodyAll {
		if err := runtime.PopulateQueryParameters(msg.Interface(), hr.URL.Query(), filter); err != nil {
			return nil, fmt.Errorf("query: %w", err)
		}
	}
	return msg.Interface(), nil
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
