// Command profowners divides a profile's samples by owner, to say whose code
// a call's time or memory goes to: the gateway's packages, net/http, grpc-go
// (with x/net/http2), protobuf-go, grpc-gateway's runtime, the benchmark's
// own code, or the rest. Each sample goes to the owner of its leaf-most frame
// that has one, so time in the runtime (an allocation, a write barrier)
// counts for the code that caused it, and so does memory that code asked a
// package without an owner for (a bufio buffer, a context). It reads the
// text of `go tool pprof -traces` and prints per call, given the number of
// calls the profile covers.
//
// Of a CPU profile it prints µs: samples under the garbage collector's
// background workers are the collector's, and the rest is the scheduler,
// netpoll and system calls outside any owner. Of a heap profile's bytes
// (-sample_index=inuse_space), usually the difference of two (-diff_base,
// whose samples count negative), it prints KiB: a goroutine's descriptor
// (runtime.malg; its stack is not heap) counts for "goroutines" whoever
// started it, and net/http's share is divided between its server end and
// its client end (see netHTTPEnds).
//
//	go tool pprof -traces bench.test get.out | profowners -calls 40000
//	go tool pprof -traces -sample_index=inuse_space -diff_base base.pb.gz peak.pb.gz | profowners -calls 1000
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
	totals, k, err := owners(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "profowners:", err)
		os.Exit(1)
	}
	report(os.Stdout, totals, k, *calls)
}

// owner names whose code a frame is, by its function's full name.
type owner struct {
	name string
	re   *regexp.Regexp
}

// ownersOf are the owners of frames, whichever the profile.
var ownersOf = []owner{
	{"the gateway's code", regexp.MustCompile(`^github\.com/connect-gateway/connect-gateway/(gateway|translate|internal)[/.]`)},
	{"net/http", regexp.MustCompile(`^net/(http|textproto|url)[/.]`)},
	{"grpc-go and x/net/http2", regexp.MustCompile(`^(google\.golang\.org/grpc|golang\.org/x/net/http2)[/.]`)},
	{"protobuf-go", regexp.MustCompile(`^google\.golang\.org/protobuf[/.]`)},
	{"grpc-gateway's runtime", regexp.MustCompile(`^github\.com/grpc-ecosystem/grpc-gateway/v2/runtime[/.]`)},
	{"the benchmark", regexp.MustCompile(`^github\.com/connect-gateway/connect-gateway/bench[/.]`)},
}

// kind is what a profile's samples measure: how their values read, what
// owns a sample whatever its leaf-most owned frame, and what owns the rest.
type kind struct {
	unit   string             // of the report
	units  map[string]float64 // a value's unit in pprof's text, in the report's unit
	stacks []owner            // own a sample if any of its frames matches, before ownersOf
	rest   string
	// split, if set, renames an owner given the sample's frames from the
	// owner's leaf-most one to the root.
	split func(owner string, frames []string) string
}

var (
	cpu = &kind{
		unit:   "µs",
		units:  map[string]float64{"s": 1e6, "ms": 1e3, "us": 1, "µs": 1, "ns": 1e-3},
		stacks: []owner{{"GC (background)", regexp.MustCompile(`^runtime\.(gcBgMarkWorker|bgsweep|bgscavenge)`)}},
		rest:   "scheduler, netpoll, system calls",
	}
	// heap's units are pprof's: a kB is 1,024 bytes.
	heap = &kind{
		unit:   "KiB",
		units:  map[string]float64{"B": 1.0 / (1 << 10), "kB": 1, "MB": 1 << 10, "GB": 1 << 20, "TB": 1 << 30},
		stacks: []owner{{"goroutines (runtime.malg)", regexp.MustCompile(`^runtime\.malg$`)}},
		rest:   "runtime and the rest",
		split:  netHTTPEnds,
	}
	// kinds are the profiles profowners divides, by the Type line of
	// pprof's header.
	kinds = map[string]*kind{"cpu": cpu, "inuse_space": heap, "alloc_space": heap}
)

// owners sums the samples of `pprof -traces` text by owner, in the unit of
// the profile's kind.
func owners(r io.Reader) (map[string]float64, *kind, error) {
	totals := map[string]float64{}
	var k *kind
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var value float64
	var frames []string
	flush := func() {
		if frames != nil {
			totals[k.ownerOf(frames)] += value
		}
		frames = nil
	}
	// A sample's first line is its value and leaf frame; labels before it
	// ("bytes:  896B") start with a name, frames after it with spaces.
	sample := regexp.MustCompile(`^\s*(-?[0-9.]+)(\S*)\s+(\S+)`)
	for sc.Scan() {
		line := sc.Text()
		if t, ok := strings.CutPrefix(line, "Type: "); ok && k == nil {
			if k = kinds[t]; k == nil {
				return nil, nil, fmt.Errorf("profile of type %q: profowners divides cpu, inuse_space and alloc_space", t)
			}
			continue
		}
		if strings.HasPrefix(line, "-----------+") {
			flush()
			continue
		}
		if m := sample.FindStringSubmatch(line); m != nil {
			flush()
			if k == nil {
				return nil, nil, fmt.Errorf("sample %q before the header's Type line", line)
			}
			v, err := strconv.ParseFloat(m[1], 64)
			scale, known := k.units[m[2]]
			if m[2] == "" && v == 0 {
				scale, known = 0, true // pprof writes a zero without its unit
			}
			if err != nil || !known {
				return nil, nil, fmt.Errorf("sample %q: not a value in %s", line, k.unit)
			}
			value = v * scale
			frames = []string{m[3]}
			continue
		}
		if f := strings.Fields(line); frames != nil && len(f) > 0 {
			frames = append(frames, f[0])
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	if len(totals) == 0 {
		return nil, nil, fmt.Errorf("no samples: is the input `go tool pprof -traces` of a CPU or heap profile?")
	}
	return totals, k, nil
}

// ownerOf is the owner of a sample's frames, leaf first.
func (k *kind) ownerOf(frames []string) string {
	for _, f := range frames {
		for _, o := range k.stacks {
			if o.re.MatchString(f) {
				return o.name
			}
		}
	}
	for i, f := range frames {
		if o := frameOwner(f); o != "" {
			if k.split != nil {
				return k.split(o, frames[i:])
			}
			return o
		}
	}
	return k.rest
}

// frameOwner is the owner of a frame of ownersOf, or "".
func frameOwner(f string) string {
	for _, o := range ownersOf {
		if o.re.MatchString(f) {
			return o.name
		}
	}
	return ""
}

// httpServerLoops are the frames net/http's server serves a connection
// under: accepting it, then reading requests from it and writing responses.
var httpServerLoops = regexp.MustCompile(`^net/http\.\(\*(Server|conn)\)\.`)

// netHTTPEnds divides net/http's share of a heap in two. Its server end is
// what it allocates under its server's loops with no other owner's code
// between (the inbound connection, its buffers, the request read from it);
// its client end is the rest, which in a process whose only other net/http
// use is an HTTP client is that client's: what net/http allocates when
// other code calls it (a request, its round trip, its headers) and under
// the Transport's own goroutines (dialling, a connection's read and write
// loops).
func netHTTPEnds(owner string, frames []string) string {
	if owner != "net/http" {
		return owner
	}
	for _, f := range frames {
		if httpServerLoops.MatchString(f) {
			return "net/http, server end"
		}
		if o := frameOwner(f); o != "" && o != owner {
			break
		}
	}
	return "net/http, client end"
}

func report(w io.Writer, totals map[string]float64, k *kind, calls int) {
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
		fmt.Fprintf(w, "%-36s %7.1f %s/call\n", n, totals[n]/float64(calls), k.unit)
	}
	fmt.Fprintf(w, "%-36s %7.1f %s/call\n", "total", sum/float64(calls), k.unit)
}
