package bench

import (
	"context"
	"sync"
)

// gauge counts requests in flight and lets callers wait for a level.
type gauge struct {
	mu      sync.Mutex
	n       int64
	waiters []gaugeWaiter
}

type gaugeWaiter struct {
	n  int64
	ch chan struct{}
}

func (g *gauge) add(d int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n += d
	kept := g.waiters[:0]
	for _, w := range g.waiters {
		if g.n >= w.n {
			close(w.ch)
			continue
		}
		kept = append(kept, w)
	}
	g.waiters = kept
}

// wait returns when at least n requests are in flight, or ctx ends.
func (g *gauge) wait(ctx context.Context, n int64) error {
	g.mu.Lock()
	if g.n >= n {
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	g.waiters = append(g.waiters, gaugeWaiter{n: n, ch: ch})
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
