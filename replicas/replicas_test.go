package replicas

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

const (
	// maxAge is the replicas' --grpc-max-connection-age in this test.
	maxAge = 2 * time.Second
	// rate is the load, in calls per second.
	rate = 200
	// callTimeout is each call's deadline.
	callTimeout = 3 * time.Second
)

// rig is one connect-sim process, up to four gateway replicas on it, and
// nginx and HAProxy in front of them.
type rig struct {
	root     *testing.T // owns the processes
	t        *testing.T // the test running now
	dir      string
	bin      string // folder of the built binaries
	simURL   string
	replicas [4]*replica
	nginx    string // nginx's gRPC address (L7)
	nginxLog *bytes.Buffer
	haproxy  string        // HAProxy's address (L4, TCP mode)
	age      time.Duration // the max connection age replicas start with
}

// scaleUp starts the fourth replica while load runs through addr over 8
// client connections, and returns its share of the calls served in the
// twice the max connection age after it was ready, and in the second half
// of that (when every connection older than the replica has reached its
// age).
func (r *rig) scaleUp(addr string) (share, late float64, res result) {
	r.t.Helper()
	half := maxAge + maxAge/10 + 100*time.Millisecond // the age, its jitter, and a margin
	res = r.load(addr, 8, func() {
		time.Sleep(time.Second) // every connection is open and serving
		r.start(3)
		started := r.served()
		time.Sleep(half)
		mid := r.served()
		time.Sleep(2*maxAge - half)
		end := r.served()
		share, late = fraction(started, end), fraction(mid, end)
	})
	return share, late, res
}

// replica is one gateway process and the ports it keeps across restarts.
type replica struct {
	grpcAddr, httpAddr string
	cmd                *exec.Cmd
	exited             chan struct{} // closed when the process has exited
	logs               *bytes.Buffer
}

func TestReplicasBehindProxies(t *testing.T) {
	if os.Getenv("CONNECT_REPLICAS") == "" {
		t.Skip("run by `make test-replicas` (installs nginx and HAProxy, sets CONNECT_REPLICAS=1)")
	}
	for _, tool := range []string{"nginx", "haproxy"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: `make proxies` installs it", tool)
		}
	}
	r := newRig(t)
	for i := range 3 {
		r.start(i)
	}
	r.startNginx()
	r.startHAProxy()

	t.Run("rolling restart through nginx loses no call", func(t *testing.T) {
		r.t = t
		// Calls take 100 ms, so that each replica has calls in flight when
		// it is told to stop.
		r.fault(`{"method":"GET","path":"/connectors/drafts","action":{"kind":"delay","delay":"100ms"}}`)
		defer r.clearFaults()
		var inFlight []int
		res := r.load(r.nginx, 1, func() {
			for i := range 3 {
				time.Sleep(500 * time.Millisecond)
				inFlight = append(inFlight, r.inFlight(i))
				r.stop(i, syscall.SIGTERM)
				r.start(i)
			}
		})
		t.Logf("rolling restart of 3 replicas at %d calls/s, calls taking 100 ms (%v in flight on each when stopped): %s", rate, inFlight, res)
		if res.failed() > 0 {
			t.Errorf("%d calls failed during the rolling restart: %v; nginx says:\n%s", res.failed(), res.codes, r.nginxLog)
		}
	})

	for _, proxy := range []struct{ name, addr string }{{"HAProxy TCP (L4)", r.haproxy}, {"nginx (L7)", r.nginx}} {
		t.Run("a fourth replica takes new calls through "+proxy.name, func(t *testing.T) {
			r.t = t
			share, late, res := r.scaleUp(proxy.addr)
			t.Logf("through %s at %d calls/s over 8 connections: the 4th replica took %.1f %% of the calls in the 2×max-age (%v) after it was ready, %.1f %% in the second half; %s",
				proxy.name, rate, 100*share, 2*maxAge, 100*late, res)
			if share < 0.15 {
				t.Errorf("the 4th replica took %.1f %% of the calls within 2×max-age, want at least 15 %%", 100*share)
			}
			if res.failed() > 0 {
				t.Errorf("%d calls failed: %v", res.failed(), res.codes)
			}
			r.stop(3, syscall.SIGTERM)
		})
	}

	t.Run("a replica killed costs at most its calls in flight", func(t *testing.T) {
		r.t = t
		r.fault(`{"method":"GET","path":"/connectors/drafts","action":{"kind":"delay","delay":"300ms"}}`)
		defer r.clearFaults()
		var inFlight int
		res := r.load(r.nginx, 1, func() {
			time.Sleep(time.Second)
			// The replica's in-flight gauge, plus the calls that may reach
			// it between reading the gauge and the kill (every call sent
			// in that gap, at most): the calls in flight on it when killed.
			start := time.Now()
			inFlight = r.inFlight(0)
			_ = r.replicas[0].cmd.Process.Signal(syscall.SIGKILL)
			inFlight += int(math.Ceil(rate * time.Since(start).Seconds()))
			time.Sleep(time.Second)
			r.start(0)
		})
		t.Logf("SIGKILL of 1 of 3 replicas at %d calls/s, calls taking 300 ms: %d calls failed of the %d in flight on it; %s",
			rate, res.failed(), inFlight, res)
		if res.failed() > inFlight {
			t.Errorf("%d calls failed, more than the %d in flight on the killed replica", res.failed(), inFlight)
		}
		for c, n := range res.codes {
			if c != codes.OK && c != codes.Unavailable {
				t.Errorf("%d calls failed with %v, want UNAVAILABLE (retryable)", n, c)
			}
		}
		if res.slowest >= callTimeout {
			t.Errorf("a call took %v, up to its deadline (%v): it hung", res.slowest, callTimeout)
		}
	})

	t.Run("without a max connection age, HAProxy TCP keeps clients off a fourth replica", func(t *testing.T) {
		r.t = t
		r.age = -1 // the gateway's "never"
		for i := range 3 {
			r.stop(i, syscall.SIGTERM)
			r.start(i)
		}
		share, _, res := r.scaleUp(r.haproxy)
		t.Logf("through HAProxy TCP (L4) without a max connection age: the 4th replica took %.1f %% of the calls in the 2×%v after it was ready; %s",
			100*share, maxAge, res)
		if share > 0.05 {
			t.Errorf("the 4th replica took %.1f %% without a max connection age: the test does not show what the age is for", 100*share)
		}
		r.stop(3, syscall.SIGTERM)
	})
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{root: t, t: t, dir: t.TempDir(), age: maxAge}
	r.bin = filepath.Join(r.dir, "bin")
	for _, cmd := range []string{"connect-gateway", "connect-sim"} {
		build := exec.Command("go", "build", "-o", filepath.Join(r.bin, cmd), "./cmd/"+cmd)
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", cmd, err, out)
		}
	}
	simAddr := freeAddr(t)
	r.simURL = "http://" + simAddr
	sim := exec.Command(filepath.Join(r.bin, "connect-sim"), "--addr", simAddr, "--seed")
	r.run(sim, &bytes.Buffer{})
	r.waitHTTP(r.simURL + "/_sim/faults")
	for i := range r.replicas {
		r.replicas[i] = &replica{grpcAddr: freeAddr(t), httpAddr: freeAddr(t)}
	}
	return r
}

// freeAddr returns a loopback address no one listens on now. The
// processes given it listen on it a moment later; the kernel does not
// hand out a port just released again so soon.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// run starts cmd, its output into logs, and stops it when the test ends.
func (r *rig) run(cmd *exec.Cmd, logs *bytes.Buffer) chan struct{} {
	r.t.Helper()
	cmd.Stdout, cmd.Stderr = &lockedBuffer{b: logs}, &lockedBuffer{b: logs}
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("starting %s: %v", cmd.Path, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait() // a replica killed or stopped exits with an error
		close(exited)
	}()
	r.root.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	return exited
}

// start starts replica i and waits until it is ready.
func (r *rig) start(i int) {
	r.t.Helper()
	rep := r.replicas[i]
	rep.logs = &bytes.Buffer{}
	rep.cmd = exec.Command(filepath.Join(r.bin, "connect-gateway"),
		"--grpc-addr", rep.grpcAddr, "--http-addr", rep.httpAddr,
		"--upstream", r.simURL, "--auth", "client-credentials",
		"--grpc-max-connection-age", r.age.String(), "--grpc-max-connection-age-grace", "5s",
		"--drain-timeout", "5s", "--log-level", "warn")
	rep.cmd.Env = append(os.Environ(), "CTP_CLIENT_ID=connect-sim", "CTP_CLIENT_SECRET=connect-sim-secret",
		"CTP_AUTH_URL="+r.simURL, "CTP_SCOPES=manage_project:demo")
	rep.exited = r.run(rep.cmd, rep.logs)
	r.waitHTTP("http://" + rep.httpAddr + "/readyz")
}

// stop sends sig to replica i and waits for it to exit.
func (r *rig) stop(i int, sig syscall.Signal) {
	r.t.Helper()
	if err := r.replicas[i].cmd.Process.Signal(sig); err != nil {
		r.t.Fatalf("signalling replica %d: %v", i, err)
	}
	r.wait(i)
}

// wait waits for replica i to exit.
func (r *rig) wait(i int) {
	r.t.Helper()
	rep := r.replicas[i]
	select {
	case <-rep.exited:
	case <-time.After(15 * time.Second):
		r.t.Fatalf("replica %d did not exit; its log:\n%s", i, rep.logs)
	}
}

// waitHTTP polls url until it answers 200.
func (r *rig) waitHTTP(url string) {
	r.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%s not ready: %v", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// metric sums the samples of a Prometheus series on replica i's /metrics.
func (r *rig) metric(i int, name string) float64 {
	resp, err := http.Get("http://" + r.replicas[i].httpAddr + "/metrics")
	if err != nil {
		return 0 // a replica not running has served nothing since
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		if v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64); err == nil {
			sum += v
		}
	}
	return sum
}

// served returns the calls each replica has served.
func (r *rig) served() [4]float64 {
	var n [4]float64
	for i := range n {
		n[i] = r.metric(i, "connect_gateway_requests_total")
	}
	return n
}

// inFlight returns the calls replica i is serving, from its metrics.
func (r *rig) inFlight(i int) int {
	return int(r.metric(i, "connect_gateway_calls_in_flight"))
}

// fraction is the 4th replica's share of the calls served between a and b.
func fraction(a, b [4]float64) float64 {
	var total float64
	for i := range a {
		total += b[i] - a[i]
	}
	if total == 0 {
		return 0
	}
	return (b[3] - a[3]) / total
}

func (r *rig) fault(rule string) {
	r.t.Helper()
	resp, err := http.Post(r.simURL+"/_sim/faults", "application/json", strings.NewReader(rule))
	if err != nil || resp.StatusCode >= 300 {
		r.t.Fatalf("adding fault: %v %v", err, resp)
	}
	resp.Body.Close()
}

func (r *rig) clearFaults() {
	req, _ := http.NewRequest(http.MethodDelete, r.simURL+"/_sim/faults", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

var nginxConf = template.Must(template.New("nginx").Parse(`
daemon off;
master_process off;
worker_processes 1;
pid {{.Dir}}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path {{.Dir}}/client_body;
	proxy_temp_path {{.Dir}}/proxy;
	fastcgi_temp_path {{.Dir}}/fastcgi;
	uwsgi_temp_path {{.Dir}}/uwsgi;
	scgi_temp_path {{.Dir}}/scgi;
	upstream gateways {
{{- range .Backends}}
		server {{.}} max_fails=0;
{{- end}}
		keepalive 32;
	}
	server {
		listen {{.Listen}} http2;
		location / {
			grpc_pass grpc://gateways;
			grpc_next_upstream error timeout;
		}
	}
}
`))

var haproxyConf = template.Must(template.New("haproxy").Parse(`
global
	maxconn 4096
defaults
	mode tcp
	timeout connect 1s
	timeout client 1m
	timeout server 1m
frontend gateways
	bind {{.Listen}}
	default_backend replicas
backend replicas
	balance roundrobin
{{- range $i, $b := .Backends}}
	server r{{$i}} {{$b}} check inter 200ms rise 1 fall 1
{{- end}}
`))

type proxyConf struct {
	Dir, Listen string
	Backends    []string
}

func (r *rig) conf(tmpl *template.Template, name string) (string, proxyConf) {
	r.t.Helper()
	c := proxyConf{Dir: r.dir, Listen: freeAddr(r.t)}
	for _, rep := range r.replicas {
		c.Backends = append(c.Backends, rep.grpcAddr)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, c); err != nil {
		r.t.Fatal(err)
	}
	path := filepath.Join(r.dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		r.t.Fatal(err)
	}
	return path, c
}

func (r *rig) startNginx() {
	r.t.Helper()
	path, c := r.conf(nginxConf, "nginx.conf")
	r.nginxLog = &bytes.Buffer{}
	r.run(exec.Command("nginx", "-p", r.dir, "-c", path), r.nginxLog)
	r.nginx = c.Listen
	r.waitTCP(c.Listen)
}

func (r *rig) startHAProxy() {
	r.t.Helper()
	path, c := r.conf(haproxyConf, "haproxy.cfg")
	r.run(exec.Command("haproxy", "-db", "-f", path), &bytes.Buffer{})
	r.haproxy = c.Listen
	r.waitTCP(c.Listen)
}

func (r *rig) waitTCP(addr string) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%s does not accept connections: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// result is what a load run saw.
type result struct {
	calls   int
	codes   map[codes.Code]int
	slowest time.Duration
}

func (res result) failed() int { return res.calls - res.codes[codes.OK] }

func (res result) String() string {
	return fmt.Sprintf("%d calls, %d failed, slowest %v", res.calls, res.failed(), res.slowest.Round(time.Millisecond))
}

// load sends QueryConnectorStaged calls at rate per second to addr, spread
// over conns client connections, while during runs, and for half a second
// after; it returns when every call has ended.
func (r *rig) load(addr string, conns int, during func()) result {
	r.t.Helper()
	clients := make([]connectv1.ConnectorStagedServiceClient, conns)
	for i := range clients {
		cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			r.t.Fatal(err)
		}
		defer cc.Close()
		clients[i] = connectv1.NewConnectorStagedServiceClient(cc)
	}
	var (
		mu  sync.Mutex
		res = result{codes: map[codes.Code]int{}}
		wg  sync.WaitGroup
	)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Second / rate)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			r.call(clients[n%conns], &mu, &res, &wg)
		}
	}()
	during() // here, so that it may fail the test
	time.Sleep(500 * time.Millisecond)
	close(stop)
	<-stopped
	wg.Wait()
	return res
}

// call makes one call in the background and records its outcome in res.
func (r *rig) call(client connectv1.ConnectorStagedServiceClient, mu *sync.Mutex, res *result, wg *sync.WaitGroup) {
	wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		start := time.Now()
		_, err := client.QueryConnectorStaged(ctx, &connectv1.QueryConnectorStagedRequest{})
		took := time.Since(start)
		mu.Lock()
		defer mu.Unlock()
		res.calls++
		res.codes[status.Code(err)]++
		res.slowest = max(res.slowest, took)
	})
}

// lockedBuffer lets a process's stdout and stderr share one buffer.
type lockedBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
