package gateway

import (
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// apiFront answers a request whose header is over maxHeader bytes with 431
// (HEADERS_TOO_LARGE); it sends a request whose path http.ServeMux would
// not serve as it is straight to the REST routes (api), and every other
// request to mux.
//
// http.Server enforces MaxHeaderBytes with 4 KiB of slack and answers a
// plain-text 431 of its own beyond it; the check here makes the limit exact
// and the answer a Connect ErrorResponse.
// http.ServeMux answers a path that is not clean (`//`, `.` or `..`
// segments) with a 307 redirect and an HTML body, and the `*` target of
// `OPTIONS *` with an empty 400: the Connect API answers requests it has no
// route for with a Connect ErrorResponse, and so does the REST face.
func apiFront(mux *http.ServeMux, api http.Handler, maxHeader int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := headerSize(r); n > maxHeader {
			cid := correlationID(r.Header.Get(upstream.HeaderCorrelationID))
			writeError(w, translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_HEADERS_TOO_LARGE,
				fmt.Sprintf("the request header of %d bytes is larger than the gateway's limit of %d bytes", n, maxHeader),
				translate.Target{CorrelationID: cid}, map[string]string{"limit": strconv.Itoa(maxHeader)}), cid)
			return
		}
		if !servable(r) {
			api.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// servable reports whether http.ServeMux serves r's path without a
// redirect: it starts with / and is clean (a trailing slash is kept).
func servable(r *http.Request) bool {
	p := r.URL.Path
	if r.Method == http.MethodConnect || r.RequestURI == "*" || p == "" || p[0] != '/' {
		return false
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean == p
}

// headerSize is the size of r's request line and header as http.Server
// counts it for MaxHeaderBytes: every line with its CRLF.
func headerSize(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	if r.Host != "" {
		n += len("Host: ") + len(r.Host) + 2
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return n + 2
}
