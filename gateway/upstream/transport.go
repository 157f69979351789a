package upstream

import (
	"net"
	"net/http"
	"time"
)

// connBufferSize is each upstream connection's read and write buffer (net/http's
// default is 4 KiB each). The buffers hold a request's or a response's header
// and small bodies; a body larger than what is left of the buffer is copied
// past it, straight to or from the connection. 2 KiB holds the headers the
// gateway sends and Connect answers with room to spare, and halves the
// memory every open upstream connection holds: 4 KiB instead of 8 per
// connection, 4 MiB at 1,000 calls in flight.
const connBufferSize = 2 << 10

// NewTransport returns the HTTP/1.1 keep-alive transport the default client
// uses: enough idle connections per host for maxConns concurrent calls, so
// that a busy gateway reuses connections instead of dialling, and bounded
// dial, TLS handshake and response header sizes. It sets no response
// timeout: the call's context deadline is the only clock.
func NewTransport(maxConns int) *http.Transport {
	if maxConns <= 0 {
		maxConns = DefaultMaxConcurrent
	}
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:           maxConns,
		MaxIdleConnsPerHost:    maxConns,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    5 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		WriteBufferSize:        connBufferSize,
		ReadBufferSize:         connBufferSize,
	}
}
