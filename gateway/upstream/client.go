package upstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/connect-gateway/connect-gateway/gateway/internal/limitread"
	"github.com/connect-gateway/connect-gateway/gateway/internal/wait"
)

// Client calls the upstream. It is safe for concurrent use; make one per
// upstream and share it.
type Client struct {
	base string
	// basePathless is true when base has no path: a request's URL is then
	// baseURL (base parsed once) with the request's path and query set, and
	// its Host baseHost (see [Client.newHTTPRequest]).
	basePathless bool
	baseURL      url.URL
	baseHost     string
	auth         Auth
	http         *http.Client
	// direct is the default client's transport, which Do sends through
	// without http.Client: that client follows no redirect and keeps no
	// cookie, and what Client.Do would add for those (copying the headers
	// for a redirect, wrapping errors in a *url.Error that repeats the URL)
	// costs without use. Nil for a client the caller gave.
	direct      http.RoundTripper
	timeout     time.Duration
	maxAttempts int
	backoffBase time.Duration
	backoffMax  time.Duration
	maxReq      int64
	maxResp     int64
	slots       chan struct{}
	// release gives a slot back; made once, so that taking a slot
	// allocates nothing.
	release  func()
	slotWait time.Duration
	budget   *RetryBudget
	log      *slog.Logger
	metrics  Metrics

	// sleep waits d or until ctx ends; tests replace it to record backoff.
	sleep func(ctx context.Context, d time.Duration) error
	// jitter returns a uniform random duration in [0, n); tests replace it.
	jitter func(n time.Duration) time.Duration
}

// New checks opts and returns a Client. It makes no request.
func New(opts Options) (*Client, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	var direct http.RoundTripper
	if opts.HTTPClient == nil {
		direct = o.HTTPClient.Transport
	}
	c := &Client{
		base:        o.BaseURL,
		auth:        o.Auth,
		http:        o.HTTPClient,
		direct:      direct,
		timeout:     o.DefaultTimeout,
		maxAttempts: o.MaxAttempts,
		backoffBase: o.BackoffBase,
		backoffMax:  o.BackoffMax,
		maxReq:      o.MaxRequestBytes,
		maxResp:     o.MaxResponseBytes,
		slots:       make(chan struct{}, o.MaxConcurrent),
		slotWait:    o.ConcurrencyWait,
		budget:      o.RetryBudget,
		log:         o.Logger,
		metrics:     o.Metrics,
		sleep:       wait.For,
		jitter:      randomJitter,
	}
	c.release = func() { <-c.slots }
	if hr, err := http.NewRequest(http.MethodGet, c.base, nil); err == nil && hr.URL.Path == "" && hr.URL.RawPath == "" && !hr.URL.ForceQuery {
		c.basePathless, c.baseURL, c.baseHost = true, *hr.URL, hr.Host
	}
	return c, nil
}

// CloseIdleConnections closes the idle connections of the client's
// transport and of its Auth's, if it has any.
func (c *Client) CloseIdleConnections() {
	c.http.CloseIdleConnections()
	if a, ok := c.auth.(interface{ CloseIdleConnections() }); ok {
		a.CloseIdleConnections()
	}
}

// RetryBudget returns the budget the client's retries withdraw from.
func (c *Client) RetryBudget() *RetryBudget { return c.budget }

// Do sends req, retrying as the package documentation says, and returns the
// upstream's last answer, whatever its status. It returns an *[Error] when
// no answer could be had; Do never returns both.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	if req == nil || req.Method == "" || len(req.Path) == 0 || req.Path[0] != '/' {
		return nil, &Error{Kind: KindInternal, Err: errors.New("request needs a method and a path starting with /")}
	}
	if n := int64(len(req.Body)); n > c.maxReq {
		c.metrics.Rejected(req.Operation, KindRequestTooLarge)
		return nil, &Error{Kind: KindRequestTooLarge, Err: fmt.Errorf("body is %d bytes, the limit is %d", n, c.maxReq)}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	st := &callState{req: req, correlationID: req.CorrelationID}
	var err error
	if st.token, err = c.auth.Token(ctx, req); err != nil {
		e := authError(ctx, err)
		c.metrics.Rejected(req.Operation, e.Kind)
		return nil, e
	}
	release, err := c.acquire(ctx)
	if err != nil {
		c.metrics.Rejected(req.Operation, KindConcurrencyLimit)
		return nil, err
	}
	defer release()
	if st.correlationID == "" {
		st.correlationID = NewCorrelationID()
	}
	c.budget.recordCall()
	return c.run(ctx, st)
}

// callState is what one Do call carries from attempt to attempt.
type callState struct {
	req           *Request
	correlationID string
	token         string
	attempts      int
	budgetDenied  bool
}

// run makes the attempts of one call.
func (c *Client) run(ctx context.Context, st *callState) (*Response, error) {
	retries, replayed := 0, false
	for {
		st.attempts++
		out := c.attempt(ctx, st)
		if !replayed && isInvalidToken(out.resp) && c.auth.Invalidate(st.token) {
			replayed = true
			tok, err := c.auth.Token(ctx, st.req)
			if err != nil {
				e := authError(ctx, err)
				e.Attempts = st.attempts
				return nil, e
			}
			st.token = tok
			continue
		}
		reason := retryReason(st.req, out)
		if reason == "" || retries+1 >= c.maxAttempts {
			return st.finish(out)
		}
		wait, ok := c.backoff(ctx, retries+1, out.retryAfter)
		if !ok {
			return st.finish(out)
		}
		if !c.budget.allowRetry() {
			st.budgetDenied = true
			c.metrics.RetryDenied(st.req.Operation)
			return st.finish(out)
		}
		retries++
		c.metrics.Retry(st.req.Operation, reason)
		if err := c.sleep(ctx, wait); err != nil {
			// Not Ambiguous: a write is only retried after an answer or a
			// failure that shows the upstream did not act on it.
			e := contextError(ctx, "waiting to retry")
			e.Attempts, e.Written = st.attempts, out.written()
			return nil, e
		}
	}
}

// outcome is the result of one attempt: an answer or an error.
type outcome struct {
	resp       *Response
	err        *Error
	retryAfter time.Duration // from a Retry-After header, -1 when absent
}

func (o outcome) written() bool { return o.resp != nil || (o.err != nil && o.err.Written) }

// finish turns the last attempt into Do's result.
func (st *callState) finish(out outcome) (*Response, error) {
	if out.err != nil {
		out.err.Attempts = st.attempts
		out.err.BudgetExhausted = st.budgetDenied
		out.err.Ambiguous = out.err.Written && !st.req.idempotent() &&
			(out.err.Kind == KindUnavailable || out.err.Kind == KindTimeout || out.err.Kind == KindCancelled)
		return nil, out.err
	}
	out.resp.Attempts = st.attempts
	out.resp.BudgetExhausted = st.budgetDenied
	out.resp.CorrelationID = st.correlationID
	return out.resp, nil
}

// attempt sends the request once and reads the whole answer.
func (c *Client) attempt(ctx context.Context, st *callState) outcome {
	start := time.Now()
	out := c.roundTrip(ctx, st)
	info := AttemptInfo{
		Operation: st.req.Operation,
		Method:    st.req.Method,
		Attempt:   st.attempts,
		Latency:   time.Since(start),
	}
	if out.resp != nil {
		info.StatusCode = out.resp.StatusCode
	} else {
		info.Kind = out.err.Kind
	}
	c.metrics.Attempt(info)
	if c.log.Enabled(ctx, slog.LevelDebug) {
		c.log.LogAttrs(ctx, slog.LevelDebug, "upstream attempt",
			slog.String("method", st.req.Method),
			slog.String("path", st.req.Path),
			slog.Int("status", info.StatusCode),
			slog.Int("attempt", info.Attempt),
			slog.Duration("latency", info.Latency),
			slog.String("correlation_id", st.correlationID),
			slog.String("error", errorKind(out.err)),
		)
	}
	return out
}

func errorKind(e *Error) string {
	if e == nil {
		return ""
	}
	return e.Kind.String()
}

// attemptTrace learns whether an attempt's request was written in full
// (see [Error.Written]), from net/http's WroteRequest hook. Each attempt has
// its own: the hook of an earlier attempt may still run while a later one
// is sent. The trace and the flag share one allocation.
type attemptTrace struct {
	trace   httptrace.ClientTrace
	written atomic.Bool
}

func newAttemptTrace() *attemptTrace {
	t := new(attemptTrace)
	t.trace.WroteRequest = func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			t.written.Store(true)
		}
	}
	return t
}

func (c *Client) roundTrip(ctx context.Context, st *callState) outcome {
	trace := newAttemptTrace()
	hreq, err := c.newHTTPRequest(httptrace.WithClientTrace(ctx, &trace.trace), st.req, st.correlationID, st.token)
	if err != nil {
		return outcome{err: &Error{Kind: KindInternal, Err: fmt.Errorf("building the request: %w", err)}}
	}
	var hresp *http.Response
	if c.direct != nil {
		hresp, err = c.direct.RoundTrip(hreq)
	} else {
		hresp, err = c.http.Do(hreq)
	}
	if err != nil {
		return outcome{err: classify(ctx, err, trace.written.Load())}
	}
	defer hresp.Body.Close()
	body, buf, err := c.readBody(hresp)
	if err != nil {
		if e, ok := errors.AsType[*Error](err); ok {
			return outcome{err: e}
		}
		return outcome{err: classify(ctx, fmt.Errorf("reading the response body: %w", err), true)}
	}
	return outcome{
		resp:       &Response{StatusCode: hresp.StatusCode, Header: hresp.Header, Body: body, buf: buf},
		retryAfter: parseRetryAfter(hresp.Header.Get("Retry-After"), time.Now()),
	}
}

// readBody reads the body, at most maxResp bytes of it plus one chunk of
// limitread's: a body of known length into one buffer (pooled memory, for
// [Response.Recycle], when it is small), one of unknown length without the
// growth churn of io.ReadAll.
func (c *Client) readBody(resp *http.Response) ([]byte, limitread.Buffer, error) {
	if resp.ContentLength > c.maxResp {
		return nil, limitread.Buffer{}, &Error{Kind: KindResponseTooLarge, Written: true,
			Err: fmt.Errorf("Content-Length is %d, the limit is %d", resp.ContentLength, c.maxResp)}
	}
	body, buf, over, err := limitread.ReadPooled(resp.Body, resp.ContentLength, c.maxResp)
	if over {
		return nil, limitread.Buffer{}, &Error{Kind: KindResponseTooLarge, Written: true,
			Err: fmt.Errorf("body is over the limit of %d bytes", c.maxResp)}
	}
	return body, buf, err
}

// Acquire takes one of the client's concurrency slots (see
// [Options.MaxConcurrent]) for work that counts against the same bound as
// its calls, such as reading the request body a call will send; it fails
// like a call over the bound. Call release when the work is done.
func (c *Client) Acquire(ctx context.Context) (release func(), err error) { return c.acquire(ctx) }

// acquire takes a concurrency slot, waiting at most ConcurrencyWait.
func (c *Client) acquire(ctx context.Context) (release func(), err error) {
	select {
	case c.slots <- struct{}{}:
		return c.release, nil
	default:
	}
	full := &Error{Kind: KindConcurrencyLimit, Err: fmt.Errorf("%d calls in flight", cap(c.slots))}
	if c.slotWait <= 0 {
		return nil, full
	}
	t := time.NewTimer(c.slotWait)
	defer t.Stop()
	select {
	case c.slots <- struct{}{}:
		return c.release, nil
	case <-t.C:
		return nil, full
	case <-ctx.Done():
		return nil, contextError(ctx, "waiting for a concurrency slot")
	}
}
