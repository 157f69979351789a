package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/gateway"
	"github.com/connect-gateway/connect-gateway/gateway/upstream"
)

// upstreamSim is the --upstream value that starts the embedded simulator.
const upstreamSim = "sim"

// config is the command line, each flag with an environment equivalent.
type config struct {
	grpcAddr, httpAddr    string
	upstream, region      string
	auth                  string
	reflection            bool
	drainTimeout          time.Duration
	defaultTimeout        time.Duration
	maxRequestBytes       int64
	maxResponseBytes      int64
	maxConcurrentUpstream int
	serving               serving
	logLevel, logFormat   string
	debugAddr             string
	getenv                func(string) string
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	c := &config{getenv: getenv}
	fs := flag.NewFlagSet("connect-gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &envFlags{fs: fs, getenv: getenv}
	f.String(&c.grpcAddr, "grpc-addr", "GATEWAY_GRPC_ADDR", gateway.DefaultGRPCAddr, "gRPC listen address")
	f.String(&c.httpAddr, "http-addr", "GATEWAY_HTTP_ADDR", gateway.DefaultHTTPAddr, "HTTP listen address: REST face, /healthz, /readyz, /metrics")
	f.String(&c.upstream, "upstream", "GATEWAY_UPSTREAM", upstreamSim, `upstream Connect API base URL, or "sim" for the embedded simulator`)
	f.String(&c.region, "region", "CTP_REGION", "", "shortcut for the official host of a region, e.g. europe-west1.gcp (overrides --upstream)")
	f.String(&c.auth, "auth", "GATEWAY_AUTH", "", `"passthrough" (forward the caller's bearer token) or "client-credentials" (CTP_CLIENT_ID, CTP_CLIENT_SECRET, CTP_AUTH_URL, CTP_SCOPES); default client-credentials with --upstream sim, else passthrough`)
	f.String(&c.logLevel, "log-level", "GATEWAY_LOG_LEVEL", "info", "debug, info, warn or error")
	f.String(&c.logFormat, "log-format", "GATEWAY_LOG_FORMAT", "text", "text or json")
	f.String(&c.debugAddr, "debug-addr", "GATEWAY_DEBUG_ADDR", "", "listen address of Go's profiles (/debug/pprof/); off when empty, keep it on loopback or an admin network")
	f.Bool(&c.reflection, "reflection", "GATEWAY_REFLECTION", true, "serve gRPC reflection")
	f.Duration(&c.drainTimeout, "drain-timeout", "GATEWAY_DRAIN_TIMEOUT", gateway.DefaultDrainTimeout, "how long in-flight calls may finish on SIGTERM")
	f.Duration(&c.defaultTimeout, "default-timeout", "GATEWAY_DEFAULT_TIMEOUT", upstream.DefaultTimeout, "deadline of calls whose caller sets none")
	f.Int64(&c.maxRequestBytes, "max-request-bytes", "GATEWAY_MAX_REQUEST_BYTES", gateway.DefaultMaxRequestBytes, "largest request body accepted")
	f.Int64(&c.maxResponseBytes, "max-response-bytes", "GATEWAY_MAX_RESPONSE_BYTES", gateway.DefaultMaxResponseBytes, "largest upstream response body accepted")
	f.Int(&c.maxConcurrentUpstream, "max-concurrent-upstream", "GATEWAY_MAX_CONCURRENT_UPSTREAM", upstream.DefaultMaxConcurrent, "upstream calls in flight before new calls fail fast")
	c.serving.register(f)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: connect-gateway [flags]\n\nServes the commercetools Connect API over gRPC (with rich error details) and over a REST face on Connect's paths.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\nClient credentials (with --auth client-credentials): CTP_CLIENT_ID, CTP_CLIENT_SECRET, CTP_AUTH_URL, CTP_SCOPES.\n")
		fmt.Fprintf(fs.Output(), "Tracing (off unless set): OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_TRACES_EXPORTER=otlp, OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf or grpc), OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER and the other OTEL_* variables.\n")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if len(f.errs) > 0 {
		return nil, errors.Join(f.errs...)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if c.region != "" {
		c.upstream = "https://connect." + c.region + ".commercetools.com"
	}
	if c.auth == "" {
		c.auth = gateway.AuthPassthrough
		if c.upstream == upstreamSim {
			c.auth = gateway.AuthClientCredentials
		}
	}
	return c, nil
}

func (c *config) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		level = slog.LevelInfo
	}
	hopts := &slog.HandlerOptions{Level: level}
	if c.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, hopts))
	}
	return slog.New(slog.NewTextHandler(w, hopts))
}

// options turns the command line into gateway Options. With --upstream sim
// the upstream URL and credentials are filled in once the simulator runs.
func (c *config) options(logger *slog.Logger) (gateway.Options, error) {
	opts := gateway.Options{
		GRPCAddr:              c.grpcAddr,
		HTTPAddr:              c.httpAddr,
		UpstreamURL:           c.upstream,
		Auth:                  c.auth,
		Reflection:            c.reflection,
		DrainTimeout:          c.drainTimeout,
		DefaultTimeout:        c.defaultTimeout,
		MaxRequestBytes:       c.maxRequestBytes,
		MaxResponseBytes:      c.maxResponseBytes,
		MaxConcurrentUpstream: c.maxConcurrentUpstream,
		Logger:                logger,
	}
	c.serving.apply(&opts)
	if c.auth == gateway.AuthClientCredentials && c.upstream != upstreamSim {
		cfg, err := upstream.ClientCredentialsFromEnv(c.getenv)
		if err != nil {
			return opts, err
		}
		if cfg.TLSConfig, err = opts.UpstreamTLS.Config(logger); err != nil {
			return opts, err
		}
		if opts.Credentials, err = upstream.NewClientCredentials(cfg); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// useSimulator points opts at the embedded simulator, with its demo API
// client unless CTP_CLIENT_ID names another.
func useSimulator(opts *gateway.Options, c *config, simURL string) error {
	opts.UpstreamURL = simURL
	if c.auth != gateway.AuthClientCredentials {
		return nil
	}
	demo := connectsim.DefaultClient()
	getenv := func(k string) string {
		if v := c.getenv(k); v != "" {
			return v
		}
		switch k {
		case "CTP_CLIENT_ID":
			return demo.ID
		case "CTP_CLIENT_SECRET":
			return demo.Secret
		case "CTP_AUTH_URL":
			return simURL
		case "CTP_SCOPES":
			return "manage_project:" + demo.ProjectKey
		}
		return ""
	}
	cfg, err := upstream.ClientCredentialsFromEnv(getenv)
	if err != nil {
		return err
	}
	opts.Credentials, err = upstream.NewClientCredentials(cfg)
	return err
}

func printTour(w io.Writer, c *config, simURL string) {
	fmt.Fprintf(w, `
connect-gateway on the embedded Connect API simulator (%s, project "demo")
  gRPC  %s   try: grpcurl -plaintext localhost%s list
  REST  %s   try: curl -s localhost%s/connectors/drafts
  See README.md for a tour: create a ConnectorStaged, provoke a ConcurrentModification, read the status.

`, simURL, c.grpcAddr, portOf(c.grpcAddr), c.httpAddr, portOf(c.httpAddr))
}

func portOf(addr string) string {
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		return addr[i:]
	}
	return addr
}
