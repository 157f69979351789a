package gateway

import "github.com/connect-gateway/connect-gateway/gateway/upstream"

// maxCorrelationID bounds a caller's correlation id.
const maxCorrelationID = 256

// correlationID returns the caller's correlation id when it is a sane
// header value, and a new one otherwise.
func correlationID(v string) string {
	if v == "" || len(v) > maxCorrelationID {
		return upstream.NewCorrelationID()
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x21 || c > 0x7e {
			return upstream.NewCorrelationID()
		}
	}
	return v
}
