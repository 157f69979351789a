package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testClientID     = "gateway-client"
	testClientSecret = "CANARY-client-secret-5f1e"
)

// tokenServer is a fake OAuth token endpoint. It issues "tok-1", "tok-2",
// ... with the lifetimes in expires (the last one repeats), after waiting
// for release when it is not nil.
type tokenServer struct {
	*httptest.Server
	requests atomic.Int64
	expires  []int
	release  chan struct{} // set before the server starts, or with hold
	mu       sync.Mutex
	status   int    // when not 0, answer this status with body
	body     string // for status
}

func newTokenServer(t testing.TB, ts *tokenServer) *tokenServer {
	t.Helper()
	if len(ts.expires) == 0 {
		ts.expires = []int{3600}
	}
	ts.Server = httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) serve(w http.ResponseWriter, r *http.Request) {
	n := int(ts.requests.Add(1))
	_ = r.ParseForm()
	ts.mu.Lock()
	release := ts.release
	ts.mu.Unlock()
	if release != nil {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if ts.status != 0 {
		w.WriteHeader(ts.status)
		_, _ = io.WriteString(w, ts.body)
		return
	}
	id, secret, ok := r.BasicAuth()
	if r.URL.Path != "/oauth/token" || !ok || id != testClientID || secret != testClientSecret ||
		r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("scope") != "manage_project:p" {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": fmt.Sprintf("tok-%d", n),
		"token_type":   "Bearer",
		"expires_in":   ts.expires[min(n, len(ts.expires))-1],
		"scope":        "manage_project:p",
	})
}

// hold makes the token endpoint wait for the returned channel to close.
func (ts *tokenServer) hold() chan struct{} {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.release = make(chan struct{})
	return ts.release
}

func newClientCredentials(t testing.TB, tokenURL string, timeout time.Duration) *ClientCredentials {
	t.Helper()
	cc, err := NewClientCredentials(ClientCredentialsConfig{
		ClientID: testClientID, ClientSecret: testClientSecret,
		TokenURL: tokenURL, Scopes: []string{"manage_project:p"}, Timeout: timeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cc.CloseIdleConnections)
	return cc
}

// authRecorder is an upstream that records the Authorization headers it
// sees and answers 401 invalid_token to the tokens in reject.
type authRecorder struct {
	mu     sync.Mutex
	seen   []string
	reject func(auth string) bool
}

func (a *authRecorder) serve(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	a.mu.Lock()
	a.seen = append(a.seen, auth)
	a.mu.Unlock()
	if a.reject != nil && a.reject(auth) {
		jsonHandler(401, `{"statusCode":401,"message":"invalid_token","errors":[{"code":"invalid_token","message":"invalid_token"}],"error":"invalid_token"}`)(w, r)
		return
	}
	jsonHandler(200, okBody)(w, r)
}

func (a *authRecorder) headers() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.seen...)
}

func TestPassthroughAuth(t *testing.T) {
	t.Parallel()
	rec := &authRecorder{}
	srv, served := countingServer(t, rec.serve)
	c := newTestClient(t, srv.URL, Options{Auth: PassthroughAuth{}})

	if _, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/x", Bearer: "caller-tok"}); err != nil {
		t.Fatal(err)
	}
	if got := rec.headers(); len(got) != 1 || got[0] != "Bearer caller-tok" {
		t.Errorf("upstream saw Authorization %q, want [Bearer caller-tok]", got)
	}

	// Without a bearer the request goes out without Authorization, and the
	// upstream's answer is the caller's.
	if _, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/x"}); err != nil {
		t.Fatal(err)
	}
	if got := rec.headers(); len(got) != 2 || got[1] != "" {
		t.Errorf("upstream saw Authorization %q, want no header on the second request", got)
	}
	if served.Load() != 2 {
		t.Errorf("upstream served %d requests, want 2", served.Load())
	}
}

// TestPassthroughNoReplay: the gateway cannot renew a caller's token, so a
// 401 invalid_token is answered as is.
func TestPassthroughNoReplay(t *testing.T) {
	t.Parallel()
	rec := &authRecorder{reject: func(string) bool { return true }}
	srv, _ := countingServer(t, rec.serve)
	c := newTestClient(t, srv.URL, Options{})
	resp, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/x", Bearer: "expired"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 401 || resp.Attempts != 1 {
		t.Errorf("status %d after %d attempts, want 401 after 1", resp.StatusCode, resp.Attempts)
	}
}

// TestClientCredentialsOneFetch: 100 concurrent calls that find no token,
// or an expired one, cause exactly one token request.
func TestClientCredentialsOneFetch(t *testing.T) {
	t.Parallel()
	for _, expired := range []bool{false, true} {
		t.Run(fmt.Sprintf("expired=%v", expired), func(t *testing.T) {
			t.Parallel()
			// With expired, the first token's expires_in of 5s makes it
			// expired at once: x/oauth2 treats tokens as expired 10s early.
			expires := []int{3600}
			if expired {
				expires = []int{5, 3600}
			}
			ts := newTokenServer(t, &tokenServer{expires: expires})
			rec := &authRecorder{}
			srv, _ := countingServer(t, rec.serve)
			c := newTestClient(t, srv.URL, Options{Auth: newClientCredentials(t, ts.URL, 0)})
			wantToken, before := "Bearer tok-1", int64(0)
			if expired {
				if _, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/x"}); err != nil {
					t.Fatal(err)
				}
				wantToken, before = "Bearer tok-2", 1
			}
			release := ts.hold()
			var started, wg sync.WaitGroup
			errs := make(chan error, 100)
			for range 100 {
				started.Add(1)
				wg.Go(func() {
					started.Done()
					if _, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/x"}); err != nil {
						errs <- err
					}
				})
			}
			started.Wait()
			close(release)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if got := ts.requests.Load() - before; got != 1 {
				t.Errorf("100 concurrent calls made %d token requests, want 1", got)
			}
			for _, h := range rec.headers()[before:] {
				if h != wantToken {
					t.Fatalf("upstream saw Authorization %q, want %q", h, wantToken)
				}
			}
		})
	}
}

// TestClientCredentialsInvalidToken: a 401 invalid_token drops the cached
// token, fetches one new token and replays the request once.
func TestClientCredentialsInvalidToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		method      string
		reject      func(string) bool
		wantStatus  int
		wantHeaders []string
	}{
		{name: "refresh heals GET", method: "GET", reject: func(a string) bool { return a == "Bearer tok-1" },
			wantStatus: 200, wantHeaders: []string{"Bearer tok-1", "Bearer tok-2"}},
		{name: "refresh heals POST", method: "POST", reject: func(a string) bool { return a == "Bearer tok-1" },
			wantStatus: 200, wantHeaders: []string{"Bearer tok-1", "Bearer tok-2"}},
		{name: "only one replay", method: "GET", reject: func(string) bool { return true },
			wantStatus: 401, wantHeaders: []string{"Bearer tok-1", "Bearer tok-2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newTokenServer(t, &tokenServer{})
			rec := &authRecorder{reject: tc.reject}
			srv, _ := countingServer(t, rec.serve)
			c := newTestClient(t, srv.URL, Options{Auth: newClientCredentials(t, ts.URL, 0)})
			resp, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: tc.method, Path: "/x", Body: []byte(`{}`)})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus || resp.Attempts != 2 {
				t.Errorf("status %d after %d attempts, want %d after 2", resp.StatusCode, resp.Attempts, tc.wantStatus)
			}
			if got := ts.requests.Load(); got != 2 {
				t.Errorf("%d token requests, want 2 (one refresh)", got)
			}
			if got := rec.headers(); strings.Join(got, ",") != strings.Join(tc.wantHeaders, ",") {
				t.Errorf("upstream saw %q, want %q", got, tc.wantHeaders)
			}
		})
	}
}

// TestClientCredentialsHungTokenEndpoint: a caller waiting for a token
// returns at its own deadline with a timeout, while the shared fetch goes
// on for callers with more time; the fetch itself is bounded by its own
// timeout.
func TestClientCredentialsHungTokenEndpoint(t *testing.T) {
	t.Parallel()
	t.Run("caller deadline", func(t *testing.T) {
		t.Parallel()
		ts := newTokenServer(t, &tokenServer{release: make(chan struct{})})
		srv, served := countingServer(t, jsonHandler(200, okBody))
		c := newTestClient(t, srv.URL, Options{Auth: newClientCredentials(t, ts.URL, 0)})

		patient := make(chan error, 1)
		go func() {
			_, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/x"})
			patient <- err
		}()
		const d = 100 * time.Millisecond
		start := time.Now()
		_, err := c.Do(ctxTimeout(t, d), &Request{Method: "GET", Path: "/x"})
		elapsed := time.Since(start)
		if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("impatient caller: %v, want ErrTimeout wrapping context.DeadlineExceeded", err)
		}
		t.Logf("impatient caller returned %v after its deadline", elapsed-d)
		close(ts.release)
		if err := <-patient; err != nil {
			t.Fatalf("patient caller: %v", err)
		}
		if ts.requests.Load() != 1 || served.Load() != 1 {
			t.Errorf("token requests %d, upstream requests %d; want 1 and 1", ts.requests.Load(), served.Load())
		}
	})
	t.Run("fetch timeout", func(t *testing.T) {
		t.Parallel()
		ts := newTokenServer(t, &tokenServer{release: make(chan struct{})}) // never released
		c := newTestClient(t, "http://127.0.0.1:1", Options{Auth: newClientCredentials(t, ts.URL, 100*time.Millisecond)})
		_, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/x"})
		if !errors.Is(err, ErrAuthUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Do = %v, want ErrAuthUnavailable wrapping context.DeadlineExceeded", err)
		}
	})
}

// TestClientCredentialsErrors: the token endpoint's failures are told apart,
// and neither the secret nor the endpoint's body reaches the error.
func TestClientCredentialsErrors(t *testing.T) {
	t.Parallel()
	echo := `{"error":"invalid_client","error_description":"bad secret ` + testClientSecret + `"}`
	cases := []struct {
		name string
		ts   *tokenServer // nil: nothing listens
		want error
	}{
		{name: "rejected 401", ts: &tokenServer{status: 401, body: echo}, want: ErrAuthRejected},
		{name: "rejected 400", ts: &tokenServer{status: 400, body: `{"error":"invalid_scope"}`}, want: ErrAuthRejected},
		{name: "server error", ts: &tokenServer{status: 503, body: "<html>" + testClientSecret + "</html>"}, want: ErrAuthUnavailable},
		{name: "no access token", ts: &tokenServer{status: 200, body: `{"token_type":"Bearer","echo":"` + testClientSecret + `"}`}, want: ErrAuthUnavailable},
		{name: "unreachable", want: ErrAuthUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tokenURL := closedAddr(t)
			if tc.ts != nil {
				tokenURL = newTokenServer(t, tc.ts).URL
			}
			srv, served := countingServer(t, jsonHandler(200, okBody))
			c := newTestClient(t, srv.URL, Options{Auth: newClientCredentials(t, tokenURL, 0)})
			_, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/x"})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Do = %v, want %v", err, tc.want)
			}
			t.Logf("error: %v", err)
			if strings.Contains(err.Error(), testClientSecret) || strings.Contains(err.Error(), "bad secret") {
				t.Errorf("error %q quotes the token endpoint's body or the secret", err)
			}
			if served.Load() != 0 {
				t.Errorf("upstream served %d requests without a token", served.Load())
			}
		})
	}
}

// TestSecretsNeverLogged runs calls with canary secrets and debug logging
// on, and looks for the canaries in the logs, the errors and the printed
// configuration.
func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	const bearerCanary = "CANARY-bearer-9d2a"
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))

	ts := newTokenServer(t, &tokenServer{})
	rec := &authRecorder{reject: func(a string) bool { return a == "Bearer tok-1" }}
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			jsonHandler(502, badGatewayBody)(w, r)
			return
		}
		rec.serve(w, r)
	})
	var errs []string
	cc := newClientCredentials(t, ts.URL, 0)
	for _, auth := range []Auth{PassthroughAuth{}, cc} {
		c := newTestClient(t, srv.URL, Options{Auth: auth, Logger: logger})
		for _, path := range []string{"/x", "/fail"} {
			_, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "POST", Path: path, Body: []byte(`{"secret":"` + bearerCanary + `"}`), Bearer: bearerCanary})
			if err != nil {
				errs = append(errs, err.Error())
			}
		}
	}
	cfg := ClientCredentialsConfig{ClientID: testClientID, ClientSecret: testClientSecret}
	printed := fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg)
	logger.Info("config", "cc", cfg)

	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if !strings.Contains(out, "upstream attempt") {
		t.Fatalf("no attempt was logged; the test would prove nothing:\n%s", out)
	}
	for _, canary := range []string{bearerCanary, testClientSecret, "tok-1", "tok-2"} {
		for what, text := range map[string]string{"logs": out, "errors": strings.Join(errs, "\n"), "printed config": printed} {
			if strings.Contains(text, canary) {
				t.Errorf("%s contain %q:\n%s", what, canary, text)
			}
		}
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
