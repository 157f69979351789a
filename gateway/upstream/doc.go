// Package upstream is the gateway's HTTP client for the Connect REST API: one
// [Client.Do] per gRPC call, with everything that makes calling a remote API
// safe bundled in one place.
//
// Invariants, each covered by a test:
//
//   - The caller's context deadline bounds the whole call, retries and
//     backoff sleeps included; [Options.DefaultTimeout] applies when the
//     context has none. A call never sleeps past its deadline.
//   - Every attempt carries the same X-Correlation-ID ([NewCorrelationID]
//     makes one when the caller has none).
//   - Retries (docs/design.md#calling-the-upstream-safely): at most
//     [Options.MaxAttempts] attempts with full-jitter exponential backoff;
//     a GET (or a request marked
//     [Request.Idempotent]) is retried on 502, 503, 504 and transport
//     failures; any method is retried on a 502 BadGateway and on failures
//     before the request was written. A write is never resent after a 500, a
//     timeout or a failure after the request was written, and a 4xx is
//     never retried. A process-wide [RetryBudget] caps retries at a fraction
//     of calls, so a failing upstream is not hit harder by its clients.
//   - An upstream answer, even a 4xx or 5xx, is a [Response], not an error:
//     translating it into a gRPC status is the caller's job (package
//     translate). Failures without an answer are an [*Error] whose [Kind]
//     classifies them, once, and names the gateway's reason
//     ([Kind.Reason]: UPSTREAM_TIMEOUT, CONCURRENCY_LIMIT, ...).
//   - Bearer tokens, client secrets and request bodies never appear in logs
//     or error strings.
package upstream
