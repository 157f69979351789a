package watch

import (
	"context"
	"sync"
)

// feed is the events of one poller: events[i] has sequence number base+i.
type feed[E any] struct {
	cancel context.CancelFunc // stops the poller
	subs   int                // guarded by the Hub's mutex

	mu      sync.Mutex
	events  []E
	base    int64 // sequence number of events[0]
	dropped bool  // events were dropped from the front
	err     error // the end of the feed once set: io.EOF or the poll's error
	changed chan struct{}
}

// joinable reports whether a new subscriber may attach: a feed that ended
// cannot be joined, nor one that dropped events unless they coalesce.
func (f *feed[E]) joinable(coalesce bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err == nil && (coalesce || !f.dropped)
}

func (f *feed[E]) append(events []E, retain int) {
	if len(events) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, events...)
	if over := len(f.events) - retain; over > 0 {
		f.events = append(f.events[:0:0], f.events[over:]...)
		f.base += int64(over)
		f.dropped = true
	}
	f.wake()
}

// end ends the feed with err, unless it has ended already.
func (f *feed[E]) end(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.err = err
		f.wake()
	}
}

// wake tells waiting subscribers that the feed changed. f.mu must be held.
func (f *feed[E]) wake() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// Subscription reads one feed from where it joined.
type Subscription[K comparable, E any] struct {
	hub    *Hub[K, E]
	key    K
	f      *feed[E]
	next   int64
	closed bool
}

// Next returns the events after the last ones it returned (at most max,
// when max > 0), waiting for the poller when there are none. When the feed
// has ended and every event has been read, it returns the end: io.EOF
// after a final state, the error of a failed poll, or ErrClosed. It returns
// ErrOverflow when the subscriber fell too far behind a feed that does not
// coalesce, and ctx's error when ctx ends first.
func (s *Subscription[K, E]) Next(ctx context.Context, max int) ([]E, error) {
	for {
		s.f.mu.Lock()
		if s.next < s.f.base {
			if !s.hub.cfg.Coalesce {
				s.f.mu.Unlock()
				return nil, ErrOverflow
			}
			s.next = s.f.base
		}
		if i := int(s.next - s.f.base); i < len(s.f.events) {
			out := s.f.events[i:]
			if max > 0 && len(out) > max {
				out = out[:max]
			}
			out = append([]E(nil), out...)
			s.next += int64(len(out))
			s.f.mu.Unlock()
			return out, nil
		}
		if err := s.f.err; err != nil {
			s.f.mu.Unlock()
			return nil, err
		}
		ch := s.f.changed
		s.f.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close detaches the subscription; the last one of a feed stops its poller.
// Close may be called more than once.
func (s *Subscription[K, E]) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.hub.leave(s.key, s.f)
}
