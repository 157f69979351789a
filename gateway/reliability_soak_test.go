package gateway_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// soakConfig is read from the environment: CONNECT_SOAK=1 turns the soak
// on, CONNECT_SOAK_DURATION (default 60s) and CONNECT_SOAK_RATE (calls per
// second, default 200) shape it.
type soakConfig struct {
	duration time.Duration
	rate     int
}

func soakFromEnv(t *testing.T) soakConfig {
	if os.Getenv("CONNECT_SOAK") != "1" {
		t.Skip("holds load for a minute, too long for make test: run with CONNECT_SOAK=1 (make soak)")
	}
	c := soakConfig{duration: time.Minute, rate: 200}
	if v := os.Getenv("CONNECT_SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("CONNECT_SOAK_DURATION: %v", err)
		}
		c.duration = d
	}
	if v := os.Getenv("CONNECT_SOAK_RATE"); v != "" {
		r, err := strconv.Atoi(v)
		if err != nil || r <= 0 {
			t.Fatalf("CONNECT_SOAK_RATE %q: want a positive integer", v)
		}
		c.rate = r
	}
	return c
}

// TestSoak holds a fixed rate of mixed calls (gRPC and REST; reads,
// queries, updates, creates and deletes) against the simulator through the
// gateway: no call may fail, the latency percentiles are logged (measured
// from when each call was due, so a stall is not hidden), and goroutines
// and the live heap come back to their baseline afterwards.
func TestSoak(t *testing.T) {
	cfg := soakFromEnv(t)
	// A simulator and a gateway without the harness's recorder and log
	// capture, which keep everything.
	sim := connectsim.New(connectsim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { sim.Close(); srv.Close() })
	g := startGateway(t, gateway.Options{UpstreamURL: srv.URL, Logger: discard})
	tok, err := sim.Token(t.Context(), connectsim.DefaultClient())
	if err != nil {
		t.Fatal(err)
	}
	s := newSoak(t, &env{sim: sim, conn: g.conn, httpURL: g.httpURL, token: tok})

	s.run(t, time.Second, cfg.rate) // warm up pools and connections
	goBefore, heapBefore := settle(srv, sim, 0)
	lat, errs := s.run(t, cfg.duration, cfg.rate)
	goAfter, heapAfter := settle(srv, sim, goBefore)

	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
	t.Logf("soak: %d calls in %v at %d/s, %d errors; latency p50 %v, p90 %v, p99 %v, p99.9 %v, max %v",
		len(lat), cfg.duration, cfg.rate, errs, pct(0.50), pct(0.90), pct(0.99), pct(0.999), lat[len(lat)-1])
	t.Logf("soak: goroutines %d before, %d after; live heap %.2f MiB before, %.2f MiB after",
		goBefore, goAfter, float64(heapBefore)/mib, float64(heapAfter)/mib)
	if errs != 0 {
		t.Errorf("%d of %d calls failed", errs, len(lat))
	}
	if goAfter > goBefore+2 {
		t.Errorf("%d goroutines after the soak, %d before", goAfter, goBefore)
	}
	if heapAfter > heapBefore+4*mib {
		t.Errorf("live heap grew from %.2f MiB to %.2f MiB", float64(heapBefore)/mib, float64(heapAfter)/mib)
	}
}

// settle empties the simulator's journal (the fixture's memory, not the
// gateway's), closes the idle connections to the gateway and the
// simulator's connections, gives their goroutines up to two seconds to end (until no
// more than want remain, when want > 0), collects garbage and returns the
// goroutine count and the live heap.
func settle(srv *httptest.Server, sim *connectsim.Simulator, want int) (goroutines int, heap uint64) {
	sim.Journal().Clear()
	http.DefaultClient.CloseIdleConnections()
	srv.CloseClientConnections()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if want > 0 && runtime.NumGoroutine() <= want {
			break
		}
	}
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}

// soak is the workload: ten keys to read, five to update (one updater at a
// time per key, so that no call meets a ConcurrentModification), and
// fresh keys to create and delete.
type soak struct {
	e      *env
	client connectv1.ConnectorStagedServiceClient
	upd    [5]struct {
		sync.Mutex
		version int32
	}
	created atomic.Int64
}

func newSoak(t *testing.T, e *env) *soak {
	s := &soak{e: e, client: connectv1.NewConnectorStagedServiceClient(e.conn)}
	for i := range 10 {
		e.createStaged(t, fmt.Sprintf("soak-read-%d", i))
	}
	for i := range s.upd {
		s.upd[i].version = e.createStaged(t, fmt.Sprintf("soak-upd-%d", i)).GetVersion()
	}
	return s
}

// run starts rate calls per second for d and waits for them; it returns
// each call's latency from when it was due, and the number of failures.
func (s *soak) run(t *testing.T, d time.Duration, rate int) ([]time.Duration, int) {
	n := int(d.Seconds() * float64(rate))
	lat := make([]time.Duration, n)
	var errs atomic.Int64
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(due)) // pacing the generator, not synchronising
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(s.e.ctx(t), 10*time.Second)
			defer cancel()
			if err := s.call(ctx, i); err != nil {
				if errs.Add(1) <= 5 {
					t.Errorf("call %d: %v", i, err)
				}
			}
			lat[i] = time.Since(due)
		})
	}
	wg.Wait()
	return lat, int(errs.Load())
}

// call makes the i-th call of the mix.
func (s *soak) call(ctx context.Context, i int) error {
	switch i % 10 {
	case 0, 1, 2, 3:
		_, err := s.client.GetConnectorStaged(ctx, getStaged(fmt.Sprintf("soak-read-%d", i%10)))
		return err
	case 4, 5:
		return s.restGet(ctx, fmt.Sprintf("/connectors/drafts/key=soak-read-%d", i%7))
	case 6:
		_, err := s.client.QueryConnectorStaged(ctx, &connectv1.QueryConnectorStagedRequest{Limit: proto.Int32(5)})
		return err
	case 7:
		u := &s.upd[(i/10)%len(s.upd)]
		if !u.TryLock() {
			_, err := s.client.GetConnectorStaged(ctx, getStaged("soak-read-0"))
			return err
		}
		defer u.Unlock()
		resp, err := s.client.UpdateConnectorStaged(ctx, &connectv1.UpdateConnectorStagedRequest{
			Ref:     &connectv1.UpdateConnectorStagedRequest_Key{Key: fmt.Sprintf("soak-upd-%d", (i/10)%len(s.upd))},
			Version: u.version,
			Actions: []*connectv1.ConnectorStagedUpdateAction{{Action: &connectv1.ConnectorStagedUpdateAction_SetName{
				SetName: &connectv1.ConnectorStagedSetNameAction{Name: fmt.Sprintf("name %d", i)}}}},
		})
		if err != nil {
			return err
		}
		u.version = resp.GetConnectorStaged().GetVersion()
		return nil
	case 8:
		key := fmt.Sprintf("soak-new-%d", s.created.Add(1))
		if _, err := s.client.CreateConnectorStaged(ctx, &connectv1.CreateConnectorStagedRequest{Draft: stagedDraft(key)}); err != nil {
			return err
		}
		_, err := s.client.DeleteConnectorStaged(ctx, &connectv1.DeleteConnectorStagedRequest{Ref: &connectv1.DeleteConnectorStagedRequest_Key{Key: key}})
		return err
	default:
		return s.restGet(ctx, "/connectors/drafts?limit=5")
	}
}

// restGet sends a GET to the REST face; any status but 200 is an error.
func (s *soak) restGet(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.e.httpURL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return nil
}
