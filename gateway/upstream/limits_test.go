package upstream

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestRequestTooLarge(t *testing.T) {
	t.Parallel()
	const limit = 1024
	srv, served := countingServer(t, jsonHandler(200, okBody))
	c := newTestClient(t, srv.URL, Options{MaxRequestBytes: limit})
	for _, tc := range []struct {
		size int
		want error
	}{{limit, nil}, {limit + 1, ErrRequestTooLarge}, {10 << 20, ErrRequestTooLarge}} {
		before := served.Load()
		_, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "POST", Path: "/x", Body: bytes.Repeat([]byte("a"), tc.size), Bearer: "t"})
		if !errors.Is(err, tc.want) {
			t.Errorf("%d-byte body: Do error = %v, want %v", tc.size, err, tc.want)
		}
		if sent := served.Load() - before; (tc.want == nil) != (sent == 1) {
			t.Errorf("%d-byte body: %d requests reached the upstream", tc.size, sent)
		}
	}
}

// TestResponseTooLarge: a body over the limit fails with
// ErrResponseTooLarge, whether its size is announced or not, and an endless
// body is not read to its end.
func TestResponseTooLarge(t *testing.T) {
	t.Parallel()
	const limit = 64 << 10
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	cases := []struct {
		name    string
		size    int  // -1: endless
		chunked bool // no Content-Length
		wantErr bool
	}{
		{name: "at the limit", size: limit},
		{name: "at the limit chunked", size: limit, chunked: true},
		{name: "one over", size: limit + 1, wantErr: true},
		{name: "one over chunked", size: limit + 1, chunked: true, wantErr: true},
		{name: "endless", size: -1, chunked: true, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if !tc.chunked {
					w.Header().Set("Content-Length", strconv.Itoa(tc.size))
				}
				w.WriteHeader(200)
				for left := tc.size; left != 0; {
					n := len(chunk)
					if left > 0 {
						n = min(n, left)
						left -= n
					}
					if _, err := w.Write(chunk[:n]); err != nil {
						return // the client hung up
					}
					w.(http.Flusher).Flush()
				}
			})
			c := newTestClient(t, srv.URL, Options{MaxResponseBytes: limit})
			resp, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/x", Bearer: "t"})
			if tc.wantErr {
				if !errors.Is(err, ErrResponseTooLarge) {
					t.Fatalf("Do = %v, want ErrResponseTooLarge", err)
				}
				if e, _ := errors.AsType[*Error](err); e.Attempts != 1 {
					t.Errorf("attempts = %d, want 1 (a too large answer is not retried)", e.Attempts)
				}
				return
			}
			if err != nil || len(resp.Body) != tc.size {
				t.Fatalf("Do = %d bytes, %v; want %d bytes", len(resp.Body), err, tc.size)
			}
		})
	}
}

// TestConcurrencyLimit: with MaxConcurrent calls hung, the next call fails
// at once with ErrConcurrencyLimit (it does not queue), and calls succeed
// again once the hung ones finish.
func TestConcurrencyLimit(t *testing.T) {
	t.Parallel()
	const limit = 2
	for _, wait := range []time.Duration{0, 20 * time.Millisecond} {
		release := make(chan struct{})
		arrived := make(chan struct{}, limit)
		srv, served := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/hang" {
				arrived <- struct{}{}
				<-release
			}
			jsonHandler(200, okBody)(w, r)
		})
		c := newTestClient(t, srv.URL, Options{MaxConcurrent: limit, ConcurrencyWait: wait})
		var wg sync.WaitGroup
		for range limit {
			wg.Go(func() {
				if _, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/hang", Bearer: "t"}); err != nil {
					t.Errorf("hung call: %v", err)
				}
			})
		}
		for range limit {
			<-arrived
		}
		before := served.Load()
		start := time.Now()
		_, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/x", Bearer: "t"})
		elapsed := time.Since(start)
		if !errors.Is(err, ErrConcurrencyLimit) {
			t.Fatalf("call over the cap: %v, want ErrConcurrencyLimit", err)
		}
		if served.Load() != before {
			t.Errorf("the rejected call reached the upstream")
		}
		t.Logf("ConcurrencyWait %v: rejected after %v", wait, elapsed)

		close(release)
		wg.Wait()
		if _, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/x", Bearer: "t"}); err != nil {
			t.Errorf("after the hung calls finished: %v, want success", err)
		}
	}
}
