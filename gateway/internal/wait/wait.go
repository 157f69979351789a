// Package wait holds the one way the gateway waits: for a duration or for
// its context, whichever ends first. Retries' backoff and the stream
// pollers' intervals both use it, and tests replace it to drive time.
package wait

import (
	"context"
	"time"
)

// For waits d, or until ctx ends: nil after d, ctx's error if ctx ends
// first. A d of zero or less returns at once, with ctx's error if it has
// ended.
func For(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
