package gateway

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/protobuf/proto"
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
