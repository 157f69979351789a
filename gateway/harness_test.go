package gateway_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	"github.com/connect-gateway/connect-gateway/gateway/upstream"
)

// env is a gateway in front of a simulator, both on loopback sockets.
type env struct {
	sim      *connectsim.Simulator
	simURL   string
	httpURL  string
	conn     *grpc.ClientConn
	token    string // a token of the default client, for passthrough calls
	recorder *recorder
	logs     *lockedWriter
	gw       *gateway.Gateway
	stop     func() // stops the gateway and waits for Serve to return
}

type envOption func(*envConfig)

// envConfig is what options change before an env starts.
type envConfig struct {
	gw   gateway.Options
	sim  connectsim.Options
	wrap func(http.Handler) http.Handler // around the simulator, when set
}

// withClientCredentials makes the gateway hold the simulator's demo client.
func withClientCredentials() envOption {
	return func(c *envConfig) { c.gw.Auth = gateway.AuthClientCredentials }
}

func withGateway(f func(*gateway.Options)) envOption {
	return func(c *envConfig) { f(&c.gw) }
}

func withSim(f func(*connectsim.Options)) envOption {
	return func(c *envConfig) { f(&c.sim) }
}

// withUpstream wraps the simulator's handler, to misbehave in ways its
// fault API does not offer (apply a write, then fail).
func withUpstream(wrap func(http.Handler) http.Handler) envOption {
	return func(c *envConfig) { c.wrap = wrap }
}

// newEnv starts a simulator (with a manual clock) and a gateway in front of
// it, in passthrough mode unless an option says otherwise.
func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	simOpts := connectsim.Options{Clock: connectsim.NewManualClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))}
	logs := &lockedWriter{}
	gwOpts := gateway.Options{
		Reflection:   true,
		DrainTimeout: 5 * time.Second,
		Logger:       slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	cfg := envConfig{gw: gwOpts, sim: simOpts}
	for _, o := range opts {
		o(&cfg)
	}
	gwOpts, simOpts = cfg.gw, cfg.sim
	sim := connectsim.New(simOpts)
	var upstreamHandler http.Handler = sim
	if cfg.wrap != nil {
		upstreamHandler = cfg.wrap(sim)
	}
	rec := &recorder{next: upstreamHandler, bodies: map[string][]byte{}}
	simSrv := httptest.NewServer(rec)
	// Closing the simulator first releases its hanging faults, which the
	// server's Close would otherwise wait for.
	t.Cleanup(func() { sim.Close(); simSrv.Close() })

	e := &env{sim: sim, simURL: simSrv.URL, recorder: rec, logs: logs}
	gwOpts.UpstreamURL = simSrv.URL
	if gwOpts.Auth == gateway.AuthClientCredentials && gwOpts.Credentials == nil {
		demo := connectsim.DefaultClient()
		cc, err := upstream.NewClientCredentials(upstream.ClientCredentialsConfig{
			ClientID: demo.ID, ClientSecret: demo.Secret, TokenURL: simSrv.URL + "/oauth/token", Scopes: []string{"manage_project:demo"},
		})
		if err != nil {
			t.Fatal(err)
		}
		gwOpts.Credentials = cc
	}
	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gwOpts.GRPCListener, gwOpts.HTTPListener = gl, hl
	gw, err := gateway.New(gwOpts)
	if err != nil {
		t.Fatal(err)
	}
	e.gw = gw
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- gw.Serve(ctx) }()
	var once sync.Once
	e.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(e.stop)
	e.httpURL = "http://" + hl.Addr().String()
	e.conn, err = grpc.NewClient(gl.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.conn.Close() })
	e.token, err = sim.Token(context.Background(), connectsim.DefaultClient())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// ctx returns a context carrying the env's bearer token as gRPC metadata.
func (e *env) ctx(t testing.TB) context.Context {
	return metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+e.token)
}

// rest sends a request to the REST face with the env's token.
func (e *env) rest(t testing.TB, method, path, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	return doHTTP(t, method, e.httpURL+path, body, append([]string{"Authorization", "Bearer " + e.token}, header...)...)
}

// direct sends the same request to the simulator.
func (e *env) direct(t testing.TB, method, path, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	return doHTTP(t, method, e.simURL+path, body, append([]string{"Authorization", "Bearer " + e.token}, header...)...)
}

func doHTTP(t testing.TB, method, url, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
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

// recorder remembers the body of every simulator answer by the request's
// X-Correlation-ID, so tests can compare what the gateway returned with
// what the upstream sent.
type recorder struct {
	next   http.Handler
	mu     sync.Mutex
	bodies map[string][]byte
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	cw := &captureWriter{ResponseWriter: w}
	r.next.ServeHTTP(cw, req)
	if id := req.Header.Get("X-Correlation-ID"); id != "" {
		r.mu.Lock()
		r.bodies[id] = cw.body.Bytes()
		r.mu.Unlock()
	}
}

// upstreamBody returns the body the simulator answered the request with
// correlation id id.
func (r *recorder) upstreamBody(id string) ([]byte, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.bodies[id]
	return b, ok
}

type captureWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (c *captureWriter) Write(b []byte) (int, error) {
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// lockedWriter collects log output written from many goroutines.
type lockedWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
