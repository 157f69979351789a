// Command connect-sim serves the in-memory commercetools Connect API
// simulator (package connectsim): the Connect REST paths, POST /oauth/token,
// and the admin API under /_sim/ (faults, clock, reset, seed, journal).
//
// Usage:
//
//	connect-sim [--addr 127.0.0.1:8081] [--seed] [--client id:secret:project:scope1,scope2]...
//
// Without --client it serves the default client (connect-sim /
// connect-sim-secret, project demo, every scope). SIGINT or SIGTERM shut it
// down gracefully.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/connect-gateway/connect-gateway/connectsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "connect-sim:", err)
		os.Exit(2)
	}
}

// clientFlags collects repeated --client flags.
type clientFlags []connectsim.Client

func (c *clientFlags) String() string {
	ids := make([]string, len(*c))
	for i, cl := range *c {
		ids[i] = cl.ID
	}
	return strings.Join(ids, ",")
}

func (c *clientFlags) Set(v string) error {
	parts := strings.SplitN(v, ":", 4)
	if len(parts) < 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return fmt.Errorf("want id:secret:project[:scope1,scope2], got %q", v)
	}
	cl := connectsim.Client{ID: parts[0], Secret: parts[1], ProjectKey: parts[2], Scopes: connectsim.AllScopes()}
	if len(parts) == 4 && parts[3] != "" {
		cl.Scopes = strings.Split(parts[3], ",")
	}
	*c = append(*c, cl)
	return nil
}

// options parses the command line into an address and simulator options.
func options(args []string, stderr io.Writer) (string, connectsim.Options, error) {
	fs := flag.NewFlagSet("connect-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8081", "address to listen on")
	seed := fs.Bool("seed", false, "load the demo data at start and after every reset")
	production := fs.String("production-projects", "", "comma-separated projects where production deployments are enabled")
	tokenTTL := fs.Duration("token-ttl", 48*time.Hour, "lifetime of issued access tokens")
	verbose := fs.Bool("v", false, "log every request (method, path, status; never secrets)")
	var clients clientFlags
	fs.Var(&clients, "client", "an API client `id:secret:project[:scope1,scope2]` (repeatable; default: connect-sim:connect-sim-secret:demo with every scope)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: connect-sim [flags]\n\nServes an in-memory commercetools Connect API with fault injection under /_sim/.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return "", connectsim.Options{}, err
	}
	if fs.NArg() > 0 {
		return "", connectsim.Options{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	opts := connectsim.Options{
		Clients:  clients,
		Seed:     *seed,
		TokenTTL: *tokenTTL,
		Logger:   slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	if *production != "" {
		opts.ProductionProjects = strings.Split(*production, ",")
	}
	return *addr, opts, nil
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	addr, opts, err := options(args, stderr)
	if err != nil {
		return err
	}
	return connectsim.Run(ctx, addr, opts)
}
