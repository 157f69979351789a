package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

const (
	kib = 1 << 10
	mib = 1 << 20
)

// requestSizes are the request body sizes of the limit tests, around the
// default limit of 1 MiB.
var requestSizes = []struct {
	name string
	size int
	ok   bool
}{
	{"1KiB", kib, true},
	{"64KiB", 64 * kib, true},
	{"512KiB", 512 * kib, true},
	{"1MiB-4KiB", mib - 4*kib, true},
	{"1MiB+1KiB", mib + kib, false},
	{"2MiB", 2 * mib, false},
	{"10MiB", 10 * mib, false},
}

// bigDraft is a ConnectorStaged draft whose description makes its JSON
// about size bytes.
func bigDraft(key string, size int) *connectv1.ConnectorStagedDraft {
	d := stagedDraft(key)
	d.Description = proto.String(strings.Repeat("d", max(size-300, 1)))
	return d
}

// TestRequestSizeLimits: request bodies from 1 KiB to 10 MiB over gRPC and
// REST. Within the 1 MiB limit the create succeeds; above it the gateway
// answers RESOURCE_EXHAUSTED (gRPC) or 413 with a Connect ErrorResponse
// (REST, with a Content-Length or chunked) and the upstream sees nothing.
func TestRequestSizeLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	client := connectv1.NewConnectorStagedServiceClient(e.conn)
	for _, sz := range requestSizes {
		t.Run(sz.name, func(t *testing.T) {
			posts := e.sim.Journal().Count("POST", "/connectors/drafts")
			_, err := client.CreateConnectorStaged(e.ctx(t), &connectv1.CreateConnectorStagedRequest{Draft: bigDraft("grpc-"+sz.name, sz.size)})
			if sz.ok && err != nil {
				t.Errorf("gRPC: %v, want OK", err)
			}
			if !sz.ok {
				wantCode(t, err, codes.ResourceExhausted, "")
			}

			body, err := json.Marshal(bigDraftJSON("rest-"+sz.name, sz.size))
			if err != nil {
				t.Fatal(err)
			}
			resp, answer := e.rest(t, "POST", "/connectors/drafts", string(body))
			want := http.StatusCreated
			if !sz.ok {
				want = http.StatusRequestEntityTooLarge
			}
			if resp.StatusCode != want {
				t.Errorf("REST with Content-Length %d: %d %.300s, want %d", len(body), resp.StatusCode, answer, want)
			}
			if !sz.ok {
				if msg := checkRESTAnswer(resp.StatusCode, resp.Header, answer); msg != "" {
					t.Errorf("REST 413: %s: %s", msg, answer)
				}
				resp, answer = chunkedPost(t, e.httpURL+"/connectors/drafts", e.token, bytes.NewReader(body))
				if resp.StatusCode != http.StatusRequestEntityTooLarge {
					t.Errorf("REST chunked: %d %.300s, want 413", resp.StatusCode, answer)
				}
			}
			got := e.sim.Journal().Count("POST", "/connectors/drafts") - posts
			if wantPosts := map[bool]int{true: 2, false: 0}[sz.ok]; got != wantPosts {
				t.Errorf("the upstream received %d creates, want %d", got, wantPosts)
			}
		})
	}
}

func bigDraftJSON(key string, size int) map[string]any {
	return map[string]any{"key": key, "name": "n", "description": strings.Repeat("d", max(size-300, 1)),
		"integrationTypes": []string{"psp"}, "creator": map[string]any{"email": "dev@example.com"},
		"repository": map[string]any{"url": connectsim.RepoPayment, "tag": connectsim.TagV1}}
}

// chunkedPost sends body with chunked transfer encoding (no Content-Length).
func chunkedPost(t testing.TB, url, token string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), "POST", url, io.NopCloser(body))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// filler is an endless body of one byte, allocating nothing.
type filler struct{ n int64 }

func (f *filler) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), f.n)
	for i := range p[:n] {
		p[i] = 'a'
	}
	f.n -= n
	return int(n), nil
}

// rawCodec sends pre-marshalled bytes, so that the client allocates nothing
// per call and the heap measures the server.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	if b, ok := v.([]byte); ok {
		return b, nil
	}
	return proto.Marshal(v.(proto.Message))
}
func (rawCodec) Unmarshal(data []byte, v any) error { return proto.Unmarshal(data, v.(proto.Message)) }
func (rawCodec) Name() string                       { return "proto" }

var _ encoding.Codec = rawCodec{}

// allocated returns the bytes allocated while f ran and the growth of the
// live heap after it, both after a GC.
func allocated(f func()) (total, live int64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	total = int64(after.TotalAlloc - before.TotalAlloc)
	runtime.GC()
	runtime.ReadMemStats(&after)
	return total, int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

// TestRejectedBodyHeap: rejecting a 10 MiB request body costs the process
// under 2 MiB of allocation: with a Content-Length the REST face answers
// before reading the body, a chunked body is read only up to the limit,
// and gRPC rejects the message from its length prefix. Not parallel: the
// allocation counters are the whole process's.
func TestRejectedBodyHeap(t *testing.T) {
	e := newEnv(t)
	const size = 10 * mib
	msg, err := proto.Marshal(&connectv1.CreateConnectorStagedRequest{Draft: bigDraft("heap", size)})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		call func(t *testing.T)
	}{
		{"REST Content-Length", func(t *testing.T) {
			req, err := http.NewRequestWithContext(context.Background(), "POST", e.httpURL+"/connectors/drafts", &filler{size})
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = size
			req.Header.Set("Authorization", "Bearer "+e.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("status %d, want 413", resp.StatusCode)
			}
		}},
		{"REST chunked", func(t *testing.T) {
			resp, _ := chunkedPost(t, e.httpURL+"/connectors/drafts", e.token, &filler{size})
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("status %d, want 413", resp.StatusCode)
			}
		}},
		{"gRPC", func(t *testing.T) {
			out := &connectv1.CreateConnectorStagedResponse{}
			err := e.conn.Invoke(e.ctx(t), "/commercetools.connect.v1.ConnectorStagedService/CreateConnectorStaged", msg, out,
				grpc.ForceCodec(rawCodec{}))
			wantCode(t, err, codes.ResourceExhausted, "")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.call(t) // warm up connections and pools
			total, live := allocated(func() { c.call(t) })
			t.Logf("rejecting a %d MiB body: %.2f MiB allocated, live heap %+.2f MiB", size/mib, float64(total)/mib, float64(live)/mib)
			if total >= 2*mib {
				t.Errorf("rejecting a %d MiB body allocated %.2f MiB, want under 2 MiB", size/mib, float64(total)/mib)
			}
		})
	}
}

// TestResponseOverTheCap: an upstream answer over MaxResponseBytes, with a
// Content-Length or streamed without one, ends in RESOURCE_EXHAUSTED
// (RESPONSE_TOO_LARGE) over gRPC and a Connect 502 on the REST face, after
// reading at most the cap: 64 MiB answers cost a few MiB. Not parallel:
// the allocation counters are the whole process's.
func TestResponseOverTheCap(t *testing.T) {
	const limit = mib
	// An upstream of its own, without the harness's recorder, which would
	// keep what it sends.
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "-cl") {
			w.Header().Set("Content-Length", fmt.Sprint(64*mib))
		}
		chunk := bytes.Repeat([]byte(" "), 32*kib)
		_, _ = w.Write([]byte(`{"id":"x","description":"`))
		for range 64 * mib / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the gateway stopped reading
			}
		}
	}))
	t.Cleanup(up.Close)
	g := startGateway(t, gateway.Options{UpstreamURL: up.URL, MaxResponseBytes: limit})
	e := &env{conn: g.conn, httpURL: g.httpURL}
	client := connectv1.NewConnectorStagedServiceClient(e.conn)
	for _, key := range []string{"huge-cl", "huge-stream"} {
		t.Run(key, func(t *testing.T) {
			var err error
			total, _ := allocated(func() { _, err = client.GetConnectorStaged(t.Context(), getStaged(key)) })
			wantCode(t, err, codes.ResourceExhausted, "RESPONSE_TOO_LARGE")
			t.Logf("a 64 MiB answer over a %d MiB cap: %.2f MiB allocated", limit/mib, float64(total)/mib)
			if total > 4*limit {
				t.Errorf("%.2f MiB allocated, want at most 4 times the %d MiB cap", float64(total)/mib, limit/mib)
			}
			resp, body := doHTTP(t, "GET", e.httpURL+"/connectors/drafts/key="+key, "")
			if resp.StatusCode != http.StatusBadGateway {
				t.Errorf("REST: %d, want 502", resp.StatusCode)
			}
			if msg := checkRESTAnswer(resp.StatusCode, resp.Header, body); msg != "" {
				t.Errorf("REST: %s: %s", msg, body)
			}
		})
	}
}

// TestHeaderLimit: request headers up to 64 KiB are served; over it the
// REST face answers 431, as a Connect ErrorResponse up to the HTTP server's
// own slack and as the server's plain 431 beyond.
func TestHeaderLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createStaged(t, "hdr")
	for _, tt := range []struct {
		name   string
		value  int
		status int
		json   bool
	}{
		{"60KiB", 60 * kib, http.StatusOK, true},
		{"63KiB", 63 * kib, http.StatusOK, true},
		{"64KiB+1", 64*kib + 1, http.StatusRequestHeaderFieldsTooLarge, true},
		{"66KiB", 66 * kib, http.StatusRequestHeaderFieldsTooLarge, true},
		{"1MiB", mib, http.StatusRequestHeaderFieldsTooLarge, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(t.Context(), "GET", e.httpURL+"/connectors/drafts/key=hdr", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+e.token)
			req.Header.Set("X-Padding", strings.Repeat("p", tt.value))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.200s", resp.StatusCode, tt.status, body)
			}
			if tt.json && tt.status != http.StatusOK {
				if msg := checkRESTAnswer(resp.StatusCode, resp.Header, body); msg != "" {
					t.Errorf("%s: %s", msg, body)
				}
			}
		})
	}
}
