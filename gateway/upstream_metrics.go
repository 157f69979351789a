package gateway

import (
	"strconv"

	"github.com/connect-gateway/connect-gateway/gateway/upstream"
)

// upstreamMetrics feeds the upstream client's events into the gateway's
// Prometheus series.
type upstreamMetrics struct{ m *metrics }

func (u upstreamMetrics) Attempt(a upstream.AttemptInfo) {
	u.m.upstream.WithLabelValues(a.Method, strconv.Itoa(a.StatusCode)).Observe(a.Latency.Seconds())
}

func (u upstreamMetrics) Retry(_, reason string) { u.m.retries.WithLabelValues("sent", reason).Inc() }

func (u upstreamMetrics) RetryDenied(string) {
	u.m.retries.WithLabelValues("denied_by_budget", "").Inc()
}

// Rejected is counted once, by the call's own error label in
// connect_gateway_translated_errors_total; counting it here too would count
// every rejected call twice.
func (upstreamMetrics) Rejected(string, upstream.Kind) {}
