package connectsim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// JournalEntry records one API request the simulator received.
type JournalEntry struct {
	// Seq numbers entries from 1, in arrival order.
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	Path   string    `json:"path"`
	Query  string    `json:"query,omitempty"`
	// Header holds the request headers; the values of Authorization,
	// Proxy-Authorization and Cookie are replaced by a fingerprint
	// ("Bearer sha256:1a2b3c4d5e6f"), so tests can compare them without
	// the journal holding secrets.
	Header http.Header `json:"header"`
	// BodyLength is the declared Content-Length (-1 when unknown).
	BodyLength int64 `json:"bodyLength"`
	// Status is the status written (0 while in flight or when the
	// connection was dropped before headers).
	Status int `json:"status"`
	// Fault is the kind of the fault applied, if any.
	Fault string `json:"fault,omitempty"`
	// Done reports whether the simulator finished handling the request.
	Done bool `json:"done"`
}

// Journal is a bounded record of the API requests received (admin requests
// are not recorded). The oldest entries drop out first.
type Journal struct {
	mu      sync.Mutex
	size    int
	seq     int64
	entries []*JournalEntry
	changed chan struct{} // closed and replaced whenever an entry is added
}

func newJournal(size int) *Journal { return &Journal{size: size, changed: make(chan struct{})} }

var redactedHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie"}

// Fingerprint returns what the journal shows for a secret header value:
// the scheme, if any, and the first 12 hex digits of the SHA-256 of the rest.
func Fingerprint(value string) string {
	scheme, secret, ok := strings.Cut(value, " ")
	if !ok {
		scheme, secret = "", value
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	fp := "sha256:" + hex.EncodeToString(sum[:])[:12]
	if scheme != "" {
		return scheme + " " + fp
	}
	return fp
}

func (j *Journal) record(r *http.Request, now time.Time) *JournalEntry {
	h := r.Header.Clone()
	for _, name := range redactedHeaders {
		if vs := h.Values(name); len(vs) > 0 {
			red := make([]string, len(vs))
			for i, v := range vs {
				red[i] = Fingerprint(v)
			}
			h[http.CanonicalHeaderKey(name)] = red
		}
	}
	e := &JournalEntry{Time: now, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: h, BodyLength: r.ContentLength}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	e.Seq = j.seq
	j.entries = append(j.entries, e)
	if len(j.entries) > j.size {
		j.entries = append(j.entries[:0], j.entries[len(j.entries)-j.size:]...)
	}
	close(j.changed)
	j.changed = make(chan struct{})
	return e
}

func (j *Journal) finish(e *JournalEntry, status int, fault string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e.Status, e.Fault, e.Done = status, fault, true
}

// Entries returns copies of the recorded entries, oldest first.
func (j *Journal) Entries() []JournalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]JournalEntry, len(j.entries))
	for i, e := range j.entries {
		out[i] = *e
		out[i].Header = e.Header.Clone()
	}
	return out
}

// Filter returns the entries of method (empty for any) whose path matches
// pattern (a glob as in [FaultRule].Path, or "re:" and a regexp).
func (j *Journal) Filter(method, pattern string) ([]JournalEntry, error) {
	re, err := compilePattern(pattern)
	if err != nil {
		return nil, err
	}
	return filterEntries(j.Entries(), method, re), nil
}

func filterEntries(all []JournalEntry, method string, re *regexp.Regexp) []JournalEntry {
	var out []JournalEntry
	for _, e := range all {
		if (method == "" || strings.EqualFold(method, e.Method)) && re.MatchString(e.Path) {
			out = append(out, e)
		}
	}
	return out
}

// Count returns how many recorded requests match method and pattern; a bad
// pattern counts nothing.
func (j *Journal) Count(method, pattern string) int {
	es, err := j.Filter(method, pattern)
	if err != nil {
		return 0
	}
	return len(es)
}

// Clear empties the journal; sequence numbers keep growing.
func (j *Journal) Clear() {
	j.mu.Lock()
	j.entries = nil
	j.mu.Unlock()
}

// Wait blocks until the journal holds at least n entries of method matching
// pattern (see Filter), or ctx ends. Entries are counted when a request
// arrives, before faults apply, so tests can wait for a request that hangs.
func (j *Journal) Wait(ctx context.Context, method, pattern string, n int) error {
	re, err := compilePattern(pattern)
	if err != nil {
		return err
	}
	for {
		j.mu.Lock()
		ch := j.changed
		j.mu.Unlock()
		if len(filterEntries(j.Entries(), method, re)) >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for %d %s %s requests: %w", n, method, pattern, ctx.Err())
		}
	}
}
