package connectsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is a simulator listening on a socket.
type Server struct {
	// URL is the base URL, such as http://127.0.0.1:41234.
	URL string
	// Sim is the simulator it serves.
	Sim *Simulator

	srv      *http.Server
	done     chan struct{} // closed when Serve returns
	stopCtx  func() bool
	serveErr error
}

// Start serves a new simulator on a free loopback port (127.0.0.1:0). The
// server runs until Close or Shutdown, or until ctx ends.
func Start(ctx context.Context, opts Options) (*Server, error) {
	return Listen(ctx, "127.0.0.1:0", opts)
}

// Listen serves a new simulator on addr. The server runs until Close or
// Shutdown, or until ctx ends.
func Listen(ctx context.Context, addr string, opts Options) (*Server, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect-sim: listen on %s: %w", addr, err)
	}
	sim := New(opts)
	s := &Server{
		URL:  "http://" + ln.Addr().String(),
		Sim:  sim,
		srv:  &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.serveErr = err
		}
	}()
	s.stopCtx = context.AfterFunc(ctx, func() { _ = s.Close() })
	return s, nil
}

// Close stops the server at once: hanging faults end, connections close.
func (s *Server) Close() error {
	s.stopCtx()
	s.Sim.Close()
	err := s.srv.Close()
	<-s.done
	if err == nil {
		err = s.serveErr
	}
	if err != nil {
		return fmt.Errorf("connect-sim: close: %w", err)
	}
	return nil
}

// Shutdown stops the server gracefully: it ends hanging faults, then waits
// for in-flight requests until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopCtx()
	s.Sim.Close()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close() // the graceful stop timed out; drop the rest
	}
	<-s.done
	if err != nil {
		return fmt.Errorf("connect-sim: shutdown: %w", err)
	}
	return s.serveErr
}

// Run serves a simulator on addr until ctx ends, then shuts it down
// gracefully (in-flight requests get 5 seconds). It is what cmd/connect-sim
// runs.
func Run(ctx context.Context, addr string, opts Options) error {
	srv, err := Listen(context.WithoutCancel(ctx), addr, opts)
	if err != nil {
		return err
	}
	log := srv.Sim.opts.Logger // the defaulted one
	log.Info("connect-sim listening", "url", srv.URL, "admin", srv.URL+adminPrefix)
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
