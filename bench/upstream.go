package bench

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// stagedPrefix is the path of the ConnectorStaged routes the upstream serves.
const stagedPrefix = "/connectors/drafts/"

// fixedUpstream answers every GET /connectors/drafts/{ref} with
// Bodies.Staged (200), a POST to it at Bodies.Version with Bodies.Updated
// (201) and any other POST with Bodies.Conflict (409), after Delay. Anything else is a 404 with an empty JSON object. It echoes
// X-Correlation-ID, as the Connect API does. It reads no state, so its cost
// is the same for every caller.
type fixedUpstream struct {
	bodies Bodies
	delay  time.Duration
	// stagedLen, updatedLen and conflictLen are the precomputed
	// Content-Length values.
	stagedLen, updatedLen, conflictLen []string
	// inFlight counts the requests being served.
	inFlight gauge
	// gate, when set, holds every request until it is closed.
	gate atomic.Pointer[chan struct{}]
}

var jsonContentType = []string{"application/json; charset=utf-8"}

func newFixedUpstream(b Bodies, delay time.Duration) *fixedUpstream {
	return &fixedUpstream{
		bodies:      b,
		delay:       delay,
		stagedLen:   []string{strconv.Itoa(len(b.Staged))},
		updatedLen:  []string{strconv.Itoa(len(b.Updated))},
		conflictLen: []string{strconv.Itoa(len(b.Conflict))},
	}
}

func (u *fixedUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.inFlight.add(1)
	defer u.inFlight.add(-1)
	if g := u.gate.Load(); g != nil {
		select {
		case <-*g:
		case <-r.Context().Done():
			return
		}
	}
	if u.delay > 0 {
		t := time.NewTimer(u.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	h := w.Header()
	if cid := r.Header["X-Correlation-Id"]; len(cid) > 0 {
		h["X-Correlation-Id"] = cid
	}
	h["Content-Type"] = jsonContentType
	if !strings.HasPrefix(r.URL.Path, stagedPrefix) || len(r.URL.Path) == len(stagedPrefix) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("{}"))
		return
	}
	switch r.Method {
	case http.MethodGet:
		h["Content-Length"] = u.stagedLen
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(u.bodies.Staged)
	case http.MethodPost:
		var update struct {
			Version int32 `json:"version"`
		}
		if body, err := io.ReadAll(r.Body); err == nil && json.Unmarshal(body, &update) == nil && update.Version == u.bodies.Version {
			h["Content-Length"] = u.updatedLen
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(u.bodies.Updated)
			return
		}
		h["Content-Length"] = u.conflictLen
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write(u.bodies.Conflict)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}
