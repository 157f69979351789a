package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/connect-gateway/connect-gateway/bench/load"
)

func TestWriteLoadTable(t *testing.T) {
	t.Parallel()
	res := func(us int, errs int) load.Result {
		return load.FromLatencies([]time.Duration{time.Duration(us) * time.Microsecond}, errs, time.Second)
	}
	rows := []LoadRow{
		{Target: TargetDirect, Scenario: ScenarioGet, Result: res(50, 0)},
		{Target: TargetGRPCFloor, Scenario: ScenarioGet, Result: res(70, 0)},
		{Target: TargetGRPCGateway, Scenario: ScenarioGet, Result: res(150, 1)},
		{Target: TargetVanguard, Scenario: ScenarioGet, Result: res(200, 0)},
	}
	var b strings.Builder
	if err := WriteLoadTable(&b, rows); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| **floor** (direct + grpc-floor) | get | | | | 120 µs |",
		// 150/120 = 1.25 of the floor, 150/200 = 0.75 of vanguard, 1 error counted.
		"| grpc-gateway | get | 1 | 1 | 1 | 150 µs | 150 µs | 150 µs | 1.25 | 1.25 | 0.75 | 1.00 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
