// Command connect-gateway serves the commercetools Connect API over gRPC and
// over a REST face on Connect's own paths, in front of the Connect API or of
// the embedded simulator (the default, so that it runs with no credentials).
//
// Every flag has an environment equivalent; `connect-gateway --help` lists them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "connect-gateway:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg, err := parseConfig(args, getenv, os.Stderr)
	if err != nil {
		return err
	}
	logger := cfg.logger(os.Stderr)
	opts, err := cfg.options(logger)
	if err != nil {
		return err
	}
	if cfg.upstream == upstreamSim {
		sim, err := connectsim.Start(ctx, connectsim.Options{Seed: true, Logger: logger.With("component", "connect-sim")})
		if err != nil {
			return fmt.Errorf("starting the embedded simulator: %w", err)
		}
		defer sim.Close()
		if err := useSimulator(&opts, cfg, sim.URL); err != nil {
			return err
		}
		printTour(os.Stderr, cfg, sim.URL)
	}
	return gateway.Run(ctx, opts)
}
