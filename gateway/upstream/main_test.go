package upstream

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newTestClient returns a Client for baseURL with fast backoff, quiet logs
// and passthrough auth unless opts say otherwise; its idle connections are
// closed when the test ends, so goleak sees no transport goroutines.
func newTestClient(t testing.TB, baseURL string, opts Options) *Client {
	t.Helper()
	opts.BaseURL = baseURL
	if opts.Auth == nil {
		opts.Auth = PassthroughAuth{}
	}
	if opts.BackoffBase == 0 {
		opts.BackoffBase = 100 * time.Microsecond
	}
	if opts.BackoffMax == 0 {
		opts.BackoffMax = time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// countingServer starts an httptest server whose handler counts requests
// before calling h.
func countingServer(t testing.TB, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// jsonHandler answers status with body as application/json after reading
// the request body.
func jsonHandler(status int, body string) http.HandlerFunc {
	return bodyHandler(status, "application/json", body)
}

func bodyHandler(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// resetAfterRead reads the whole request, then resets the connection
// without answering: the request was written, the outcome is unknown.
func resetAfterRead(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST instead of FIN
	}
	_ = conn.Close()
}

// hangUntilCancelled blocks until the client gives up on the request, and
// then closes cancelled (once).
func hangUntilCancelled(cancelled chan<- struct{}) http.HandlerFunc {
	var once atomic.Bool
	return func(w http.ResponseWriter, r *http.Request) {
		// The server notices a closed connection only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
		if once.CompareAndSwap(false, true) {
			close(cancelled)
		}
	}
}

// closedAddr returns the base URL of a port nothing listens on.
func closedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr
}

// ctxTimeout returns a context with a deadline d from now, cancelled when
// the test ends.
func ctxTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// waitOrFail waits for ch to be closed or to deliver, failing the test
// after a generous bound; it is a bound on a hang, not a timing assertion.
func waitOrFail(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not happen within 10s", what)
	}
}

const (
	badGatewayBody = `{"statusCode":502,"message":"Scaling","errors":[{"code":"BadGateway","message":"Scaling"}]}`
	generalBody    = `{"statusCode":500,"message":"Write operations are temporarily unavailable","errors":[{"code":"General","message":"Write operations are temporarily unavailable"}]}`
	conflictBody   = `{"statusCode":409,"message":"version","errors":[{"code":"ConcurrentModification","message":"version","expectedVersion":1,"currentVersion":2}]}`
	okBody         = `{"id":"c1","version":1}`
)
