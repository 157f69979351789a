package gateway

import (
	"context"
	"time"

	"github.com/connect-gateway/connect-gateway/gateway/watch"
)

// SetStreamSleep makes the stream pollers of a gateway built from o wait
// with sleep instead of a timer, so that tests decide when they poll.
func SetStreamSleep(o *Options, sleep func(ctx context.Context, d time.Duration) error) {
	o.Streams.sleep = sleep
}

// StreamStats returns the counts of the watch and the log tail pollers.
func (g *Gateway) StreamStats() (watches, tails watch.Stats) {
	return g.streams.watches.Stats(), g.streams.tails.Stats()
}
