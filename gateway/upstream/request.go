package upstream

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/connect-gateway/connect-gateway/gateway/internal/limitread"
)

// Request is one upstream call.
type Request struct {
	// Method is the HTTP method ("GET", "POST", "DELETE").
	Method string
	// Path is the escaped path below [Options.BaseURL], starting with "/":
	// "/connectors/key=my-connector".
	Path string
	// Query is the query string, repeated keys allowed.
	Query url.Values
	// RawQuery is a query string sent as it is, without the "?", when Query
	// is empty: the REST face forwards the caller's own.
	RawQuery string
	// Body is the request body, sent as application/json when not empty.
	Body []byte
	// Header holds extra headers to send (the caller's allow-listed ones).
	// Authorization, X-Correlation-ID, Content-Type, Content-Length and
	// hop-by-hop headers in it are ignored.
	Header http.Header
	// Bearer is the caller's token, used by [PassthroughAuth]; empty sends
	// no Authorization header. Secret: it is sent as the Authorization
	// header and appears nowhere else.
	Bearer string
	// CorrelationID is sent as X-Correlation-ID on every attempt; a new one
	// is made when empty (see [Response.CorrelationID]).
	CorrelationID string
	// Operation names the call in logs and metrics, for example the gRPC
	// method "/commercetools.connect.v1.DeploymentService/GetDeployment".
	// It must not hold ids or keys.
	Operation string
	// Idempotent marks a request that is safe to send twice, so it is
	// retried like a GET. GET and HEAD are always idempotent.
	Idempotent bool
}

// idempotent reports whether r may be resent after it was written.
func (r *Request) idempotent() bool {
	return r.Idempotent || r.Method == http.MethodGet || r.Method == http.MethodHead
}

// Response is an upstream answer, whatever its status: a 4xx or 5xx is a
// Response to be translated, not an error.
type Response struct {
	// StatusCode is the HTTP status of the last attempt.
	StatusCode int
	// Header is the last attempt's response header.
	Header http.Header
	// Body is the whole response body (at most [Options.MaxResponseBytes]).
	Body []byte
	// Attempts is the number of attempts made, replay after a token
	// refresh included.
	Attempts int
	// BudgetExhausted reports that a retry was due but the retry budget
	// denied it: the Response is the last answer, not a final one.
	BudgetExhausted bool
	// CorrelationID is the X-Correlation-ID that was sent.
	CorrelationID string

	buf limitread.Buffer // Body's memory, when pooled
}

// Recycle hands the memory of the body back for the bodies of later
// responses, and sets Body to nil. The caller must be done with the body:
// nothing may use Body, or any slice of it, afterwards (a translated error,
// which keeps the body, must not be made of a recycled response). A
// response that is not recycled is garbage as any other.
func (r *Response) Recycle() {
	r.Body = nil
	r.buf.Recycle()
}

// excludedHeaders are set by the client itself or must not be forwarded.
var excludedHeaders = map[string]bool{
	"Authorization":       true,
	"X-Correlation-Id":    true,
	"Content-Type":        true,
	"Content-Length":      true,
	"Host":                true,
	"Connection":          true,
	"Keep-Alive":          true,
	"Proxy-Authorization": true,
	"Proxy-Connection":    true,
	"Te":                  true,
	"Trailer":             true,
	"Transfer-Encoding":   true,
	"Upgrade":             true,
}

// newHTTPRequest builds one attempt's request. The body reader is new each
// time, so an attempt can be sent again.
func (c *Client) newHTTPRequest(ctx context.Context, r *Request, correlationID, token string) (*http.Request, error) {
	query := r.RawQuery
	if len(r.Query) > 0 {
		query = r.Query.Encode()
	}
	// The URL is base + path + "?" + query. When parsing it would give the
	// base's URL with Path = r.Path and RawQuery = query and nothing else
	// (see [plainURLPart]), those are set on a copy of the base parsed once
	// instead of building the whole string to parse it back.
	rawURL, plain := "", c.basePathless && plainURLPart(r.Path, false) && plainURLPart(query, true)
	if !plain {
		var b strings.Builder
		b.Grow(len(c.base) + len(r.Path) + 1 + len(query))
		b.WriteString(c.base)
		b.WriteString(r.Path)
		if query != "" {
			b.WriteByte('?')
			b.WriteString(query)
		}
		rawURL = b.String()
	}
	var body io.Reader
	if len(r.Body) > 0 {
		body = bytes.NewReader(r.Body) // NewRequest sets GetBody and ContentLength
	}
	hr, err := http.NewRequestWithContext(ctx, r.Method, rawURL, body)
	if err != nil {
		return nil, err
	}
	if plain {
		*hr.URL = c.baseURL
		hr.URL.Path, hr.URL.RawQuery, hr.Host = r.Path, query, c.baseHost
	}
	h := hr.Header // NewRequestWithContext's own empty map: one less to make
	for k, v := range r.Header {
		if !excludedHeaders[http.CanonicalHeaderKey(k)] {
			h[k] = v
		}
	}
	h["Accept"] = jsonHeaderValue
	if token != "" {
		h["Authorization"] = []string{"Bearer " + token}
	}
	h[HeaderCorrelationID] = []string{correlationID}
	if len(r.Body) > 0 {
		h["Content-Type"] = jsonHeaderValue
	}
	if _, ok := h["User-Agent"]; !ok {
		h["User-Agent"] = userAgentHeaderValue
	}
	if hr.Body == nil && r.idempotent() {
		hr.Body = noReplay{}
		// A body of unknown length on a GET would make net/http probe it
		// with a goroutine, a timer and a channel on every request, to
		// decide between no body and a chunked one; an identity transfer
		// encoding says there is no chunking, so the empty body is copied
		// (WriteTo, nothing) and the request goes out as it would without
		// a body: no Content-Length, no Transfer-Encoding.
		hr.TransferEncoding = identityEncoding
	}
	return hr, nil
}

// plainURLPart reports whether s, as the path (query false) or the query
// string of a URL below a base without a path, is taken by url.Parse as it
// is: a path of the characters that need no escaping in a path and hold no
// escape (Path is then s and RawPath empty), a query without a fragment or
// a control character (RawQuery is then s). The gateway's paths, of ids and
// keys escaped with url.PathEscape, and every Values.Encode are plain.
func plainURLPart(s string, query bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case query:
			if c < 0x20 || c == 0x7f || c == '#' {
				return false
			}
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		default:
			if !strings.ContainsRune("-_.~$&+,/:;=@", rune(c)) {
				return false
			}
		}
	}
	return true
}

// Header values every request shares: RoundTrip never modifies a request's
// header, and nothing else holds these maps.
var (
	jsonHeaderValue      = []string{"application/json"}
	userAgentHeaderValue = []string{"connect-gateway"}
)

// noReplay is the empty body of a request that has none. net/http's
// Transport silently resends a replayable request (a GET without a body)
// whose reused connection fails before the first response byte, after the
// upstream may have received it: an attempt the retry policy neither
// decided nor counted (one GET call could reach the upstream six times with
// MaxAttempts 3). A body it cannot rewind makes the request non-replayable;
// being empty, it is sent as no body at all.
type noReplay struct{}

func (noReplay) Read([]byte) (int, error)         { return 0, io.EOF }
func (noReplay) WriteTo(io.Writer) (int64, error) { return 0, nil } // io.Copy needs no buffer
func (noReplay) Close() error                     { return nil }

// identityEncoding is the transfer encoding of a request sent with
// [noReplay]; RoundTrip never modifies it.
var identityEncoding = []string{"identity"}
