package bench

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/connect-gateway/connect-gateway/bench/load"
)

// LoadRow is the measurement of one target in one scenario.
type LoadRow struct {
	Target   Target
	Scenario Scenario
	Result   load.Result
}

// WriteLoadTable writes rows as a Markdown table: calls, errors,
// throughput, p50/p90/p99, and ratios to the floor and to vanguard. The
// floor of a scenario is the direct call's latency in that scenario plus the
// gRPC floor's (each quantile summed), as a gRPC call through a gateway to a
// REST upstream cannot cost less; it is written as a row of its own when
// both are measured. Ratios whose reference was not measured are "-".
func WriteLoadTable(w io.Writer, rows []LoadRow) error {
	byKey := map[key]load.Result{}
	for _, r := range rows {
		byKey[key{r.Target, r.Scenario}] = r.Result
	}
	var b strings.Builder
	b.WriteString("| target | scenario | calls | errors | calls/s | p50 | p90 | p99 | p50 ÷ floor | p99 ÷ floor | p50 ÷ vanguard | calls/s ÷ vanguard |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	var firstErrs []string
	lastScenario := Scenario("")
	for _, r := range rows {
		res := r.Result
		direct, okD := byKey[key{TargetDirect, r.Scenario}]
		floorRPC, okF := byKey[key{TargetGRPCFloor, r.Scenario}]
		vg, okV := byKey[key{TargetVanguard, r.Scenario}]
		if r.Scenario != lastScenario && okD && okF {
			fmt.Fprintf(&b, "| **floor** (direct + grpc-floor) | %s | | | | %s | %s | %s | 1.00 | 1.00 | | |\n", r.Scenario,
				us(direct.Quantile(.5)+floorRPC.Quantile(.5)), us(direct.Quantile(.9)+floorRPC.Quantile(.9)),
				us(direct.Quantile(.99)+floorRPC.Quantile(.99)))
		}
		lastScenario = r.Scenario
		floor50, floor99 := "-", "-"
		if okD && okF {
			floor50 = ratio(float64(res.Quantile(.5)), float64(direct.Quantile(.5)+floorRPC.Quantile(.5)))
			floor99 = ratio(float64(res.Quantile(.99)), float64(direct.Quantile(.99)+floorRPC.Quantile(.99)))
		}
		vg50, vgTput := "-", "-"
		if okV {
			vg50 = ratio(float64(res.Quantile(.5)), float64(vg.Quantile(.5)))
			vgTput = ratio(res.Throughput(), vg.Throughput())
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %.0f | %s | %s | %s | %s | %s | %s | %s |\n",
			r.Target, r.Scenario, res.Calls, res.Errors, res.Throughput(),
			us(res.Quantile(.5)), us(res.Quantile(.9)), us(res.Quantile(.99)), floor50, floor99, vg50, vgTput)
		if res.FirstError != nil {
			firstErrs = append(firstErrs, fmt.Sprintf("%s %s: first error: %v", r.Target, r.Scenario, res.FirstError))
		}
	}
	for _, e := range firstErrs {
		b.WriteString("\n" + e)
	}
	if len(firstErrs) > 0 {
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// us formats d in microseconds.
func us(d time.Duration) string {
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}
