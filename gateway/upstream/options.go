package upstream

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by [New] to zero [Options] fields.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxAttempts      = 3
	DefaultMaxRequestBytes  = 1 << 20 // 1 MiB
	DefaultMaxResponseBytes = 8 << 20 // 8 MiB
	DefaultMaxConcurrent    = 256
	DefaultBackoffBase      = 25 * time.Millisecond
	DefaultBackoffMax       = time.Second

	// maxAttemptsLimit is the hard cap on MaxAttempts: a small cap bounds
	// what one call can cost a failing upstream (docs/design.md#calling-the-upstream-safely).
	maxAttemptsLimit = 3
)

// Options configure a [Client]. Only BaseURL and Auth are required.
type Options struct {
	// BaseURL is the upstream's scheme and host, optionally with a path
	// prefix: "http://127.0.0.1:8081" or
	// "https://connect.europe-west1.gcp.commercetools.com".
	BaseURL string
	// Auth supplies the bearer token of each call: [PassthroughAuth] or a
	// [*ClientCredentials].
	Auth Auth
	// HTTPClient sends the requests. When nil, a client with a tuned
	// transport is used (see [NewTransport]); it does not follow redirects.
	// Its Timeout should be zero: deadlines come from the context.
	HTTPClient *http.Client
	// TLSConfig, when set, is the TLS configuration of the default
	// client's transport (a private CA, a client certificate).
	TLSConfig *tls.Config
	// WrapTransport, when set, wraps the default client's transport, for
	// instance to trace each attempt.
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// DefaultTimeout bounds a call whose context has no deadline.
	// Default 30s.
	DefaultTimeout time.Duration
	// MaxAttempts is the number of attempts per call, retries included,
	// between 1 and 3. Default 3. A replay after a refreshed token (see
	// [Auth]) does not count.
	MaxAttempts int
	// BackoffBase and BackoffMax shape the full-jitter exponential backoff:
	// before retry n (from 1) the call sleeps a uniformly random duration in
	// [0, min(BackoffMax, BackoffBase·2^(n-1))). Defaults 25ms and 1s.
	BackoffBase, BackoffMax time.Duration
	// MaxRequestBytes caps request bodies; a larger one fails with
	// [ErrRequestTooLarge] before anything is sent. Default 1 MiB.
	MaxRequestBytes int64
	// MaxResponseBytes caps response bodies; a larger one fails with
	// [ErrResponseTooLarge] after reading at most this many bytes plus one.
	// Default 8 MiB.
	MaxResponseBytes int64
	// MaxConcurrent caps the calls in flight (from the first attempt to the
	// last); a call over the cap fails fast with [ErrConcurrencyLimit].
	// Default 256.
	MaxConcurrent int
	// ConcurrencyWait is how long a call over MaxConcurrent may wait for a
	// slot before failing. Default 0: fail at once.
	ConcurrencyWait time.Duration
	// RetryBudget limits retries across calls. Share one budget between the
	// Clients of a process for a process-wide budget. Default: a budget of
	// its own with [DefaultRetryRatio] and [DefaultRetryBurst].
	RetryBudget *RetryBudget
	// Logger receives one debug line per attempt (method, path, status,
	// attempt, latency, correlation id). Default: slog.Default().
	Logger *slog.Logger
	// Metrics receives attempt, retry and rejection events. Default: none.
	Metrics Metrics
}

// withDefaults validates o and returns a copy with defaults filled in.
func (o Options) withDefaults() (Options, error) {
	if o.Auth == nil {
		return o, errors.New("upstream: Options.Auth is required")
	}
	base, err := parseBaseURL(o.BaseURL)
	if err != nil {
		return o, err
	}
	o.BaseURL = base
	if o.MaxAttempts < 0 || o.MaxAttempts > maxAttemptsLimit {
		return o, fmt.Errorf("upstream: MaxAttempts is %d, want 1 to %d", o.MaxAttempts, maxAttemptsLimit)
	}
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"DefaultTimeout", int64(o.DefaultTimeout)},
		{"BackoffBase", int64(o.BackoffBase)},
		{"BackoffMax", int64(o.BackoffMax)},
		{"MaxRequestBytes", o.MaxRequestBytes},
		{"MaxResponseBytes", o.MaxResponseBytes},
		{"MaxConcurrent", int64(o.MaxConcurrent)},
		{"ConcurrencyWait", int64(o.ConcurrencyWait)},
	} {
		if f.v < 0 {
			return o, fmt.Errorf("upstream: %s is negative", f.name)
		}
	}
	setDefault(&o.DefaultTimeout, DefaultTimeout)
	setDefault(&o.MaxAttempts, DefaultMaxAttempts)
	setDefault(&o.BackoffBase, DefaultBackoffBase)
	setDefault(&o.BackoffMax, DefaultBackoffMax)
	setDefault(&o.MaxRequestBytes, DefaultMaxRequestBytes)
	setDefault(&o.MaxResponseBytes, DefaultMaxResponseBytes)
	setDefault(&o.MaxConcurrent, DefaultMaxConcurrent)
	if o.RetryBudget == nil {
		o.RetryBudget = NewRetryBudget(DefaultRetryRatio, DefaultRetryBurst)
	}
	if o.HTTPClient == nil {
		t := NewTransport(o.MaxConcurrent)
		t.TLSClientConfig = o.TLSConfig
		var rt http.RoundTripper = t
		if o.WrapTransport != nil {
			rt = o.WrapTransport(t)
		}
		o.HTTPClient = &http.Client{Transport: rt, CheckRedirect: noRedirects}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Metrics == nil {
		o.Metrics = nopMetrics{}
	}
	return o, nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// parseBaseURL checks that raw is an absolute http(s) URL without query,
// fragment or credentials, and returns it without a trailing slash.
func parseBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("upstream: BaseURL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("upstream: BaseURL %q: scheme must be http or https", raw)
	case u.Host == "":
		return "", fmt.Errorf("upstream: BaseURL %q: no host", raw)
	case u.User != nil:
		return "", errors.New("upstream: BaseURL must not hold credentials")
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("upstream: BaseURL %q: no query or fragment allowed", raw)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// noRedirects hands 3xx answers back to the caller instead of following
// them: a gateway must not resend a write to another URL on its own.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
