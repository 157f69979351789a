package upstream

import (
	"context"
	"io"
	"net/http"
	"testing"
)

// BenchmarkDo measures one upstream call through Client.Do against an
// httptest server answering a small JSON body, next to the same call with a
// bare http.Client on an identical transport. The ratio of the two is the
// client's overhead (correlation id, tracing, limits, budget, logging
// checks).
//
//	go test -run '^$' -bench . -benchmem ./gateway/upstream
func BenchmarkDo(b *testing.B) {
	srv, _ := countingServer(b, jsonHandler(200, okBody))
	ctx := context.Background()

	b.Run("bare-http-client", func(b *testing.B) {
		hc := &http.Client{Transport: NewTransport(DefaultMaxConcurrent)}
		b.Cleanup(hc.CloseIdleConnections)
		b.ReportAllocs()
		for b.Loop() {
			req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/connectors/key=my-connector", nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer t")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadAll(resp.Body); err != nil {
				b.Fatal(err)
			}
			_ = resp.Body.Close()
		}
	})
	b.Run("upstream-client", func(b *testing.B) {
		c := newTestClient(b, srv.URL, Options{})
		req := &Request{Method: "GET", Path: "/connectors/key=my-connector", Bearer: "t", Operation: "bench"}
		b.ReportAllocs()
		for b.Loop() {
			resp, err := c.Do(ctx, req)
			if err != nil || resp.StatusCode != 200 {
				b.Fatal(resp, err)
			}
		}
	})
}

// BenchmarkConcurrencyLimitReject measures how fast a call over
// MaxConcurrent fails: well under 10ms, so that a full gateway sheds load
// at once instead of queueing it.
func BenchmarkConcurrencyLimitReject(b *testing.B) {
	c := newTestClient(b, "http://127.0.0.1:1", Options{MaxConcurrent: 1})
	c.slots <- struct{}{} // the one slot is taken
	req := &Request{Method: "GET", Path: "/x", Bearer: "t"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Do(ctx, req); err == nil {
			b.Fatal("call over the cap succeeded")
		}
	}
}
