// Command profowners divides a CPU profile's samples by owner, to say whose
// code a call's time goes to: the gateway's packages, net/http, grpc-go (with
// x/net/http2), protobuf-go, the benchmark's own code, the garbage
// collector's background work, or the rest (scheduler, netpoll, system calls
// outside any of these). Each sample goes to the owner of its leaf-most frame
// that has one, so time in the runtime (an allocation, a write barrier) counts
// for the code that caused it; samples under the collector's background
// workers are the collector's. It reads the text of `go tool pprof -traces`
// and prints µs per call, given the number of calls the profile covers:
//
//	go tool pprof -traces bench.test get.out | profowners -calls 40000
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	calls := flag.Int("calls", 0, "calls the profile covers")
	flag.Parse()
	if *calls <= 0 {
		fmt.Fprintln(os.Stderr, "profowners: -calls is required")
		os.Exit(2)
	}
	totals, err := owners(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "profowners:", err)
		os.Exit(1)
	}
	report(os.Stdout, totals, *calls)
}

// owner names whose code a frame is, by its function's full name.
type owner struct {
	name string
	re   *regexp.Regexp
}

var (
	gcWorkers = regexp.MustCompile(`^runtime\.(gcBgMarkWorker|bgsweep|bgscavenge)`)
	ownersOf  = []owner{
		{"the gateway's code", regexp.MustCompile(`^github\.com/connect-gateway/connect-gateway/(gateway|translate|internal)[/.]`)},
		{"net/http", regexp.MustCompile(`^net/(http|textproto|url)[/.]`)},
		{"grpc-go and x/net/http2", regexp.MustCompile(`^(google\.golang\.org/grpc|golang\.org/x/net/http2)[/.]`)},
		{"protobuf-go", regexp.MustCompile(`^google\.golang\.org/protobuf[/.]`)},
		{"the benchmark", regexp.MustCompile(`^github\.com/connect-gateway/connect-gateway/bench[/.]`)},
	}
)

const (
	gcOwner   = "GC (background)"
	restOwner = "scheduler, netpoll, system calls"
)

// owners sums the samples of `pprof -traces` text by owner, in µs.
func owners(r io.Reader) (map[string]float64, error) {
	totals := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var value float64
	var frames []string
	flush := func() {
		if frames != nil {
			totals[ownerOf(frames)] += value
		}
		frames = nil
	}
	sample := regexp.MustCompile(`^\s*([0-9.]+)(s|ms|us|µs|ns)\s+(\S+)`)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "-----------+") {
			flush()
			continue
		}
		if m := sample.FindStringSubmatch(line); m != nil {
			flush()
			v, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				return nil, fmt.Errorf("sample %q: %w", line, err)
			}
			value = v * map[string]float64{"s": 1e6, "ms": 1e3, "us": 1, "µs": 1, "ns": 1e-3}[m[2]]
			frames = []string{m[3]}
			continue
		}
		if f := strings.Fields(line); frames != nil && len(f) > 0 {
			frames = append(frames, f[0])
		}
	}
	flush()
	if len(totals) == 0 {
		return nil, fmt.Errorf("no samples: is the input `go tool pprof -traces` of a CPU profile?")
	}
	return totals, sc.Err()
}

// ownerOf is the owner of a sample's frames, leaf first.
func ownerOf(frames []string) string {
	for _, f := range frames {
		if gcWorkers.MatchString(f) {
			return gcOwner
		}
	}
	for _, f := range frames {
		for _, o := range ownersOf {
			if o.re.MatchString(f) {
				return o.name
			}
		}
	}
	return restOwner
}

func report(w io.Writer, totals map[string]float64, calls int) {
	names := make([]string, 0, len(totals))
	sum := 0.0
	for n, v := range totals {
		names = append(names, n)
		sum += v
	}
	slices.SortFunc(names, func(a, b string) int {
		switch {
		case totals[a] > totals[b]:
			return -1
		case totals[a] < totals[b]:
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, n := range names {
		fmt.Fprintf(w, "%-36s %7.1f µs/call\n", n, totals[n]/float64(calls))
	}
	fmt.Fprintf(w, "%-36s %7.1f µs/call\n", "total", sum/float64(calls))
}
