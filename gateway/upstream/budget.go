package upstream

import (
	"math"
	"sync/atomic"
)

// Defaults of the retry budget.
const (
	// DefaultRetryRatio allows retries for at most 20% of calls, as Envoy's
	// retry_budget.budget_percent default.
	DefaultRetryRatio = 0.2
	// DefaultRetryBurst is how many retries a fresh or idle process may make
	// before the ratio applies (Envoy's min_retry_concurrency is 3; a
	// token bucket needs a little more headroom for a burst of calls that
	// all fail at once).
	DefaultRetryBurst = 10
)

// milli is the fixed-point scale of the budget, so that deposits of 0.2
// add up exactly.
const milli = 1000

// RetryBudget is a process-wide token bucket that caps retries at a fraction
// of calls: every call deposits ratio tokens, every retry withdraws one, and
// the bucket holds at most burst tokens. Against an upstream that fails
// every call, a process therefore sends at most 1+ratio attempts per call
// in the long run instead of MaxAttempts, which keeps a struggling upstream
// from being hit harder by its own clients (Envoy's retry_budget, the
// "retry budget" of the Google SRE book).
//
// A RetryBudget is safe for concurrent use; share one between Clients.
type RetryBudget struct {
	tokens  atomic.Int64 // in thousandths
	deposit int64
	max     int64
}

// NewRetryBudget returns a full bucket. ratio is the retries allowed per
// call (0.2 for 20%), burst the bucket's capacity in retries.
func NewRetryBudget(ratio float64, burst int) *RetryBudget {
	b := &RetryBudget{
		deposit: int64(math.Round(max(ratio, 0) * milli)),
		max:     int64(max(burst, 0)) * milli,
	}
	b.tokens.Store(b.max)
	return b
}

// recordCall deposits one call's share of retries.
func (b *RetryBudget) recordCall() {
	for {
		cur := b.tokens.Load()
		next := min(cur+b.deposit, b.max)
		if next == cur || b.tokens.CompareAndSwap(cur, next) {
			return
		}
	}
}

// allowRetry withdraws one retry and reports whether the budget had it.
func (b *RetryBudget) allowRetry() bool {
	for {
		cur := b.tokens.Load()
		if cur < milli {
			return false
		}
		if b.tokens.CompareAndSwap(cur, cur-milli) {
			return true
		}
	}
}

// Available returns the retries the budget would allow now.
func (b *RetryBudget) Available() float64 {
	return float64(b.tokens.Load()) / milli
}

// Withdraw takes one retry from the budget and reports whether it had one:
// for retries made outside [Client.Do], such as a shared poller polling
// again after a failed poll.
func (b *RetryBudget) Withdraw() bool { return b.allowRetry() }
