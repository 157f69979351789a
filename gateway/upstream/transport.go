package upstream

import (
	"net"
	"net/http"
	"time"
)

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
	}
}
