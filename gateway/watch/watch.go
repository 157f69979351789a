// Package watch polls a source once for any number of subscribers: the
// shared poller behind the gateway's server streams.
//
// A [Hub] keeps one feed per key. The first subscriber of a key starts its
// poller; later subscribers of the same key attach to it; the poller stops
// when the last one leaves. The poller appends what each poll finds to the
// feed, an ordered list of events that every subscriber reads at its own
// pace, so a slow subscriber never holds up the poller or the others.
//
// The feed retains at most Config.Retain events (the bounded buffer of each
// subscriber: how far it may fall behind). A subscriber that falls further
// behind either skips to the oldest retained event (Config.Coalesce, for
// feeds of states where the latest supersedes the rest) or ends with
// [ErrOverflow] (for feeds where every event counts, such as log entries).
// A new subscriber starts at the oldest retained event; a feed that must
// not skip events and has dropped some no longer takes new subscribers,
// which get a feed of their own.
//
// Polls follow a schedule with jitter: Config.MinInterval after a poll that
// found a change, growing by doubling to Config.MaxInterval while nothing
// changes. A poll that fails transiently is retried with exponential
// backoff, each retry withdrawn from a retry budget (Config.AllowRetry), at
// most Config.MaxFailures times in a row; any other failure ends the feed
// with that error, which every subscriber receives.
package watch

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/connect-gateway/connect-gateway/gateway/internal/wait"
)

// ErrOverflow ends a subscription that fell more than Config.Retain events
// behind a feed that does not coalesce.
var ErrOverflow = errors.New("watch: the subscriber fell too far behind")

// ErrClosed ends every subscription when its Hub closes.
var ErrClosed = errors.New("watch: the hub is closed")

// Update is what one poll found.
type Update[E any] struct {
	// Events are appended to the feed, in order.
	Events []E
	// Changed says whether the source changed since the previous poll: the
	// next poll comes sooner when it did.
	Changed bool
	// Done ends the feed after Events: every subscriber reads them, then
	// io.EOF.
	Done bool
}

// PollFunc polls the source once. Its context ends when the last
// subscriber leaves, the hub closes, or Config.PollTimeout passes.
type PollFunc[E any] func(ctx context.Context) (Update[E], error)

// Config is the schedule and the buffer bounds of a Hub's feeds.
type Config struct {
	// MinInterval is the wait after a poll that found a change; MaxInterval
	// bounds the wait, which doubles after each poll that found none.
	MinInterval, MaxInterval time.Duration
	// Jitter spreads each wait uniformly over ±Jitter of it (0.2 for ±20%),
	// so that the pollers of a gateway do not poll in step.
	Jitter float64
	// PollTimeout bounds one poll.
	PollTimeout time.Duration
	// Retain is the number of events a feed keeps for subscribers that lag
	// behind and for new subscribers; at least 1.
	Retain int
	// Coalesce lets a subscriber that lags behind Retain skip to the oldest
	// retained event, instead of ending with ErrOverflow.
	Coalesce bool
	// Transient reports whether a failed poll may be retried. Nil: none.
	Transient func(error) bool
	// AllowRetry withdraws one retry from the retry budget and reports
	// whether the budget had it. Nil: always.
	AllowRetry func() bool
	// MaxFailures bounds the transient failures in a row that are retried.
	MaxFailures int
	// Sleep waits d or until ctx ends; nil is a timer. Tests replace it to
	// poll on their command.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Hub holds the feeds of one kind of source, by key. Its methods are safe
// for concurrent use.
type Hub[K comparable, E any] struct {
	cfg Config

	mu          sync.Mutex
	feeds       map[K]*feed[E]
	closed      bool
	pollers     int
	subscribers int
	polls       int64
	wg          sync.WaitGroup
}

// NewHub returns a Hub with cfg.
func NewHub[K comparable, E any](cfg Config) *Hub[K, E] {
	cfg.Retain = max(cfg.Retain, 1)
	cfg.MinInterval = max(cfg.MinInterval, time.Millisecond)
	cfg.MaxInterval = max(cfg.MaxInterval, cfg.MinInterval)
	cfg.Jitter = min(max(cfg.Jitter, 0), 1)
	if cfg.Sleep == nil {
		cfg.Sleep = wait.For
	}
	return &Hub[K, E]{cfg: cfg, feeds: map[K]*feed[E]{}}
}

// Stats are a Hub's counts.
type Stats struct {
	// Pollers are the feeds with subscribers (a feed's poller stops when
	// its last subscriber leaves); Subscribers are attached to them.
	Pollers, Subscribers int
	// Polls is the number of polls made since the hub was made.
	Polls int64
}

// Stats returns the hub's counts now.
func (h *Hub[K, E]) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Stats{Pollers: h.pollers, Subscribers: h.subscribers, Polls: h.polls}
}

// Subscribe attaches to the feed of key, starting its poller with the poll
// that newPoll returns when there is no feed to join. The caller must Close
// the subscription.
func (h *Hub[K, E]) Subscribe(key K, newPoll func() PollFunc[E]) (*Subscription[K, E], error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	f := h.feeds[key]
	if f == nil || !f.joinable(h.cfg.Coalesce) {
		ctx, cancel := context.WithCancel(context.Background())
		f = &feed[E]{changed: make(chan struct{}), cancel: cancel}
		h.feeds[key] = f
		h.pollers++
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			h.run(ctx, f, newPoll())
		}()
	}
	f.subs++
	h.subscribers++
	f.mu.Lock()
	next := f.base
	f.mu.Unlock()
	return &Subscription[K, E]{hub: h, key: key, f: f, next: next}, nil
}

// Close ends every feed with ErrClosed, refuses new subscriptions, and
// waits for the pollers to stop.
func (h *Hub[K, E]) Close() {
	h.mu.Lock()
	h.closed = true
	feeds := h.feeds
	h.feeds = map[K]*feed[E]{}
	h.mu.Unlock()
	for _, f := range feeds {
		f.end(ErrClosed) // the subscribers leave when they read it
		f.cancel()
	}
	h.wg.Wait()
}

// leave detaches one subscriber from f; the last one stops its poller.
func (h *Hub[K, E]) leave(key K, f *feed[E]) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subscribers--
	if f.subs--; f.subs > 0 {
		return
	}
	if h.feeds[key] == f {
		delete(h.feeds, key)
	}
	h.pollers--
	f.cancel()
}

// run polls for f until its context ends or the feed ends.
func (h *Hub[K, E]) run(ctx context.Context, f *feed[E], poll PollFunc[E]) {
	wait, failures := h.cfg.MinInterval, 0
	for {
		h.mu.Lock()
		h.polls++
		h.mu.Unlock()
		up, err := h.pollOnce(ctx, poll)
		if ctx.Err() != nil {
			f.end(ErrClosed) // no subscriber is left to read it, unless the hub closed
			return
		}
		if err != nil {
			if failures >= h.cfg.MaxFailures || h.cfg.Transient == nil || !h.cfg.Transient(err) ||
				(h.cfg.AllowRetry != nil && !h.cfg.AllowRetry()) {
				f.end(err)
				return
			}
			failures++
			if h.cfg.Sleep(ctx, h.jitter(backoff(h.cfg.MinInterval, h.cfg.MaxInterval, failures))) != nil {
				return
			}
			continue
		}
		failures = 0
		f.append(up.Events, h.cfg.Retain)
		if up.Done {
			f.end(io.EOF)
			return
		}
		if up.Changed {
			wait = h.cfg.MinInterval
		} else {
			wait = min(2*wait, h.cfg.MaxInterval)
		}
		if h.cfg.Sleep(ctx, h.jitter(wait)) != nil {
			return
		}
	}
}

func (h *Hub[K, E]) pollOnce(ctx context.Context, poll PollFunc[E]) (Update[E], error) {
	if h.cfg.PollTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.cfg.PollTimeout)
		defer cancel()
	}
	return poll(ctx)
}

// jitter spreads d uniformly over d·(1±Jitter).
func (h *Hub[K, E]) jitter(d time.Duration) time.Duration {
	if h.cfg.Jitter == 0 {
		return d
	}
	f := 1 + h.cfg.Jitter*(2*rand.Float64()-1)
	return time.Duration(float64(d) * f)
}

// backoff is the wait before retry n (from 1): base·2^(n-1), at most limit.
func backoff(base, limit time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}
