package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// serveDebug serves Go's profiles of the running gateway (net/http/pprof:
// heap, allocs, goroutine, CPU profile, execution trace, symbols) on addr
// until ctx ends, and returns the address it listens on. The profiles are on
// a listener of their own, never on the REST face's; the command line page
// is left out (it is nobody's business what the process was started with).
// Profiles hold stack traces and sizes, not memory contents: no token or
// secured value appears in them.
func serveDebug(ctx context.Context, addr string, logger *slog.Logger) (net.Addr, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("debug listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index) // and the named profiles: heap, goroutine, allocs, ...
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/cmdline", http.NotFound)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("debug listener", "error", err)
		}
	}()
	context.AfterFunc(ctx, func() { _ = srv.Close() })
	logger.Info("debug: Go profiles under /debug/pprof/", "addr", l.Addr().String())
	return l.Addr(), nil
}
