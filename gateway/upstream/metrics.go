package upstream

import "time"

// Metrics receives the client's events; the gateway implements it with
// Prometheus collectors. Methods are called synchronously on the call's
// goroutine and must be cheap and safe for concurrent use. Labels carry no
// ids, keys or secrets: op is [Request.Operation].
type Metrics interface {
	// Attempt is called after each upstream attempt.
	Attempt(AttemptInfo)
	// Retry is called before a retry's backoff sleep; reason says why
	// ("status_502", "transport", ...).
	Retry(op, reason string)
	// RetryDenied is called when the retry budget denies a due retry.
	RetryDenied(op string)
	// Rejected is called when a call fails before its first attempt
	// (concurrency limit, request too large, credentials).
	Rejected(op string, kind Kind)
}

// AttemptInfo describes one finished upstream attempt.
type AttemptInfo struct {
	// Operation is [Request.Operation].
	Operation string
	// Method is the HTTP method.
	Method string
	// Attempt counts from 1.
	Attempt int
	// StatusCode is the upstream's HTTP status, 0 when none arrived.
	StatusCode int
	// Kind classifies the failure when StatusCode is 0 or the body could
	// not be read; 0 otherwise.
	Kind Kind
	// Latency is the attempt's duration, body read included.
	Latency time.Duration
}

type nopMetrics struct{}

func (nopMetrics) Attempt(AttemptInfo)   {}
func (nopMetrics) Retry(string, string)  {}
func (nopMetrics) RetryDenied(string)    {}
func (nopMetrics) Rejected(string, Kind) {}
