// Command benchfigures reads the output of several rounds of the bench
// package's BenchmarkCall (`go test -bench Call -count 1`, run N times one
// after the other) and prints the performance goals of BENCHMARKS.md as
// measured: each ratio is taken within a round, where both sides ran
// seconds apart, and the median of the rounds is reported with the middle
// half of the rounds (its quartiles) and the range. On a shared machine
// whose speed drifts by tens of percent from one minute to the next, a
// ratio of medians taken at different times says little; a median of
// paired ratios says more, and more of shorter rounds (BENCH_TIME) pair
// their two sides closer in time.
//
// With -base, the rounds of a base build run interleaved with the input's
// (make bench-compare), it also prints each path's change against the
// base, paired within rounds the same way.
//
//	make bench-figures          # 8 rounds, then this table
//	benchfigures < rounds.txt
//	benchfigures -base rounds-base.txt < rounds.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

func main() {
	base := flag.String("base", "", "rounds of a base build, interleaved with the input's: also print each path against it")
	flag.Parse()
	rs, err := parse(os.Stdin)
	if err == nil {
		err = report(rs, os.Stdout)
	}
	if err == nil && *base != "" {
		err = runCompare(*base, rs, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchfigures:", err)
		os.Exit(1)
	}
}

// rounds maps a benchmark (scenario/target/mode) to its measurements, one
// per round in the order they were read; a measurement maps a unit
// ("p50-ns", "cpu-ns/op", "ns/op") to its value.
type rounds map[string][]map[string]float64

// parse reads benchmark lines: name, iterations, then value-unit pairs.
func parse(r io.Reader) (rounds, error) {
	out := rounds{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkCall/") {
			continue
		}
		name := strings.TrimPrefix(f[0], "BenchmarkCall/")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i] // the GOMAXPROCS suffix
		}
		m := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: value %q: %w", f[0], f[i], err)
			}
			m[f[i+1]] = v
		}
		out[name] = append(out[name], m)
	}
	return out, sc.Err()
}

func key(scenario, target, mode string) string {
	return "scenario=" + scenario + "/target=" + target + "/mode=" + mode
}

// ratio is the median, quartiles, minimum and maximum over the rounds of
// num/den.
type ratio struct {
	median, min, max float64
	q1, q3           float64 // the middle half of the rounds lies between them
	n                int
	numMedian        float64
	denMedian        float64
}

// term is a benchmark, less the difference of two others when less is set
// (see [figure].less), within one round.
type term struct {
	key  string
	less *[2]string
}

// value is t's value in round i.
func (rs rounds) value(t term, i int, unit string) (float64, error) {
	keys := []string{t.key}
	if t.less != nil {
		keys = append(keys, t.less[0], t.less[1])
	}
	var v []float64
	for _, k := range keys {
		if len(rs[k]) <= i {
			return 0, fmt.Errorf("no round %d of %s", i+1, k)
		}
		x, ok := rs[k][i][unit]
		if !ok {
			return 0, fmt.Errorf("round %d of %s has no %s", i+1, k, unit)
		}
		v = append(v, x)
	}
	if t.less != nil {
		return v[0] - (v[1] - v[2]), nil
	}
	return v[0], nil
}

func (rs rounds) ratio(num, den term, unit string) (ratio, error) {
	a, b := rs[num.key], rs[den.key]
	if len(a) == 0 || len(b) == 0 {
		return ratio{}, fmt.Errorf("no rounds of %s or %s", num.key, den.key)
	}
	n := min(len(a), len(b))
	var qs, nums, dens []float64
	for i := range n {
		x, err := rs.value(num, i, unit)
		if err != nil {
			return ratio{}, err
		}
		y, err := rs.value(den, i, unit)
		if err != nil {
			return ratio{}, err
		}
		if y <= 0 {
			return ratio{}, fmt.Errorf("round %d of %s has %s %v", i+1, den.key, unit, y)
		}
		qs, nums, dens = append(qs, x/y), append(nums, x), append(dens, y)
	}
	return ratio{median: median(qs), q1: quantile(qs, .25), q3: quantile(qs, .75), min: slices.Min(qs), max: slices.Max(qs), n: n,
		numMedian: median(nums), denMedian: median(dens)}, nil
}

func median(v []float64) float64 { return quantile(v, .5) }

// quantile is the q-quantile of v, interpolated linearly between the
// values of the ranks around it (the median of an even count is the mean
// of the middle two).
func quantile(v []float64, q float64) float64 {
	s := slices.Sorted(slices.Values(v))
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (pos-float64(i))*(s[i+1]-s[i])
}

// figure is one performance goal read from the rounds.
type figure struct {
	goal     string
	num, den string
	unit     string
	// atMost or atLeast is the goal; exactly one is set.
	atMost, atLeast float64
	// inverse reports den/num: throughput from ns/op.
	inverse bool
	// less, when set, is an attribution rather than a goal: num is
	// measured less the difference of two bare grpc-go benchmarks in the
	// same round and unit (less[0] - less[1]), what grpc-go itself spends on
	// what num carries beyond what den's side carries. It says how the
	// gateway would fare if that were free, which is grpc-go's share of the
	// gap, not the gateway's.
	less *[2]string
}

// grpcGoMessage is what bare grpc-go spends carrying the 1.1 KB
// ConnectorStaged instead of a health check; grpcGoStatus what it spends
// carrying the gateway's status of the conflict instead of the
// ConnectorStaged; each at the figure's mode.
func grpcGoMessage(mode string) *[2]string {
	return &[2]string{key("get", "grpc-static", mode), key("get", "grpc-floor", mode)}
}

func grpcGoStatus(mode string) *[2]string {
	return &[2]string{key("conflict", "grpc-static", mode), key("update", "grpc-static", mode)}
}

var figures = []figure{
	{goal: "P1 gRPC get ÷ floor (p50)", num: key("get", "grpc-gateway", "serial"), den: key("get", "floor-sum", "serial"), unit: "p50-ns", atMost: 1.25},
	{goal: "P1 same, by CPU per call", num: key("get", "grpc-gateway", "serial"), den: key("get", "floor-sum", "serial"), unit: "cpu-ns/op", atMost: 1.25},
	{goal: "P2 gRPC error ÷ success, same call (p50)", num: key("conflict", "grpc-gateway", "serial"), den: key("update", "grpc-gateway", "serial"), unit: "p50-ns", atMost: 1.1},
	{goal: "   gRPC error ÷ get, another call (p50)", num: key("conflict", "grpc-gateway", "serial"), den: key("get", "grpc-gateway", "serial"), unit: "p50-ns"},
	{goal: "P2 REST error ÷ success, same call (p50)", num: key("conflict", "rest-gateway", "serial"), den: key("update", "rest-gateway", "serial"), unit: "p50-ns", atMost: 1.1},
	{goal: "   REST error ÷ get, another call (p50)", num: key("conflict", "rest-gateway", "serial"), den: key("get", "rest-gateway", "serial"), unit: "p50-ns"},
	{goal: "   bare grpc-go, same status ÷ message (p50)", num: key("conflict", "grpc-static", "serial"), den: key("update", "grpc-static", "serial"), unit: "p50-ns"},
	{goal: "P3 throughput ÷ vanguard, get, 16 in flight", num: key("get", "grpc-gateway", "parallel"), den: key("get", "vanguard", "parallel"), unit: "ns/op", atLeast: 1.2, inverse: true},
	{goal: "P3 same, update", num: key("update", "grpc-gateway", "parallel"), den: key("update", "vanguard", "parallel"), unit: "ns/op", atLeast: 1.2, inverse: true},
	{goal: "P3 same, conflict", num: key("conflict", "grpc-gateway", "parallel"), den: key("conflict", "vanguard", "parallel"), unit: "ns/op", atLeast: 1.6, inverse: true},
	{goal: "P3 same, conflict, by CPU per call", num: key("conflict", "grpc-gateway", "parallel"), den: key("conflict", "vanguard", "parallel"), unit: "cpu-ns/op", atLeast: 1.6, inverse: true},
	{goal: "   P1 less grpc-go's cost of the message (p50)", num: key("get", "grpc-gateway", "serial"), den: key("get", "floor-sum", "serial"), unit: "p50-ns", atMost: 1.25, less: grpcGoMessage("serial")},
	{goal: "   P1 same, by CPU per call", num: key("get", "grpc-gateway", "serial"), den: key("get", "floor-sum", "serial"), unit: "cpu-ns/op", atMost: 1.25, less: grpcGoMessage("serial")},
	{goal: "   P2 gRPC less grpc-go's cost of the status (p50)", num: key("conflict", "grpc-gateway", "serial"), den: key("update", "grpc-gateway", "serial"), unit: "p50-ns", atMost: 1.1, less: grpcGoStatus("serial")},
	{goal: "   P3 conflict less grpc-go's cost of the status", num: key("conflict", "grpc-gateway", "parallel"), den: key("conflict", "vanguard", "parallel"), unit: "ns/op", atLeast: 1.6, inverse: true, less: grpcGoStatus("parallel")},
	{goal: "   P3 same, by CPU per call", num: key("conflict", "grpc-gateway", "parallel"), den: key("conflict", "vanguard", "parallel"), unit: "cpu-ns/op", atLeast: 1.6, inverse: true, less: grpcGoStatus("parallel")},
}

// run reads rounds from r and writes the goals to w.
func run(r io.Reader, w io.Writer) error {
	rs, err := parse(r)
	if err != nil {
		return err
	}
	return report(rs, w)
}

// report writes the goals, as measured in rs, to w.
func report(rs rounds, w io.Writer) error {
	fmt.Fprintln(w, "| goal | medians (µs) | ratio, median of rounds | middle half | range | rounds | met? |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|---|")
	for _, f := range figures {
		num, den := term{key: f.num, less: f.less}, term{key: f.den}
		if f.inverse {
			num, den = den, num
		}
		q, err := rs.ratio(num, den, f.unit)
		if err != nil {
			return fmt.Errorf("%s: %w", f.goal, err)
		}
		met := ""
		switch {
		case f.atMost > 0:
			met = verdict(q.median <= f.atMost, fmt.Sprintf("≤ %.2f", f.atMost))
		case f.atLeast > 0:
			met = verdict(q.median >= f.atLeast, fmt.Sprintf("≥ %.2f", f.atLeast))
		}
		if f.less != nil {
			met = "would be " + met + " were grpc-go's share free"
		}
		fmt.Fprintf(w, "| %s | %.0f / %.0f | %.2f × | %.2f–%.2f | %.2f–%.2f | %d | %s |\n",
			f.goal, q.numMedian/1e3, q.denMedian/1e3, q.median, q.q1, q.q3, q.min, q.max, q.n, met)
	}
	return nil
}

func verdict(ok bool, goal string) string {
	if ok {
		return "yes (" + goal + ")"
	}
	return "no (" + goal + ")"
}

// runCompare prints every path of now against the base's rounds in file
// base (see [compare]).
func runCompare(base string, now rounds, w io.Writer) error {
	f, err := os.Open(base)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := parse(f)
	if err != nil {
		return fmt.Errorf("%s: %w", base, err)
	}
	return compare(b, now, w)
}

// compare prints, for every path in both base and now, its CPU per call,
// its p50 (serial) or wall time per call (parallel), and its allocations,
// base and now, with the ratio now/base paired within rounds: round i of
// now against round i of base, run one after the other.
func compare(base, now rounds, w io.Writer) error {
	names := make([]string, 0, len(now))
	for name := range now {
		if len(base[name]) > 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("no path in both the base and the current rounds")
	}
	slices.Sort(names)
	fmt.Fprintln(w, "| path | CPU per call (µs), base → now | paired ratio | p50 or wall per call (µs), base → now | paired ratio | allocs, base → now |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|")
	for _, name := range names {
		pair := rounds{"now": now[name], "base": base[name]}
		num, den := term{key: "now"}, term{key: "base"}
		cpu, err := pair.ratio(num, den, "cpu-ns/op")
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		latency := "p50-ns"
		if strings.HasSuffix(name, "mode=parallel") {
			latency = "ns/op"
		}
		lat, err := pair.ratio(num, den, latency)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		allocs, err := pair.ratio(num, den, "allocs/op")
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(w, "| %s | %.0f → %.0f | %.2f (%.2f–%.2f) | %.0f → %.0f | %.2f (%.2f–%.2f) | %.0f → %.0f |\n", name,
			cpu.denMedian/1e3, cpu.numMedian/1e3, cpu.median, cpu.min, cpu.max,
			lat.denMedian/1e3, lat.numMedian/1e3, lat.median, lat.min, lat.max,
			allocs.denMedian, allocs.numMedian)
	}
	return nil
}
