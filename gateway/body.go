package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/connect-gateway/connect-gateway/gateway/internal/limitread"
	errorsv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/errors/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// bodyReaders bounds the REST request bodies being read. Reading a body
// holds one of the upstream client's concurrency slots, like the upstream
// call it precedes, so that a crowd of clients sending slowly is bounded by
// the same limit as calls in flight; and readers may hold at most half of
// those slots, so that they can never take all of them: calls without a
// body (every gRPC call, REST reads and deletes) always find a slot.
type bodyReaders struct {
	share chan struct{}
	n     atomic.Int64 // bodies being read, for tests and the log
}

func newBodyReaders(maxConcurrent int) *bodyReaders {
	return &bodyReaders{share: make(chan struct{}, max(1, maxConcurrent/2))}
}

// readBody reads hr's body, at most MaxRequestBytes of it, into memory only
// as fast as it arrives (a declared Content-Length allocates nothing ahead
// of the bytes), within BodyTimeout of the start of the read. A reader over
// the readers' share of the concurrency bound is turned away at once with
// UNAVAILABLE (CONCURRENCY_LIMIT), as an upstream call over the bound is.
func (g *Gateway) readBody(w http.ResponseWriter, hr *http.Request, target translate.Target) ([]byte, error) {
	limit := g.opts.MaxRequestBytes
	if hr.ContentLength > limit {
		return nil, tooLarge(hr.ContentLength, limit, target)
	}
	select {
	case g.readers.share <- struct{}{}:
	default:
		return nil, g.readersFull(target)
	}
	defer func() { <-g.readers.share }()
	release, err := g.upstream.Acquire(hr.Context())
	if err != nil {
		return nil, g.upstreamError(err, target)
	}
	defer release()
	g.readers.n.Add(1)
	defer g.readers.n.Add(-1)

	rc := http.NewResponseController(w)
	deadlineSet := rc.SetReadDeadline(time.Now().Add(g.opts.BodyTimeout)) == nil
	body, over, err := limitread.Read(http.MaxBytesReader(w, hr.Body, limit+1), hr.ContentLength, limit)
	if deadlineSet {
		// The connection reads on after the body (to notice a client that
		// goes away): a deadline left in place would end the call.
		_ = rc.SetReadDeadline(time.Time{})
	}
	switch {
	case over:
		return nil, tooLarge(-1, limit, target)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_INVALID_REQUEST,
			fmt.Sprintf("the request body did not arrive within the gateway's body timeout of %v", g.opts.BodyTimeout), target,
			map[string]string{"timeout": g.opts.BodyTimeout.String()})
	case err != nil:
		return nil, translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_INVALID_REQUEST,
			"reading the request body: "+err.Error(), target, nil)
	}
	return body, nil
}

func (g *Gateway) readersFull(target translate.Target) error {
	return translate.NewError(errorsv1.GatewayReason_GATEWAY_REASON_CONCURRENCY_LIMIT,
		fmt.Sprintf("%d request bodies are being read, the gateway's share for them", cap(g.readers.share)), target, nil)
}
