package bench

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
)

// BenchmarkInFlightGateway is P5 for the gateway alone: the connect-gateway
// binary in a process of its own, in front of the rig's upstream, takes the
// burst of [BenchmarkInFlight] on each face, and its heap is read from its
// own Go profiles (--debug-addr, /debug/pprof/heap after two GCs) before
// the burst and when all 1,000 calls are in flight at the upstream. Neither
// the benchmark's clients nor the upstream are in the figure:
//
//   - heap-MiB, stack-MiB: growth of the gateway process's HeapInuse and
//     StackInuse;
//
//   - goroutines-peak: its goroutines above its baseline at that moment;
//
//   - goroutines-after: above the baseline once the upstream closed its
//     connections and the callers closed theirs.
//
//     go test -run '^$' -bench InFlightGateway -benchtime 2x -count 5 ./bench
//
// With -inflight.heapprofiles=DIR it also saves the gateway's heap profile
// (proto, /debug/pprof/heap?gc=1 after the two GCs of each reading) before
// and at the peak of each face's last burst, as DIR/{grpc,rest}-base.pb.gz
// and DIR/{grpc,rest}-peak.pb.gz, and starts the gateway with
// GODEBUG=memprofilerate=1, so that the profiles record every allocation.
// The heap-MiB of such a run is not the P5 figure: the sampling changes the
// process it measures (it keeps a record per allocation and slows every
// one); what the run is for is the profiles' difference in use, divided by
// owner with internal/cmd/profowners. A process's first burst allocates
// its goroutines' descriptors (runtime.malg) and later bursts reuse them,
// as in the P5 runs, so take the profiles of a second burst:
//
//	go test -run '^$' -bench InFlightGateway -benchtime 2x -count 1 ./bench -args -inflight.heapprofiles=/tmp/p5
//	go tool pprof -traces -sample_index=inuse_space -diff_base /tmp/p5/rest-base.pb.gz /tmp/p5/rest-peak.pb.gz | \
//	  go run ./internal/cmd/profowners -calls 1000
func BenchmarkInFlightGateway(b *testing.B) {
	bin := buildGateway(b)
	for _, face := range []string{"grpc", "rest"} {
		b.Run("face="+face, func(b *testing.B) {
			r, err := Start(context.Background(), Options{
				Bodies:        rig.Bodies,
				UpstreamDelay: 200 * time.Millisecond,
				ClientConns:   inFlightCalls,
			})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			g := startGatewayProcess(b, bin, r.UpstreamURL)
			if *heapProfiles != "" {
				g.profiles = filepath.Join(*heapProfiles, face)
			}
			var call func(context.Context) error
			if face == "grpc" {
				cc, err := grpc.NewClient(g.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
				if err != nil {
					b.Fatal(err)
				}
				defer cc.Close()
				call = r.grpcCall(cc, ScenarioGet, codes.OK)
			} else {
				call = r.httpCall("http://"+g.httpAddr, ScenarioGet)
			}
			var m inFlightMetrics
			for b.Loop() {
				m = burst(b, r, call, g)
			}
			b.ReportMetric(m.heapMiB, "heap-MiB")
			b.ReportMetric(m.stackMiB, "stack-MiB")
			b.ReportMetric(float64(m.peak), "goroutines-peak")
			b.ReportMetric(float64(m.after), "goroutines-after")
		})
	}
}

// heapProfiles is the directory BenchmarkInFlightGateway saves the
// gateway's heap profiles in; none are saved when it is empty.
var heapProfiles = flag.String("inflight.heapprofiles", "",
	"directory for the gateway process's heap profiles of BenchmarkInFlightGateway (face-base.pb.gz, face-peak.pb.gz); the gateway then samples every allocation, and heap-MiB is not the P5 figure")

// buildGateway builds cmd/connect-gateway into the benchmark's temporary
// directory.
func buildGateway(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "connect-gateway")
	build := exec.Command("go", "build", "-o", bin, "./cmd/connect-gateway")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building connect-gateway: %v\n%s", err, out)
	}
	return bin
}

// gatewayProcess is a connect-gateway process the benchmark started.
type gatewayProcess struct {
	grpcAddr, httpAddr, debugAddr string
	// profiles, when set, is the path prefix memory saves heap profiles
	// under: profiles-base.pb.gz, profiles-peak.pb.gz.
	profiles string
}

// startGatewayProcess starts the gateway binary on upstream with room for
// the burst (upstream calls and streams per connection) and waits until it
// is ready; it is stopped when the benchmark ends.
func startGatewayProcess(b *testing.B, bin, upstream string) *gatewayProcess {
	b.Helper()
	g := &gatewayProcess{grpcAddr: freeAddr(b), httpAddr: freeAddr(b), debugAddr: freeAddr(b)}
	limit := strconv.Itoa(inFlightCalls)
	cmd := exec.Command(bin, "--grpc-addr", g.grpcAddr, "--http-addr", g.httpAddr, "--debug-addr", g.debugAddr,
		"--upstream", upstream, "--auth", "passthrough", "--log-level", "error", "--reflection=false",
		"--max-concurrent-upstream", limit, "--grpc-max-concurrent-streams", limit)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if *heapProfiles != "" {
		if err := os.MkdirAll(*heapProfiles, 0o755); err != nil {
			b.Fatal(err)
		}
		cmd.Env = append(os.Environ(), "GODEBUG=memprofilerate=1")
	}
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + g.httpAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return g
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("connect-gateway not ready on %s: %v", g.httpAddr, err)
		}
	}
}

// freeAddr returns a loopback address no one listens on now; the gateway
// process listens on it a moment later.
func freeAddr(b *testing.B) string {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

var (
	heapInuseRE  = regexp.MustCompile(`(?m)^# HeapInuse = (\d+)$`)
	stackInuseRE = regexp.MustCompile(`(?m)^# Stack = (\d+) /`) // StackInuse / StackSys
	goroutinesRE = regexp.MustCompile(`^goroutine profile: total (\d+)`)
)

// memory reads the gateway's HeapInuse and StackInuse from its heap
// profile, after two GCs (the second frees what sync.Pool kept from before
// the first; see fullGC), and saves the profile itself if g.profiles is
// set.
func (g *gatewayProcess) memory(b *testing.B, moment string) (heap, stack int64) {
	b.Helper()
	var text []byte
	for range 2 {
		text = g.get(b, "/debug/pprof/heap?gc=1&debug=1")
	}
	if g.profiles != "" {
		if err := os.WriteFile(g.profiles+"-"+moment+".pb.gz", g.get(b, "/debug/pprof/heap?gc=1"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return memStat(b, heapInuseRE, text), memStat(b, stackInuseRE, text)
}

func memStat(b *testing.B, re *regexp.Regexp, profile []byte) int64 {
	b.Helper()
	m := re.FindSubmatch(profile)
	if m == nil {
		b.Fatalf("no %s in the gateway's heap profile", re)
	}
	n, err := strconv.ParseInt(string(m[1]), 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

func (g *gatewayProcess) separate() bool { return true }

// goroutines reads the gateway's goroutine count.
func (g *gatewayProcess) goroutines(b *testing.B) int {
	b.Helper()
	line, _ := bufio.NewReader(bytes.NewReader(g.get(b, "/debug/pprof/goroutine?debug=1"))).ReadString('\n')
	m := goroutinesRE.FindStringSubmatch(line)
	if m == nil {
		b.Fatalf("no goroutine total in %q", line)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func (g *gatewayProcess) get(b *testing.B, path string) []byte {
	b.Helper()
	resp, err := http.Get("http://" + g.debugAddr + path)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
	}
	return body
}
