package gateway

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc/codes"
)

// metrics are the gateway's Prometheus series. Each Gateway has its own
// registry, so that several can run in one process (tests do). Labels never
// carry ids, keys, tokens or configuration values.
type metrics struct {
	registry   *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	upstream   *prometheus.HistogramVec
	translated *prometheus.CounterVec
	retries    *prometheus.CounterVec
	ambiguous  *prometheus.CounterVec
	decoded    *prometheus.CounterVec
	inFlight   prometheus.Gauge
	// attempts caches the upstream series by attemptKey.
	attempts sync.Map
	// translatedByLabel caches the translated series by label (a small
	// fixed set: translate.Parts.Label), resolved on first use.
	translatedByLabel sync.Map
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connect_gateway_requests_total",
			Help: "Calls handled, by gRPC method, face (grpc or rest) and gRPC code.",
		}, []string{"method", "face", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "connect_gateway_request_duration_seconds",
			Help:    "Time to handle a call, by gRPC method and face.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 14),
		}, []string{"method", "face"}),
		upstream: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "connect_gateway_upstream_duration_seconds",
			Help:    "Duration of each upstream HTTP attempt, by HTTP method and status (0 for a transport failure).",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 14),
		}, []string{"http_method", "status"}),
		translated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connect_gateway_translated_errors_total",
			Help: "Upstream errors translated into gRPC statuses, by Connect error code (or gateway reason).",
		}, []string{"connect_code"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connect_gateway_upstream_retries_total",
			Help: "Upstream retries, by outcome (sent, or denied by the retry budget) and reason (status_502, transport, ...).",
		}, []string{"outcome", "reason"}),
		ambiguous: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connect_gateway_ambiguous_writes_total",
			Help: "Writes whose outcome was unknown (a 500, a timeout or a reset after sending), by what reading back showed: verified or unknown.",
		}, []string{"outcome"}),
		decoded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connect_gateway_grpc_responses_decoded_total",
			Help: "Successful gRPC answers the gateway decoded into a message because the upstream body was outside the shapes it transcodes straight to protobuf (the fast path), by gRPC method.",
		}, []string{"method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "connect_gateway_calls_in_flight",
			Help: "Calls being served, both faces, from the request read to the answer: the load a replica carries (a metric to scale replicas on).",
		}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.upstream, m.translated, m.retries, m.ambiguous, m.decoded, m.inFlight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// callSeries are the series of one method on one face, resolved once per
// route: their labels are fixed, and resolving them on every call (hashing
// and validating the label values under the vector's lock) cost a
// microsecond a call.
type callSeries struct {
	method, face string
	// byCode holds the requests series by gRPC code: OK resolved with the
	// route, the others on first use (so that /metrics lists only the codes
	// that happened).
	byCode   [numCodes]atomic.Pointer[prometheus.Counter]
	duration prometheus.Observer
}

// numCodes is the number of gRPC codes (OK to Unauthenticated).
const numCodes = int(codes.Unauthenticated) + 1

func (m *metrics) seriesOf(method string, f face) *callSeries {
	s := &callSeries{
		method:   method,
		face:     f.String(),
		duration: m.duration.WithLabelValues(method, f.String()),
	}
	ok := m.requests.WithLabelValues(method, f.String(), codes.OK.String())
	s.byCode[codes.OK].Store(&ok)
	return s
}

func (m *metrics) observeCall(s *callSeries, code codes.Code, elapsed time.Duration) {
	if int(code) >= numCodes { // not a gRPC code: never cached
		m.requests.WithLabelValues(s.method, s.face, code.String()).Inc()
	} else {
		c := s.byCode[code].Load()
		if c == nil {
			resolved := m.requests.WithLabelValues(s.method, s.face, code.String())
			c = &resolved
			s.byCode[code].Store(c)
		}
		(*c).Inc()
	}
	s.duration.Observe(elapsed.Seconds())
}

// translatedError counts one translated error of label.
func (m *metrics) translatedError(label string) {
	if c, ok := m.translatedByLabel.Load(label); ok {
		c.(prometheus.Counter).Inc()
		return
	}
	c := m.translated.WithLabelValues(label)
	m.translatedByLabel.Store(label, c)
	c.Inc()
}
