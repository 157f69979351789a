package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/connect-gateway/connect-gateway/bench/load"
)

// LoadConfig configures [RunLoad].
type LoadConfig struct {
	// Targets and Scenarios to measure; empty means all of them.
	Targets   []Target
	Scenarios []Scenario
	// Load is the mode: Rate (zero for max throughput), Duration per target
	// and scenario, Concurrency.
	Load load.Options
	// Rounds splits each Duration into this many slices, run target after
	// target, so that noise from the rest of the machine spreads over every
	// target alike. Zero means 3.
	Rounds int
	// Warmup is the number of calls each target and scenario makes before
	// measuring. Zero means 200.
	Warmup int
	// Rig configures the in-process rig.
	Rig Options
	// FailOnErrors makes RunLoad return an error, after writing the table,
	// when any call failed: the smoke run's check.
	FailOnErrors bool
}

// key identifies one measured row.
type key struct {
	target   Target
	scenario Scenario
}

// RunLoad starts a [Rig], measures every target and scenario under the
// same load, round after round, and writes the table of [WriteLoadTable]
// to w. It fails when a target cannot warm up; failed calls during the
// measurement are counted in the table, not returned.
func RunLoad(ctx context.Context, cfg LoadConfig, w io.Writer) error {
	if len(cfg.Targets) == 0 {
		cfg.Targets = Targets()
	}
	if len(cfg.Scenarios) == 0 {
		cfg.Scenarios = Scenarios()
	}
	if cfg.Rounds <= 0 {
		cfg.Rounds = 3
	}
	if cfg.Warmup <= 0 {
		cfg.Warmup = 200
	}
	if cfg.Rig.ClientConns == 0 {
		cfg.Rig.ClientConns = max(cfg.Load.Concurrency, 16)
	}
	rig, err := Start(ctx, cfg.Rig)
	if err != nil {
		return err
	}
	defer rig.Close()

	var keys []key
	calls := map[key]load.Call{}
	for _, s := range cfg.Scenarios {
		for _, t := range cfg.Targets {
			k := key{t, s}
			if calls[k], err = rig.Caller(t, s); err != nil {
				return err
			}
			if err := load.Warm(ctx, calls[k], cfg.Warmup, min(cfg.Load.Concurrency, cfg.Warmup)); err != nil {
				return fmt.Errorf("%s %s: %w", t, s, err)
			}
			keys = append(keys, k)
		}
	}
	slice := cfg.Load
	slice.Duration = cfg.Load.Duration / time.Duration(cfg.Rounds)
	results := map[key]load.Result{}
	for range cfg.Rounds {
		for _, k := range keys {
			res, err := load.Run(ctx, calls[k], slice)
			if err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("%s %s: %w", k.target, k.scenario, err)
			}
			results[k] = load.Merge(results[k], res)
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	rows := make([]LoadRow, len(keys))
	failed := 0
	for i, k := range keys {
		rows[i] = LoadRow{Target: k.target, Scenario: k.scenario, Result: results[k]}
		failed += results[k].Errors
	}
	fmt.Fprintf(w, "connect-load: %s; %s per target and scenario in %d rounds; GOMAXPROCS=%d, %s\n\n",
		modeString(cfg.Load), cfg.Load.Duration, cfg.Rounds, runtime.GOMAXPROCS(0), runtime.Version())
	if err := WriteLoadTable(w, rows); err != nil {
		return err
	}
	if cfg.FailOnErrors && failed > 0 {
		return fmt.Errorf("%d calls failed", failed)
	}
	return nil
}

func modeString(o load.Options) string {
	if o.Rate > 0 {
		return fmt.Sprintf("fixed rate %g calls/s with %d workers", o.Rate, o.Concurrency)
	}
	return fmt.Sprintf("max throughput with %d workers", o.Concurrency)
}
