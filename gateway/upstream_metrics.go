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

func (u upstreamMetrics) Rejected(_ string, kind upstream.Kind) {
	u.m.translated.WithLabelValues(kind.String()).Inc()
}
