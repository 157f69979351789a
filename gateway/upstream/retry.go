package upstream

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryReason says why out should be retried, or "" when it should not
// (docs/design.md#calling-the-upstream-safely):
//
//   - any method: a failure before the request was written, and a 502 whose
//     body is Connect's BadGateway or not JSON at all (a load balancer's
//     page), which the Connect API documents as "retry with backoff";
//   - GET, HEAD and requests marked Idempotent: also 502, 503 and 504 of any
//     body, and transport failures after the request was written;
//   - never: a timeout or cancellation (the deadline covers all attempts), a
//     limit, any 4xx (a 409 needs a re-read, not a resend), and a write after
//     a 500 or after it was written, where the first attempt may have
//     succeeded.
func retryReason(req *Request, out outcome) string {
	if out.err != nil {
		if out.err.Kind != KindUnavailable {
			return ""
		}
		if !out.err.Written {
			return "not_written"
		}
		if req.idempotent() {
			return "transport"
		}
		return ""
	}
	switch out.resp.StatusCode {
	case http.StatusBadGateway:
		if req.idempotent() || isBadGatewayBody(out.resp.Body) {
			return "status_502"
		}
	case http.StatusServiceUnavailable:
		if req.idempotent() {
			return "status_503"
		}
	case http.StatusGatewayTimeout:
		if req.idempotent() {
			return "status_504"
		}
	}
	return ""
}

// errorEnvelope is the part of a Connect ErrorResponse (and of an OAuth
// error body) the retry and auth decisions read.
type errorEnvelope struct {
	Error  string `json:"error"`
	Errors []struct {
		Code string `json:"code"`
	} `json:"errors"`
}

// isBadGatewayBody reports whether body is Connect's BadGateway error or is
// not JSON at all: either way the 502 came from infrastructure, before the
// request reached the service.
func isBadGatewayBody(body []byte) bool {
	var env errorEnvelope
	if json.Unmarshal(body, &env) != nil {
		return true
	}
	for _, e := range env.Errors {
		if e.Code == "BadGateway" {
			return true
		}
	}
	return false
}

// isInvalidToken reports whether resp is a 401 that rejects the token
// itself (code invalid_token, in the body or the WWW-Authenticate header),
// as opposed to one that rejects the caller.
func isInvalidToken(resp *Response) bool {
	if resp == nil || resp.StatusCode != http.StatusUnauthorized {
		return false
	}
	if strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		return true
	}
	var env errorEnvelope
	if json.Unmarshal(resp.Body, &env) != nil {
		return false
	}
	if env.Error == "invalid_token" {
		return true
	}
	for _, e := range env.Errors {
		if e.Code == "invalid_token" {
			return true
		}
	}
	return false
}

// backoff returns how long to sleep before retry n (from 1), and false when
// that sleep would not leave time for an attempt before ctx's deadline. A
// Retry-After the upstream sent replaces the computed backoff.
func (c *Client) backoff(ctx context.Context, n int, retryAfter time.Duration) (time.Duration, bool) {
	var d time.Duration
	if retryAfter >= 0 {
		d = retryAfter
	} else {
		ceiling := c.backoffMax
		if shift := n - 1; shift < 30 && c.backoffBase<<shift < ceiling {
			ceiling = c.backoffBase << shift
		}
		d = c.jitter(ceiling)
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= d {
		return 0, false
	}
	return d, true
}

// randomJitter returns a uniform duration in [0, n): "full jitter".
func randomJitter(n time.Duration) time.Duration {
	if n <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(n)))
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date (RFC 9110 §10.2.3). It returns -1 when the header is absent or
// malformed.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return -1
	}
	if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
		if s < 0 || s > int64(24*time.Hour/time.Second) {
			return -1
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}
