// Command connect-gateway serves the commercetools Connect API over gRPC and
// over a REST face on Connect's own paths, in front of the Connect API or of
// the embedded simulator (the default, so that it runs with no credentials).
//
// Every flag has an environment equivalent; `connect-gateway --help` lists them.
// Tracing is configured by the standard OTEL_* variables (see package
// otelenv) and is off without them; W3C trace context is forwarded to the
// upstream either way.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	"github.com/connect-gateway/connect-gateway/gateway/otelenv"
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
	if cfg.debugAddr != "" {
		if _, err := serveDebug(ctx, cfg.debugAddr, logger); err != nil {
			return err
		}
	}
	tp, err := otelenv.FromEnv(ctx, getenv, "connect-gateway")
	if err != nil {
		return fmt.Errorf("tracing: %w", err)
	}
	if tp != nil {
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { logger.Warn("tracing", "error", err) }))
		opts.TracerProvider = tp
		logger.Info("tracing: exporting spans by OTLP", "protocol", tp.Protocol)
		defer func() {
			// Send the spans still held; the context has ended by now.
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := tp.Shutdown(sctx); err != nil {
				logger.Warn("tracing: flushing spans", "error", err)
			}
		}()
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
