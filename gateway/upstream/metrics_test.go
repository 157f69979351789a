package upstream

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// recordingMetrics keeps every event, for assertions.
type recordingMetrics struct {
	mu       sync.Mutex
	attempts []AttemptInfo
	retries  []string
	denied   int
	rejected []Kind
}

func (m *recordingMetrics) Attempt(a AttemptInfo) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.attempts = append(m.attempts, a)
}

func (m *recordingMetrics) Retry(op, reason string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.retries = append(m.retries, op+":"+reason)
}

func (m *recordingMetrics) RetryDenied(string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.denied++
}

func (m *recordingMetrics) Rejected(_ string, k Kind) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rejected = append(m.rejected, k)
}

func TestMetricsEvents(t *testing.T) {
	t.Parallel()
	srv, _ := countingServer(t, jsonHandler(502, badGatewayBody))
	m := &recordingMetrics{}
	budget := NewRetryBudget(0.2, 1) // one retry, then denial
	c := newTestClient(t, srv.URL, Options{Metrics: m, RetryBudget: budget, MaxRequestBytes: 10})
	req := &Request{Method: "GET", Path: "/x", Bearer: "t", Operation: "op"}

	resp, err := c.Do(ctxTimeout(t, 10*time.Second), req)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.BudgetExhausted || resp.Attempts != 2 {
		t.Errorf("attempts %d, BudgetExhausted %v; want 2, true", resp.Attempts, resp.BudgetExhausted)
	}
	_, _ = c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "POST", Path: "/x", Body: make([]byte, 11), Bearer: "t"})

	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.attempts) != 2 {
		t.Fatalf("%d attempts recorded, want 2", len(m.attempts))
	}
	for i, a := range m.attempts {
		if a.Operation != "op" || a.Method != "GET" || a.Attempt != i+1 || a.StatusCode != 502 || a.Kind != 0 || a.Latency <= 0 {
			t.Errorf("attempt %d recorded as %+v", i+1, a)
		}
	}
	if !slices.Equal(m.retries, []string{"op:status_502"}) || m.denied != 1 {
		t.Errorf("retries %q, denied %d; want [op:status_502], 1", m.retries, m.denied)
	}
	if !slices.Equal(m.rejected, []Kind{KindRequestTooLarge}) {
		t.Errorf("rejected %v, want [REQUEST_TOO_LARGE]", m.rejected)
	}
}
