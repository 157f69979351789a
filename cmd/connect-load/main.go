// Command connect-load compares the gateway with the transport floor and
// with vanguard-go under load, side by side in one run.
//
// It starts, inside the process and on loopback, the rig of package bench:
// a fixed-response upstream serving the simulator's bytes, a bare gRPC
// server (the floor), the gateway (gRPC and REST face) and vanguard-go,
// then drives each target in turn, in rounds, and prints a Markdown table of
// calls, errors, throughput, p50/p90/p99 latency and ratios to the floor and
// to vanguard.
//
// Usage:
//
//	connect-load [-rate 1000] -duration 3s -concurrency 16 [-targets all] [-scenarios all] [-rounds 3] [-fail-on-errors]
//
// With -rate N it starts N calls per second (fixed-rate mode: latency is
// measured from when each call was due); without it, -concurrency workers
// call as fast as they can (max-throughput mode). -duration is per target
// and scenario. Targets: direct, grpc-floor, grpc-static, grpc-gateway,
// rest-gateway, vanguard. Scenarios: get (GetConnectorStaged) and conflict
// (UpdateConnectorStaged at a stale version: 409 ConcurrentModification).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/connect-gateway/connect-gateway/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "connect-load:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("connect-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg       bench.LoadConfig
		targets   = fs.String("targets", "all", "comma-separated targets: direct, grpc-floor, grpc-static, grpc-gateway, rest-gateway, vanguard, or all")
		scenarios = fs.String("scenarios", "all", "comma-separated scenarios: get, update, conflict, or all")
	)
	fs.Float64Var(&cfg.Load.Rate, "rate", 0, "calls per second to start (fixed-rate mode); 0 runs as fast as -concurrency workers can")
	fs.DurationVar(&cfg.Load.Duration, "duration", 3*time.Second, "measuring time per target and scenario")
	fs.IntVar(&cfg.Load.Concurrency, "concurrency", 16, "workers: the most calls in flight")
	fs.DurationVar(&cfg.Load.Timeout, "timeout", 10*time.Second, "deadline of each call")
	fs.IntVar(&cfg.Rounds, "rounds", 3, "rounds each duration is split into, targets interleaved")
	fs.IntVar(&cfg.Warmup, "warmup", 200, "calls per target and scenario before measuring")
	fs.BoolVar(&cfg.FailOnErrors, "fail-on-errors", false, "exit with status 2 when any call failed")
	fs.DurationVar(&cfg.Rig.UpstreamDelay, "upstream-delay", 0, "delay of every upstream answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if cfg.Targets, err = bench.ParseTargets(*targets); err != nil {
		return err
	}
	if cfg.Scenarios, err = bench.ParseScenarios(*scenarios); err != nil {
		return err
	}
	return bench.RunLoad(ctx, cfg, stdout)
}
