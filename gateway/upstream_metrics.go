package gateway

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/connect-gateway/connect-gateway/gateway/upstream"
)

// upstreamMetrics feeds the upstream client's events into the gateway's
// Prometheus series.
type upstreamMetrics struct{ m *metrics }

// attemptKey names one upstream duration series: an HTTP method and
// status, a bounded set.
type attemptKey struct {
	method string
	status int
}

// Attempt observes an attempt's duration in its series, resolved once per
// method and status (as the call series are per route, see callSeries).
func (u upstreamMetrics) Attempt(a upstream.AttemptInfo) {
	k := attemptKey{a.Method, a.StatusCode}
	o, ok := u.m.attempts.Load(k)
	if !ok {
		o, _ = u.m.attempts.LoadOrStore(k, u.m.upstream.WithLabelValues(a.Method, strconv.Itoa(a.StatusCode)))
	}
	o.(prometheus.Observer).Observe(a.Latency.Seconds())
}

func (u upstreamMetrics) Retry(_, reason string) { u.m.retries.WithLabelValues("sent", reason).Inc() }

func (u upstreamMetrics) RetryDenied(string) {
	u.m.retries.WithLabelValues("denied_by_budget", "").Inc()
}

// Rejected is counted once, by the call's own error label in
// connect_gateway_translated_errors_total; counting it here too would count
// every rejected call twice.
func (upstreamMetrics) Rejected(string, upstream.Kind) {}
