package upstream

import (
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestCorrelationIDEveryAttempt: the same X-Correlation-ID reaches the
// upstream on every attempt of a call, whether the caller gave one or not.
func TestCorrelationIDEveryAttempt(t *testing.T) {
	t.Parallel()
	for _, given := range []string{"projects-abc-123", ""} {
		t.Run("given="+given, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var seen []string
			srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				seen = append(seen, r.Header.Get(HeaderCorrelationID))
				mu.Unlock()
				jsonHandler(502, badGatewayBody)(w, r)
			})
			c := newTestClient(t, srv.URL, Options{})
			resp, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{Method: "GET", Path: "/connectors/x", Bearer: "t", CorrelationID: given})
			if err != nil {
				t.Fatal(err)
			}
			want := given
			if given == "" {
				want = resp.CorrelationID
				if !uuidV4.MatchString(want) {
					t.Fatalf("generated correlation id %q is not a version 4 UUID", want)
				}
			}
			if resp.CorrelationID != want {
				t.Errorf("Response.CorrelationID = %q, want %q", resp.CorrelationID, want)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 3 {
				t.Fatalf("upstream saw %d attempts, want 3", len(seen))
			}
			for i, id := range seen {
				if id != want {
					t.Errorf("attempt %d sent X-Correlation-ID %q, want %q", i+1, id, want)
				}
			}
		})
	}
}

// TestRequestHeaders: extra headers are forwarded, but cannot override the
// client's own Authorization, correlation id or content type.
func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	got := make(chan http.Header, 1)
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		jsonHandler(200, okBody)(w, r)
	})
	c := newTestClient(t, srv.URL, Options{})
	_, err := c.Do(ctxTimeout(t, 10*time.Second), &Request{
		Method: "POST", Path: "/connectors/drafts", Body: []byte(`{}`), Bearer: "caller-token", CorrelationID: "cid",
		Header: http.Header{
			"Accept-Language":  {"de"},
			"Authorization":    {"Bearer smuggled"},
			"X-Correlation-Id": {"smuggled"},
			"Content-Type":     {"text/plain"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := <-got
	for k, want := range map[string]string{
		"Accept-Language":  "de",
		"Authorization":    "Bearer caller-token",
		"X-Correlation-Id": "cid",
		"Content-Type":     "application/json",
		"Accept":           "application/json",
	} {
		if v := h.Values(k); len(v) != 1 || v[0] != want {
			t.Errorf("upstream header %s = %q, want [%q]", k, v, want)
		}
	}
}

func TestNewCorrelationID(t *testing.T) {
	t.Parallel()
	seen := make(map[string]bool, 1000)
	for range 1000 {
		id := NewCorrelationID()
		if !uuidV4.MatchString(id) {
			t.Fatalf("NewCorrelationID() = %q, not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("NewCorrelationID() repeated %q", id)
		}
		seen[id] = true
	}
}
