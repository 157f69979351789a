package gateway_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

const (
	inFlight  = 200
	callDelay = 200 * time.Millisecond
)

// shutdownRig is a simulator whose GETs of "slow" take callDelay and whose
// GETs of "hung" never end, with a token for passthrough calls.
type shutdownRig struct {
	sim   *connectsim.Simulator
	url   string
	token string
}

func newShutdownRig(t *testing.T) *shutdownRig {
	t.Helper()
	sim := connectsim.New(connectsim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { sim.Close(); srv.Close() })
	tok, err := sim.Token(context.Background(), connectsim.DefaultClient())
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(bigDraftJSON("slow", 1000))
	if err != nil {
		t.Fatal(err)
	}
	if resp, answer := doHTTP(t, "POST", srv.URL+"/connectors/drafts", string(body), "Authorization", "Bearer "+tok); resp.StatusCode != 201 {
		t.Fatalf("creating slow: %d %s", resp.StatusCode, answer)
	}
	for key, action := range map[string]connectsim.FaultAction{
		"slow": {Kind: connectsim.FaultDelay, Delay: connectsim.Duration(callDelay)},
		"hung": {Kind: connectsim.FaultHang},
	} {
		if _, err := sim.Faults().Add(connectsim.FaultRule{Method: "GET", Path: "/connectors/drafts/key=" + key, Action: action}); err != nil {
			t.Fatal(err)
		}
	}
	sim.Journal().Clear()
	return &shutdownRig{sim: sim, url: srv.URL, token: tok}
}

// drain is what a shutdown test observed.
type drain struct {
	notServing time.Time     // when the health watch saw NOT_SERVING
	lastDone   time.Time     // when the last of the in-flight calls ended
	ok         int           // in-flight calls that succeeded
	hungErr    error         // the hung call's result
	refused    error         // a new call's result after NOT_SERVING
	took       time.Duration // from the stop signal until the server was gone
}

// runDrain starts inFlight slow calls and one hung call through grpcAddr,
// waits until the simulator holds them all, opens a health watch, calls
// stop (which returns when the server is gone) and collects what happened.
func (r *shutdownRig) runDrain(t *testing.T, grpcAddr string, stop func()) drain {
	t.Helper()
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+r.token)
	watchCtx, cancelWatch := context.WithCancel(ctx)
	defer cancelWatch()
	watch, err := healthpb.NewHealthClient(conn).Watch(watchCtx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := watch.Recv(); err != nil || st.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health before shutdown: %v %v, want SERVING", st, err)
	}

	client := connectv1.NewConnectorStagedServiceClient(conn)
	var (
		d  drain
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for range inFlight {
		wg.Go(func() {
			_, err := client.GetConnectorStaged(ctx, getStaged("slow"))
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				d.ok++
			} else {
				t.Errorf("in-flight call: %v", err)
			}
			d.lastDone = time.Now()
		})
	}
	hungDone := make(chan error, 1)
	go func() {
		_, err := client.GetConnectorStaged(ctx, getStaged("hung"))
		hungDone <- err
	}()
	waitCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := r.sim.Journal().Wait(waitCtx, "GET", "/connectors/drafts/key=*", inFlight+1); err != nil {
		t.Fatal(err)
	}

	notServing := make(chan time.Time, 1)
	go func() {
		for {
			st, err := watch.Recv()
			if err != nil {
				close(notServing)
				return
			}
			if st.GetStatus() == healthpb.HealthCheckResponse_NOT_SERVING {
				notServing <- time.Now()
				return
			}
		}
	}()
	start := time.Now()
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()

	if at, ok := <-notServing; ok {
		d.notServing = at
		// A new call, on a new connection: refused once the server has
		// stopped accepting, a moment after NOT_SERVING (a call that comes
		// in between is served, and the drain waits for it).
		for deadline := time.Now().Add(time.Second); ; {
			fresh, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
			_, d.refused = connectv1.NewConnectorStagedServiceClient(fresh).GetConnectorStaged(rctx, getStaged("slow"))
			rcancel()
			fresh.Close()
			if status.Code(d.refused) == codes.Unavailable || time.Now().After(deadline) {
				break
			}
		}
	}
	wg.Wait()
	<-stopped
	d.took = time.Since(start)
	d.hungErr = <-hungDone
	return d
}

func (d drain) check(t *testing.T, drainTimeout time.Duration) {
	t.Helper()
	t.Logf("%d of %d in-flight calls completed; NOT_SERVING %v before the last one ended; stopped %v after the signal (drain timeout %v); the hung call: %v; a new call: %v",
		d.ok, inFlight, d.lastDone.Sub(d.notServing), d.took, drainTimeout, status.Code(d.hungErr), status.Code(d.refused))
	if d.ok != inFlight {
		t.Errorf("%d of %d in-flight calls completed", d.ok, inFlight)
	}
	if d.notServing.IsZero() {
		t.Error("the health watch never saw NOT_SERVING")
	} else if !d.notServing.Before(d.lastDone) {
		t.Errorf("health turned NOT_SERVING %v after the last in-flight call ended, want before", d.notServing.Sub(d.lastDone))
	}
	if status.Code(d.refused) != codes.Unavailable {
		t.Errorf("a new call during the drain: %v, want UNAVAILABLE (refused)", d.refused)
	}
	if d.hungErr == nil {
		t.Error("the hung call succeeded")
	}
	if d.took > drainTimeout+time.Second {
		t.Errorf("stopping took %v, want within the %v drain timeout", d.took, drainTimeout)
	}
}

// TestGracefulShutdown cancels Serve's context with 200 calls of 200 ms in
// flight and one hung call: health turns NOT_SERVING first, new calls are
// refused, the 200 complete, and Serve returns within the drain timeout.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	const drainTimeout = 2 * time.Second
	rig := newShutdownRig(t)
	g := startGateway(t, gateway.Options{UpstreamURL: rig.url, DrainTimeout: drainTimeout})
	d := rig.runDrain(t, g.conn.CanonicalTarget(), func() {
		if err := g.stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	d.check(t, drainTimeout)
}

// TestGracefulShutdownWithoutHungCalls: with nothing hung, a watch of the
// health service open does not hold the drain until its timeout.
func TestGracefulShutdownWithoutHungCalls(t *testing.T) {
	t.Parallel()
	rig := newShutdownRig(t)
	g := startGateway(t, gateway.Options{UpstreamURL: rig.url, DrainTimeout: 10 * time.Second})
	conn := g.conn
	watch, err := healthpb.NewHealthClient(conn).Watch(t.Context(), &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := watch.Recv(); err != nil {
		t.Fatal(err)
	}
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+rig.token)
	if _, err := connectv1.NewConnectorStagedServiceClient(conn).GetConnectorStaged(ctx, getStaged("slow")); err != nil {
		t.Fatal(err)
	}
	if err := g.stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(g.logs.String(), "drain timeout") {
		t.Errorf("the drain ran into its timeout with no call in flight (an open health watch held it):\n%s", g.logs.String())
	}
}

// TestSIGTERM runs the real binary in front of a simulator and sends it
// SIGTERM with 200 calls of 200 ms and one hung call in flight: health turns
// NOT_SERVING first, new calls are refused, the 200 complete and the
// process exits 0 within its drain timeout.
func TestSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds cmd/connect-gateway and holds calls for seconds; make test runs it (no -short)")
	}
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command builds the binary under test: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "connect-gateway")
	build := exec.Command(goTool, "build", "-o", bin, "github.com/connect-gateway/connect-gateway/cmd/connect-gateway")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building cmd/connect-gateway: %v\n%s", err, out)
	}
	const drainTimeout = 2 * time.Second
	rig := newShutdownRig(t)
	grpcAddr, httpAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(bin, "--upstream", rig.url, "--auth", "passthrough", "--grpc-addr", grpcAddr, "--http-addr", httpAddr,
		"--drain-timeout", drainTimeout.String(), "--log-format", "json")
	var logs lockedWriter
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	var exitErr error
	d := rig.runDrain(t, grpcAddr, func() {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Error(err)
		}
		select {
		case exitErr = <-exited:
		case <-time.After(drainTimeout + 10*time.Second):
			t.Error("the process did not exit")
		}
	})
	d.check(t, drainTimeout)
	if exitErr != nil {
		t.Errorf("exit: %v\n%s", exitErr, logs.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] != nil && rec["msg"] != "call" {
			t.Logf("gateway: %s %v", rec["msg"], rec["timeout"])
		}
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
