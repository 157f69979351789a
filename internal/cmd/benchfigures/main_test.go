package main

import (
	"fmt"
	"strings"
	"testing"
)

// roundsText writes BenchmarkCall lines for every benchmark the figures
// read: value(round, scenario, target, mode) gives p50-ns, cpu-ns/op and
// ns/op alike.
func roundsText(n int, value func(round int, scenario, target, mode string) float64) string {
	var b strings.Builder
	for r := range n {
		for _, sc := range []string{"get", "update", "conflict"} {
			for _, t := range []string{"floor-sum", "grpc-floor", "grpc-static", "grpc-gateway", "rest-gateway", "vanguard"} {
				for _, m := range []string{"serial", "parallel"} {
					v := value(r, sc, t, m)
					fmt.Fprintf(&b, "BenchmarkCall/scenario=%s/target=%s/mode=%s-2 \t 1000\t %.0f ns/op\t %.0f cpu-ns/op\t %.0f p50-ns\t 900000 p99-ns\t 100 B/op\t 10 allocs/op\n", sc, t, m, v, v, v)
				}
			}
		}
		b.WriteString("PASS\n")
	}
	return b.String()
}

func TestFigures(t *testing.T) {
	t.Parallel()
	base := map[string]float64{"floor-sum": 100e3, "grpc-floor": 40e3, "grpc-static": 50e3, "grpc-gateway": 120e3, "rest-gateway": 90e3, "vanguard": 300e3}
	in := roundsText(3, func(round int, sc, tg, mode string) float64 {
		v := base[tg]
		if sc == "conflict" && (tg == "grpc-gateway" || tg == "rest-gateway" || tg == "grpc-static") {
			v *= 1.2
		}
		if round == 1 {
			v *= 2 // a slow round: every path twice as slow, the ratios unchanged
		}
		return v
	})
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| P1 gRPC get ÷ floor (p50) | 120 / 100 | 1.20 × | 1.20–1.20 | 1.20–1.20 | 3 | yes (≤ 1.25) |",
		"| P2 gRPC error ÷ success, same call (p50) | 144 / 120 | 1.20 × | 1.20–1.20 | 1.20–1.20 | 3 | no (≤ 1.10) |",
		"|    REST error ÷ get, another call (p50) | 108 / 90 | 1.20 × | 1.20–1.20 | 1.20–1.20 | 3 |  |",
		"| P3 throughput ÷ vanguard, get, 16 in flight | 300 / 120 | 2.50 × | 2.50–2.50 | 2.50–2.50 | 3 | yes (≥ 1.20) |",
		"|    bare grpc-go, same status ÷ message (p50) | 60 / 50 | 1.20 × | 1.20–1.20 | 1.20–1.20 | 3 |  |",
		// 120 less (50 - 40) over 100; 144 less (60 - 50) over 120.
		"|    P1 less grpc-go's cost of the message (p50) | 110 / 100 | 1.10 × | 1.10–1.10 | 1.10–1.10 | 3 | would be yes (≤ 1.25) were grpc-go's share free |",
		"|    P2 gRPC less grpc-go's cost of the status (p50) | 134 / 120 | 1.12 × | 1.12–1.12 | 1.12–1.12 | 3 | would be no (≤ 1.10) were grpc-go's share free |",
		"|    P3 conflict less grpc-go's cost of the status | 300 / 134 | 2.24 × | 2.24–2.24 | 2.24–2.24 | 3 | would be yes (≥ 1.60) were grpc-go's share free |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks\n%s\ngot\n%s", want, out.String())
		}
	}
}

// TestQuantile: the median and quartiles of a few counts, interpolated
// between ranks.
func TestQuantile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v         []float64
		q1, m, q3 float64
	}{
		{[]float64{3}, 3, 3, 3},
		{[]float64{2, 1}, 1.25, 1.5, 1.75},
		{[]float64{5, 1, 3}, 2, 3, 4},
		{[]float64{4, 1, 3, 2}, 1.75, 2.5, 3.25},
		{[]float64{1, 2, 3, 4, 100}, 2, 3, 4},
	}
	for _, tt := range tests {
		if q1, m, q3 := quantile(tt.v, .25), median(tt.v), quantile(tt.v, .75); q1 != tt.q1 || m != tt.m || q3 != tt.q3 {
			t.Errorf("quartiles of %v = %v, %v, %v; want %v, %v, %v", tt.v, q1, m, q3, tt.q1, tt.m, tt.q3)
		}
	}
}

func TestFiguresNeedEveryBenchmark(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, wantErr string
	}{
		{"nothing", "PASS\n", "no rounds"},
		{"a unit missing", "BenchmarkCall/scenario=get/target=grpc-gateway/mode=serial-2 1 5 ns/op\n" +
			"BenchmarkCall/scenario=get/target=floor-sum/mode=serial-2 1 5 ns/op\n", "has no p50-ns"},
		{"a value that is not a number", "BenchmarkCall/scenario=get/target=floor-sum/mode=serial-2 1 x ns/op\n", `value "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := run(strings.NewReader(tt.in), &strings.Builder{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestCompare: each path against the base, paired within rounds; a path
// the base lacks is left out.
func TestCompare(t *testing.T) {
	t.Parallel()
	base, err := parse(strings.NewReader(roundsText(3, func(round int, sc, tg, mode string) float64 { return 100e3 * float64(round+1) })))
	if err != nil {
		t.Fatal(err)
	}
	now, err := parse(strings.NewReader(roundsText(3, func(round int, sc, tg, mode string) float64 { return 80e3 * float64(round+1) }) +
		"BenchmarkCall/scenario=get/target=new/mode=serial-2 1 5 ns/op 5 cpu-ns/op 5 p50-ns 5 allocs/op\n"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := compare(base, now, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| scenario=get/target=grpc-gateway/mode=serial | 200 → 160 | 0.80 (0.80–0.80) | 200 → 160 | 0.80 (0.80–0.80) | 10 → 10 |",
		"| scenario=conflict/target=vanguard/mode=parallel | 200 → 160 | 0.80 (0.80–0.80) | 200 → 160 | 0.80 (0.80–0.80) | 10 → 10 |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks\n%s\ngot\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "target=new") {
		t.Error("a path the base lacks is compared")
	}
	if err := compare(base, rounds{}, &out); err == nil {
		t.Error("no error for rounds with no path in common")
	}
}
