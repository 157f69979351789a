package gateway

import (
	"context"
	"sync"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// watches tracks the streams of grpc.health.v1.Health/Watch so that a
// graceful stop is not held by them. GracefulStop waits for every stream,
// and a Watch stream never ends on its own: any client with health checking
// on (grpc-go's client-side health checks use Watch) would hold every drain
// until DrainTimeout. Once draining, each Watch stream ends (CANCELLED)
// right after it has told its client NOT_SERVING, so that clients still
// learn the new status first.
type watches struct {
	mu       sync.Mutex
	draining bool
	streams  map[*watchStream]struct{}
}

// intercept is a grpc.StreamServerInterceptor.
func (w *watches) intercept(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if info.FullMethod != healthpb.Health_Watch_FullMethodName {
		return handler(srv, ss)
	}
	ctx, cancel := context.WithCancel(ss.Context())
	defer cancel()
	s := &watchStream{ServerStream: ss, ctx: ctx, cancel: cancel, w: w}
	w.mu.Lock()
	if w.streams == nil {
		w.streams = map[*watchStream]struct{}{}
	}
	w.streams[s] = struct{}{}
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.streams, s)
		w.mu.Unlock()
	}()
	return handler(srv, s)
}

// drain turns the health status NOT_SERVING with setNotServing and ends
// every Watch stream once it has sent a status other than SERVING.
func (w *watches) drain(setNotServing func()) {
	w.mu.Lock()
	w.draining = true
	w.mu.Unlock()
	setNotServing()
	w.mu.Lock()
	defer w.mu.Unlock()
	for s := range w.streams {
		if s.told() {
			s.cancel()
		}
	}
}

func (w *watches) isDraining() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.draining
}

// watchStream is a Watch stream whose context the gateway can end.
type watchStream struct {
	grpc.ServerStream
	ctx    context.Context
	cancel context.CancelFunc
	w      *watches

	mu         sync.Mutex
	notServing bool // the last status sent was not SERVING
}

func (s *watchStream) Context() context.Context { return s.ctx }

func (s *watchStream) SendMsg(m any) error {
	err := s.ServerStream.SendMsg(m)
	if r, ok := m.(*healthpb.HealthCheckResponse); ok {
		s.mu.Lock()
		s.notServing = r.GetStatus() != healthpb.HealthCheckResponse_SERVING
		s.mu.Unlock()
		if s.notServing && s.w.isDraining() {
			s.cancel()
		}
	}
	return err
}

// told reports whether the client has been sent a status other than SERVING.
func (s *watchStream) told() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notServing
}
