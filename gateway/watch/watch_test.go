package watch_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/connect-gateway/connect-gateway/gateway/watch"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// ticker is a Config.Sleep that lets a poll through each time the test
// calls tick, and counts the waits it was asked for.
type ticker struct {
	ch    chan struct{}
	mu    sync.Mutex
	waits []time.Duration
}

func newTicker() *ticker { return &ticker{ch: make(chan struct{})} }

func (t *ticker) sleep(ctx context.Context, d time.Duration) error {
	t.mu.Lock()
	t.waits = append(t.waits, d)
	t.mu.Unlock()
	select {
	case <-t.ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tick lets one poll through, once the poller waits for it.
func (t *ticker) tick() { t.ch <- struct{}{} }

// source is a PollFunc over a script of updates; it counts its polls.
type source struct {
	mu     sync.Mutex
	script []step
	polls  atomic.Int64
}

type step struct {
	up  watch.Update[int]
	err error
}

func (s *source) poll(ctx context.Context) (watch.Update[int], error) {
	s.polls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.script) == 0 {
		return watch.Update[int]{}, nil
	}
	st := s.script[0]
	s.script = s.script[1:]
	return st.up, st.err
}

func (s *source) factory() func() watch.PollFunc[int] {
	return func() watch.PollFunc[int] { return s.poll }
}

func next(t *testing.T, sub *watch.Subscription[string, int]) ([]int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	return sub.Next(ctx, 0)
}

func TestOnePollerForManySubscribers(t *testing.T) {
	tk := newTicker()
	src := &source{script: []step{
		{up: watch.Update[int]{Events: []int{1}, Changed: true}},
		{up: watch.Update[int]{Events: []int{2}, Changed: true}},
		{up: watch.Update[int]{Events: []int{3}, Changed: true, Done: true}},
	}}
	h := watch.NewHub[string, int](watch.Config{MinInterval: time.Second, Retain: 1, Coalesce: true, Sleep: tk.sleep})
	defer h.Close()
	const n = 100
	subs := make([]*watch.Subscription[string, int], n)
	for i := range subs {
		var err error
		if subs[i], err = h.Subscribe("d", src.factory()); err != nil {
			t.Fatal(err)
		}
		defer subs[i].Close()
	}
	if st := h.Stats(); st.Pollers != 1 || st.Subscribers != n {
		t.Fatalf("stats %+v, want 1 poller and %d subscribers", st, n)
	}
	for want := 1; want <= 3; want++ {
		for i, s := range subs {
			got, err := next(t, s)
			if err != nil || len(got) != 1 || got[0] != want {
				t.Fatalf("subscriber %d: %v %v, want [%d]", i, got, err, want)
			}
		}
		if want < 3 {
			tk.tick()
		}
	}
	for i, s := range subs {
		if _, err := next(t, s); err != io.EOF {
			t.Fatalf("subscriber %d ends with %v, want io.EOF", i, err)
		}
	}
	if p := src.polls.Load(); p != 3 {
		t.Errorf("%d polls for %d subscribers, want 3", p, n)
	}
}

func TestSlowSubscriberCoalescesToTheLatest(t *testing.T) {
	tk := newTicker()
	src := &source{script: []step{
		{up: watch.Update[int]{Events: []int{1}, Changed: true}},
		{up: watch.Update[int]{Events: []int{2}, Changed: true}},
		{up: watch.Update[int]{Events: []int{3}, Changed: true}},
	}}
	h := watch.NewHub[string, int](watch.Config{Retain: 1, Coalesce: true, Sleep: tk.sleep})
	defer h.Close()
	fast, _ := h.Subscribe("d", src.factory())
	defer fast.Close()
	slow, _ := h.Subscribe("d", src.factory())
	defer slow.Close()
	for want := 1; want <= 3; want++ {
		if got, err := next(t, fast); err != nil || got[0] != want {
			t.Fatalf("fast: %v %v, want %d", got, err, want)
		}
		if want < 3 {
			tk.tick()
		}
	}
	if got, err := next(t, slow); err != nil || len(got) != 1 || got[0] != 3 {
		t.Fatalf("slow subscriber read %v %v, want only the latest state [3]", got, err)
	}
}

func TestSlowSubscriberOverflows(t *testing.T) {
	tk := newTicker()
	src := &source{script: []step{
		{up: watch.Update[int]{Events: []int{1, 2}, Changed: true}},
		{up: watch.Update[int]{Events: []int{3, 4}, Changed: true}},
	}}
	h := watch.NewHub[string, int](watch.Config{Retain: 3, Sleep: tk.sleep})
	defer h.Close()
	fast, _ := h.Subscribe("logs", src.factory())
	defer fast.Close()
	slow, _ := h.Subscribe("logs", src.factory())
	defer slow.Close()
	if got, err := next(t, fast); err != nil || len(got) != 2 {
		t.Fatalf("fast: %v %v", got, err)
	}
	tk.tick()
	if got, err := next(t, fast); err != nil || len(got) != 2 || got[1] != 4 {
		t.Fatalf("fast: %v %v", got, err)
	}
	if got, err := next(t, slow); !errors.Is(err, watch.ErrOverflow) {
		t.Fatalf("slow: %v %v, want ErrOverflow", got, err)
	}
	// The feed dropped an event: a new subscriber gets a poller of its own,
	// so that it reads from its start point.
	late, _ := h.Subscribe("logs", src.factory())
	defer late.Close()
	if st := h.Stats(); st.Pollers != 2 {
		t.Errorf("%d pollers, want a new one for the late subscriber", st.Pollers)
	}
}

func TestLastSubscriberStopsThePoller(t *testing.T) {
	tk := newTicker()
	src := &source{script: []step{{up: watch.Update[int]{Events: []int{1}}}}}
	h := watch.NewHub[string, int](watch.Config{Retain: 1, Coalesce: true, Sleep: tk.sleep})
	defer h.Close()
	a, _ := h.Subscribe("d", src.factory())
	b, _ := h.Subscribe("d", src.factory())
	if _, err := next(t, a); err != nil {
		t.Fatal(err)
	}
	a.Close()
	a.Close() // twice is harmless
	if st := h.Stats(); st.Subscribers != 1 {
		t.Fatalf("stats %+v after one left", st)
	}
	b.Close()
	if st := h.Stats(); st.Subscribers != 0 || st.Pollers != 0 {
		t.Errorf("stats %+v after all left", st)
	}
}

func TestTransientFailuresRetriedWithinBudget(t *testing.T) {
	transient := errors.New("unavailable")
	fatal := errors.New("not found")
	isTransient := func(err error) bool { return errors.Is(err, transient) }
	cases := []struct {
		name    string
		script  []step
		budget  int
		want    []int
		wantErr error
		polls   int64
	}{
		{"a transient failure is retried", []step{{err: transient}, {up: watch.Update[int]{Events: []int{7}, Done: true}}}, 5, []int{7}, io.EOF, 2},
		{"an exhausted budget ends the feed with the failure", []step{{err: transient}, {err: transient}, {up: watch.Update[int]{Events: []int{7}}}}, 1, nil, transient, 2},
		{"at most MaxFailures in a row", []step{{err: transient}, {err: transient}, {err: transient}, {err: transient}}, 100, nil, transient, 4},
		{"a permanent failure is not retried", []step{{err: fatal}}, 100, nil, fatal, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := &source{script: c.script}
			budget := c.budget
			h := watch.NewHub[string, int](watch.Config{
				Retain: 1, Coalesce: true, Transient: isTransient, MaxFailures: 3,
				AllowRetry: func() bool { budget--; return budget >= 0 },
				Sleep:      func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
			})
			defer h.Close()
			sub, _ := h.Subscribe("d", src.factory())
			defer sub.Close()
			var got []int
			var err error
			for err == nil {
				var evs []int
				evs, err = next(t, sub)
				got = append(got, evs...)
			}
			if !errors.Is(err, c.wantErr) || len(got) != len(c.want) {
				t.Errorf("read %v, end %v; want %v, end %v", got, err, c.want, c.wantErr)
			}
			if p := src.polls.Load(); p != c.polls {
				t.Errorf("%d polls, want %d", p, c.polls)
			}
		})
	}
}

func TestIntervalsBackOffWhileIdleAndStayInTheJitter(t *testing.T) {
	tk := newTicker()
	src := &source{script: []step{
		{up: watch.Update[int]{Events: []int{1}, Changed: true}},
		{}, {}, {}, {}, {},
		{up: watch.Update[int]{Events: []int{2}, Changed: true}},
	}}
	min, max := 100*time.Millisecond, 800*time.Millisecond
	h := watch.NewHub[string, int](watch.Config{MinInterval: min, MaxInterval: max, Jitter: 0.2, Retain: 1, Coalesce: true, Sleep: tk.sleep})
	defer h.Close()
	sub, _ := h.Subscribe("d", src.factory())
	defer sub.Close()
	if _, err := next(t, sub); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		tk.tick()
	}
	if _, err := next(t, sub); err != nil {
		t.Fatal(err)
	}
	tk.tick() // returns once the poller waits after the change: its 7th wait is recorded
	// after a change, then 5 idle polls doubling to the cap, then a change
	want := []time.Duration{min, 2 * min, 4 * min, max, max, max, min}
	tk.mu.Lock()
	defer tk.mu.Unlock()
	for i, w := range want {
		lo, hi := time.Duration(float64(w)*0.8), time.Duration(float64(w)*1.2)
		if got := tk.waits[i]; got < lo || got > hi {
			t.Errorf("wait %d is %v, want %v ±20%%", i, got, w)
		}
	}
}

func TestCloseEndsEverySubscription(t *testing.T) {
	tk := newTicker()
	src := &source{}
	h := watch.NewHub[string, int](watch.Config{Retain: 1, Coalesce: true, Sleep: tk.sleep})
	sub, _ := h.Subscribe("d", src.factory())
	defer sub.Close()
	h.Close()
	if _, err := next(t, sub); !errors.Is(err, watch.ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
	if _, err := h.Subscribe("d", src.factory()); !errors.Is(err, watch.ErrClosed) {
		t.Errorf("Subscribe after Close: %v, want ErrClosed", err)
	}
}
