package upstream

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestRetryMatrix checks the retry rules of [retryReason] cell by cell: how many attempts each
// method makes against each kind of upstream failure.
func TestRetryMatrix(t *testing.T) {
	t.Parallel()
	type want struct{ get, post, del int }
	cases := []struct {
		name    string
		handler http.HandlerFunc // nil: nothing listens (connection refused)
		timeout bool             // the handler hangs; the deadline ends the call
		want    want
		kind    Kind // for failures without an answer
		status  int  // for answers
	}{
		{name: "500 General", handler: jsonHandler(500, generalBody), want: want{1, 1, 1}, status: 500},
		{name: "502 BadGateway", handler: jsonHandler(502, badGatewayBody), want: want{3, 3, 3}, status: 502},
		{name: "502 HTML page", handler: bodyHandler(502, "text/html", "<html>bad gateway</html>"), want: want{3, 3, 3}, status: 502},
		{name: "502 other code", handler: jsonHandler(502, generalBody), want: want{3, 1, 1}, status: 502},
		{name: "503", handler: jsonHandler(503, `{"statusCode":503,"message":"x","errors":[]}`), want: want{3, 1, 1}, status: 503},
		{name: "504", handler: bodyHandler(504, "text/plain", "gateway timeout"), want: want{3, 1, 1}, status: 504},
		{name: "409 ConcurrentModification", handler: jsonHandler(409, conflictBody), want: want{1, 1, 1}, status: 409},
		{name: "400", handler: jsonHandler(400, `{"statusCode":400,"message":"x","errors":[{"code":"InvalidJsonInput"}]}`), want: want{1, 1, 1}, status: 400},
		{name: "404", handler: jsonHandler(404, `{"statusCode":404,"message":"x","errors":[{"code":"ResourceNotFound"}]}`), want: want{1, 1, 1}, status: 404},
		{name: "reset before write (refused)", want: want{3, 3, 3}, kind: KindUnavailable},
		{name: "reset after write", handler: resetAfterRead, want: want{3, 1, 1}, kind: KindUnavailable},
		{name: "timeout", timeout: true, want: want{1, 1, 1}, kind: KindTimeout},
	}
	for _, tc := range cases {
		for _, m := range []struct {
			method string
			want   int
		}{{"GET", tc.want.get}, {"POST", tc.want.post}, {"DELETE", tc.want.del}} {
			t.Run(tc.name+"/"+m.method, func(t *testing.T) {
				t.Parallel()
				base, served := closedAddr(t), (*atomic.Int64)(nil)
				switch {
				case tc.timeout:
					srv, n := countingServer(t, hangUntilCancelled(make(chan struct{})))
					base, served = srv.URL, n
				case tc.handler != nil:
					srv, n := countingServer(t, tc.handler)
					base, served = srv.URL, n
				}
				c := newTestClient(t, base, Options{})
				ctx := ctxTimeout(t, 10*time.Second)
				if tc.timeout {
					ctx = ctxTimeout(t, 100*time.Millisecond)
				}
				var body []byte
				if m.method == "POST" {
					body = []byte(`{"key":"k"}`)
				}
				resp, err := c.Do(ctx, &Request{Method: m.method, Path: "/connectors/drafts", Body: body, Bearer: "t"})

				attempts := 0
				if tc.kind != 0 {
					e, ok := errors.AsType[*Error](err)
					if !ok {
						t.Fatalf("Do = %v, %v; want an *Error of kind %v", resp, err, tc.kind)
					}
					if e.Kind != tc.kind {
						t.Errorf("Kind = %v, want %v (err: %v)", e.Kind, tc.kind, err)
					}
					attempts = e.Attempts
					wantAmbiguous := e.Written && m.method != "GET"
					if e.Ambiguous != wantAmbiguous {
						t.Errorf("Ambiguous = %v, want %v (written: %v)", e.Ambiguous, wantAmbiguous, e.Written)
					}
				} else {
					if err != nil {
						t.Fatalf("Do: %v", err)
					}
					if resp.StatusCode != tc.status {
						t.Errorf("StatusCode = %d, want %d", resp.StatusCode, tc.status)
					}
					attempts = resp.Attempts
				}
				if attempts != m.want {
					t.Errorf("attempts = %d, want %d", attempts, m.want)
				}
				if served != nil && tc.kind != KindUnavailable && int(served.Load()) != m.want {
					t.Errorf("server saw %d requests, want %d", served.Load(), m.want)
				}
			})
		}
	}
}

// TestRetryAcceptAndClose covers a listener that accepts connections and
// closes them at once: a GET is retried up to the cap. (Whether the request
// was written first depends on a race between the client's write and the
// server's close, so writes are covered by the refused and reset cases.)
func TestRetryAcceptAndClose(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			_ = conn.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); <-done })

	c := newTestClient(t, "http://"+ln.Addr().String(), Options{})
	_, err = c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/connectors/x", Bearer: "t"})
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Kind != KindUnavailable {
		t.Fatalf("Do error = %v, want KindUnavailable", err)
	}
	if e.Attempts != 3 || accepted.Load() != 3 {
		t.Errorf("attempts = %d, connections accepted = %d; want 3 and 3", e.Attempts, accepted.Load())
	}
}

// TestRetryIdempotentPost: a POST marked Idempotent is retried like a GET.
func TestRetryIdempotentPost(t *testing.T) {
	t.Parallel()
	srv, served := countingServer(t, jsonHandler(503, `{}`))
	c := newTestClient(t, srv.URL, Options{})
	resp, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "POST", Path: "/x", Body: []byte(`{}`), Bearer: "t", Idempotent: true})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 3 || served.Load() != 3 {
		t.Errorf("attempts = %d, served = %d; want 3 and 3", resp.Attempts, served.Load())
	}
}

// TestRetryThenSuccess: a GET that meets one 502 then a 200 returns the 200
// after 2 attempts, with the body intact.
func TestRetryThenSuccess(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			jsonHandler(502, badGatewayBody)(w, r)
			return
		}
		jsonHandler(200, okBody)(w, r)
	})
	c := newTestClient(t, srv.URL, Options{})
	resp, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "POST", Path: "/x", Body: []byte(`{"a":1}`), Bearer: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || string(resp.Body) != okBody || resp.Attempts != 2 {
		t.Errorf("got %d %q after %d attempts; want 200 %q after 2", resp.StatusCode, resp.Body, resp.Attempts, okBody)
	}
}

// recordingSleeps replaces c's sleep with one that records and returns at
// once, so backoff is observed without waiting.
func recordingSleeps(c *Client) *[]time.Duration {
	var got []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		got = append(got, d)
		return ctx.Err()
	}
	return &got
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		retryAfter   string
		deadline     time.Duration
		wantAttempts int
		wantSleeps   []time.Duration
	}{
		{name: "fits the deadline", retryAfter: "2", deadline: 10 * time.Second, wantAttempts: 3, wantSleeps: []time.Duration{2 * time.Second, 2 * time.Second}},
		{name: "past the deadline", retryAfter: "30", deadline: 10 * time.Second, wantAttempts: 1},
		{name: "zero", retryAfter: "0", deadline: 10 * time.Second, wantAttempts: 3, wantSleeps: []time.Duration{0, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", tc.retryAfter)
				w.WriteHeader(503)
			})
			c := newTestClient(t, srv.URL, Options{})
			sleeps := recordingSleeps(c)
			resp, err := c.Do(ctxTimeout(t, tc.deadline), &Request{Method: "GET", Path: "/x", Bearer: "t"})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Attempts != tc.wantAttempts {
				t.Errorf("attempts = %d, want %d", resp.Attempts, tc.wantAttempts)
			}
			if len(*sleeps) != len(tc.wantSleeps) {
				t.Fatalf("sleeps = %v, want %v", *sleeps, tc.wantSleeps)
			}
			for i := range tc.wantSleeps {
				if (*sleeps)[i] != tc.wantSleeps[i] {
					t.Errorf("sleep %d = %v, want %v", i, (*sleeps)[i], tc.wantSleeps[i])
				}
			}
		})
	}
}

// TestBackoffNeverSleepsPastDeadline: when even the jittered backoff would
// end after the deadline, the call returns the last answer at once.
func TestBackoffNeverSleepsPastDeadline(t *testing.T) {
	t.Parallel()
	srv, served := countingServer(t, jsonHandler(502, badGatewayBody))
	c := newTestClient(t, srv.URL, Options{BackoffBase: time.Hour, BackoffMax: time.Hour})
	c.jitter = func(n time.Duration) time.Duration { return n } // the worst case
	sleeps := recordingSleeps(c)
	resp, err := c.Do(ctxTimeout(t, time.Second), &Request{Method: "GET", Path: "/x", Bearer: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 502 || resp.Attempts != 1 || served.Load() != 1 || len(*sleeps) != 0 {
		t.Errorf("status %d, attempts %d, served %d, sleeps %v; want 502, 1, 1, none",
			resp.StatusCode, resp.Attempts, served.Load(), *sleeps)
	}
}

func TestBackoffCeilings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		base, max time.Duration
		want      []time.Duration // ceiling before retry 1, 2, 3, ...
	}{
		{25 * time.Millisecond, time.Second, []time.Duration{25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond}},
		{600 * time.Millisecond, time.Second, []time.Duration{600 * time.Millisecond, time.Second, time.Second}},
		{time.Millisecond, time.Second, []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond}},
	}
	for _, tc := range cases {
		c := &Client{backoffBase: tc.base, backoffMax: tc.max, jitter: func(n time.Duration) time.Duration { return n }}
		for i, want := range tc.want {
			got, ok := c.backoff(context.Background(), i+1, -1)
			if !ok || got != want {
				t.Errorf("base %v max %v: backoff(%d) = %v, %v; want %v, true", tc.base, tc.max, i+1, got, ok, want)
			}
		}
		if got, _ := c.backoff(context.Background(), 100, -1); got != tc.max {
			t.Errorf("backoff(100) = %v, want the cap %v", got, tc.max)
		}
	}
}

func TestRandomJitterRange(t *testing.T) {
	t.Parallel()
	const n = 50 * time.Millisecond
	seen := map[bool]bool{}
	for range 1000 {
		d := randomJitter(n)
		if d < 0 || d >= n {
			t.Fatalf("randomJitter(%v) = %v, want [0, %v)", n, d, n)
		}
		seen[d < n/2] = true
	}
	if !seen[true] || !seen[false] {
		t.Errorf("1000 draws all fell in one half of [0, %v)", n)
	}
	if got := randomJitter(0); got != 0 {
		t.Errorf("randomJitter(0) = %v, want 0", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", -1},
		{"3", 3 * time.Second},
		{" 7 ", 7 * time.Second},
		{"-1", -1},
		{"soon", -1},
		{"999999999", -1},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tc := range cases {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestIsBadGatewayBody(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		badGatewayBody:            true,
		"<html>502</html>":        true,
		"":                        true,
		generalBody:               false,
		`{"errors":[]}`:           false,
		`{"statusCode":502}`:      false,
		strings.Repeat("x", 1000): true,
	}
	for body, want := range cases {
		if got := isBadGatewayBody([]byte(body)); got != want {
			t.Errorf("isBadGatewayBody(%.40q) = %v, want %v", body, got, want)
		}
	}
}

func TestIsInvalidToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		resp *Response
		want bool
	}{
		{"nil", nil, false},
		{"connect body", &Response{StatusCode: 401, Body: []byte(`{"statusCode":401,"errors":[{"code":"invalid_token"}]}`)}, true},
		{"oauth body", &Response{StatusCode: 401, Body: []byte(`{"error":"invalid_token"}`)}, true},
		{"header", &Response{StatusCode: 401, Header: http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}}, true},
		{"other 401 code", &Response{StatusCode: 401, Body: []byte(`{"errors":[{"code":"AuthenticationError"}]}`)}, false},
		{"not JSON", &Response{StatusCode: 401, Body: []byte(`invalid_token`)}, false},
		{"403", &Response{StatusCode: 403, Body: []byte(`{"error":"invalid_token"}`)}, false},
	}
	for _, tc := range cases {
		if got := isInvalidToken(tc.resp); got != tc.want {
			t.Errorf("%s: isInvalidToken = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestNoRedirects: the default client hands a redirect back instead of
// resending the request elsewhere.
func TestNoRedirects(t *testing.T) {
	t.Parallel()
	srv, served := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	c := newTestClient(t, srv.URL, Options{})
	resp, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "POST", Path: "/x", Body: []byte(`{}`), Bearer: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusTemporaryRedirect || served.Load() != 1 {
		t.Errorf("status %d after %d requests, want 307 after 1", resp.StatusCode, served.Load())
	}
}
