package upstream

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// TestTransportDoesNotResendAttempts: net/http resends a GET on a reused
// connection that fails before the first response byte; every upstream
// attempt must be one the client decided and counted. The server answers
// the first GET (so the connection is kept alive for reuse), then resets
// the connection of every later request after reading it.
func TestTransportDoesNotResendAttempts(t *testing.T) {
	t.Parallel()
	srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
			t.Errorf("GET sent with Content-Length %d, Transfer-Encoding %v: want no body", r.ContentLength, r.TransferEncoding)
		}
		if r.URL.Path == "/first" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{}`))
			return
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	})
	c := newTestClient(t, srv.URL, Options{MaxAttempts: 1})
	if _, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/first"}); err != nil {
		t.Fatalf("first GET: %v", err)
	}
	_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: "/reset"})
	var uerr *Error
	if !errors.As(err, &uerr) || uerr.Kind != KindUnavailable || uerr.Attempts != 1 {
		t.Fatalf("second GET: %v, want one unavailable attempt", err)
	}
	if got := n.Load(); got != 2 {
		t.Errorf("the upstream received %d requests for 2 single-attempt calls, want 2", got)
	}
}
