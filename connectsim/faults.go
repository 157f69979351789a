package connectsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind names what a fault does to a matching request.
type FaultKind string

// The fault kinds.
const (
	// FaultRespond answers with Status, Body (or the catalogue body of
	// Code) and ContentType, without serving the request.
	FaultRespond FaultKind = "respond"
	// FaultDelay waits Delay, then serves the request normally.
	FaultDelay FaultKind = "delay"
	// FaultHang never answers: it holds the request until the client gives
	// up (its context ends) or the simulator closes.
	FaultHang FaultKind = "hang"
	// FaultResetBeforeHeaders resets the TCP connection (RST) before any
	// byte of the response.
	FaultResetBeforeHeaders FaultKind = "reset-before-headers"
	// FaultResetAfterHeaders writes the status line and headers, then resets.
	FaultResetAfterHeaders FaultKind = "reset-after-headers"
	// FaultTruncate declares the full Content-Length of the response (Body,
	// or the real response when Body and Code are empty), writes half of
	// it, then closes the connection.
	FaultTruncate FaultKind = "truncate"
)

// Duration is a time.Duration that reads and writes JSON as "250ms".
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "250ms" or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		n, nerr := strconv.ParseInt(string(b), 10, 64)
		if nerr != nil {
			return fmt.Errorf("duration: %s is neither a string nor nanoseconds", b)
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = Duration(v)
	return nil
}

// FaultAction is what a fault does.
type FaultAction struct {
	Kind FaultKind `json:"kind"`
	// Status of a respond, reset-after-headers or truncate fault; zero means
	// the status of Code, or 500 (200 for truncate and reset-after-headers).
	Status int `json:"status,omitempty"`
	// Code, when set, makes the body the catalogue's ErrorResponse for that
	// code (General, BadGateway, ...), with Message as the message if set.
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// Body is the raw body when Code is empty.
	Body string `json:"body,omitempty"`
	// ContentType defaults to application/json.
	ContentType string `json:"contentType,omitempty"`
	// Headers are added to the response (Retry-After, ...).
	Headers map[string]string `json:"headers,omitempty"`
	// Delay of a delay fault.
	Delay Duration `json:"delay,omitempty"`
}

// FaultRule selects requests and says what to do with them.
type FaultRule struct {
	// ID is assigned by Add.
	ID string `json:"id,omitempty"`
	// Method matches the request method; empty matches any.
	Method string `json:"method,omitempty"`
	// Path matches the URL path: a glob where * matches within one segment
	// and ** across segments, or a regular expression prefixed with "re:".
	// Empty matches every path.
	Path string `json:"path,omitempty"`
	// Times is how many matching requests the rule applies to; 0 means all.
	Times int `json:"times,omitempty"`
	// Percent, when between 0 and 100 exclusive, applies the rule to that
	// share of matching requests (drawn from a seeded source).
	Percent float64 `json:"percent,omitempty"`
	// Action is what happens.
	Action FaultAction `json:"action"`
	// Hits counts the requests the rule applied to (read-only).
	Hits int `json:"hits"`
}

type faultState struct {
	rule FaultRule
	re   *regexp.Regexp
}

// Faults holds the fault rules of a simulator; its methods are safe for
// concurrent use. Rules are tried in the order they were added; the first
// that matches applies, and a rule whose Times are used up is removed.
type Faults struct {
	mu     sync.Mutex
	rules  []*faultState
	rng    *rand.Rand
	nextID int
}

func newFaults(seed uint64) *Faults {
	return &Faults{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Add validates and adds a rule; it returns the rule with its ID.
func (f *Faults) Add(rule FaultRule) (FaultRule, error) {
	re, err := compilePattern(rule.Path)
	if err != nil {
		return rule, fmt.Errorf("fault path %q: %w", rule.Path, err)
	}
	if err := rule.Action.validate(); err != nil {
		return rule, fmt.Errorf("fault action: %w", err)
	}
	if rule.Times < 0 || rule.Percent < 0 || rule.Percent > 100 {
		return rule, fmt.Errorf("fault: times must be >= 0 and percent within 0..100")
	}
	rule.Method = strings.ToUpper(rule.Method)
	rule.Hits = 0
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	rule.ID = "fault-" + strconv.Itoa(f.nextID)
	f.rules = append(f.rules, &faultState{rule: rule, re: re})
	return rule, nil
}

func (a FaultAction) validate() error {
	k, ok := faultKinds[a.Kind]
	if !ok {
		return fmt.Errorf("unknown kind %q", a.Kind)
	}
	if k.check != nil {
		return k.check(a)
	}
	return nil
}

// faultKind is what one FaultKind checks when a rule is added and does when
// the rule applies. apply reports whether the request should still be served
// normally (after a delay).
type faultKind struct {
	check func(FaultAction) error
	// waits reads the request body before apply: Go's server notices that
	// a client gave up only once the body is read, and a waiting fault must
	// notice.
	waits bool
	apply func(s *Simulator, w http.ResponseWriter, r *http.Request, a FaultAction) bool
}

// faultKinds is every fault kind: adding one is adding its constant and its
// row here.
var faultKinds = map[FaultKind]faultKind{
	FaultRespond: {check: checkResponse, apply: func(s *Simulator, w http.ResponseWriter, r *http.Request, a FaultAction) bool {
		status, body, ctype := s.faultResponse(r, a, http.StatusInternalServerError)
		writeFaultHeaders(w, a, status, ctype, len(body))
		_, _ = w.Write(body)
		return false
	}},
	FaultDelay: {check: checkDelay, waits: true, apply: func(s *Simulator, _ http.ResponseWriter, r *http.Request, a FaultAction) bool {
		t := time.NewTimer(time.Duration(a.Delay))
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-r.Context().Done():
			return false
		case <-s.closing:
			panic(http.ErrAbortHandler)
		}
	}},
	FaultHang: {waits: true, apply: func(s *Simulator, _ http.ResponseWriter, r *http.Request, _ FaultAction) bool {
		select {
		case <-r.Context().Done():
			return false
		case <-s.closing:
			panic(http.ErrAbortHandler)
		}
	}},
	FaultResetBeforeHeaders: {apply: func(_ *Simulator, w http.ResponseWriter, _ *http.Request, _ FaultAction) bool {
		hijackAndClose(w, false, true)
		return false
	}},
	FaultResetAfterHeaders: {check: checkResponse, apply: func(s *Simulator, w http.ResponseWriter, r *http.Request, a FaultAction) bool {
		status, body, ctype := s.faultResponse(r, a, http.StatusOK)
		writeFaultHeaders(w, a, status, ctype, len(body))
		hijackAndClose(w, true, true)
		return false
	}},
	FaultTruncate: {check: checkResponse, apply: func(s *Simulator, w http.ResponseWriter, r *http.Request, a FaultAction) bool {
		status, body, ctype := s.faultResponse(r, a, http.StatusOK)
		writeFaultHeaders(w, a, status, ctype, len(body)+1)
		_, _ = w.Write(body[:len(body)/2]) // the client may be gone; the fault is done either way
		hijackAndClose(w, true, false)
		return false
	}},
}

// checkResponse checks the status and code of a fault that writes a response.
func checkResponse(a FaultAction) error {
	if a.Status != 0 && (a.Status < 100 || a.Status > 999) {
		return fmt.Errorf("status %d is not an HTTP status", a.Status)
	}
	if a.Code != "" && !catalogued(a.Code) {
		return fmt.Errorf("code %q is not in the catalogue", a.Code)
	}
	return nil
}

func checkDelay(a FaultAction) error {
	if a.Delay <= 0 {
		return fmt.Errorf("a delay fault needs a positive delay")
	}
	return nil
}

// Remove deletes the rule with id; it reports whether there was one.
func (f *Faults) Remove(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, st := range f.rules {
		if st.rule.ID == id {
			f.rules = append(f.rules[:i], f.rules[i+1:]...)
			return true
		}
	}
	return false
}

// Clear removes every rule.
func (f *Faults) Clear() {
	f.mu.Lock()
	f.rules = nil
	f.mu.Unlock()
}

// Rules returns the current rules, with their hit counts.
func (f *Faults) Rules() []FaultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FaultRule, len(f.rules))
	for i, st := range f.rules {
		out[i] = st.rule
	}
	return out
}

// match returns the rule that applies to r, counting the hit.
func (f *Faults) match(r *http.Request) (FaultRule, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, st := range f.rules {
		if st.rule.Method != "" && st.rule.Method != r.Method || !st.re.MatchString(r.URL.Path) {
			continue
		}
		if p := st.rule.Percent; p > 0 && p < 100 && f.rng.Float64()*100 >= p {
			continue
		}
		st.rule.Hits++
		if st.rule.Times > 0 && st.rule.Hits >= st.rule.Times {
			f.rules = append(f.rules[:i], f.rules[i+1:]...)
		}
		return st.rule, true
	}
	return FaultRule{}, false
}

// compilePattern turns a glob (or "re:" regexp) into an anchored regexp.
func compilePattern(p string) (*regexp.Regexp, error) {
	if expr, ok := strings.CutPrefix(p, "re:"); ok {
		return regexp.Compile(expr)
	}
	if p == "" {
		p = "**"
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch {
		case strings.HasPrefix(p[i:], "**"):
			b.WriteString(".*")
			i++
		case p[i] == '*':
			b.WriteString("[^/]*")
		case p[i] == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// applyFault does what rule says; it reports whether the request should
// still be served normally (after a delay). A kind without a row in
// faultKinds is an error, never a default.
func (s *Simulator) applyFault(w http.ResponseWriter, r *http.Request, rule FaultRule) (serve bool, err error) {
	a := rule.Action
	k, ok := faultKinds[a.Kind]
	if !ok {
		return false, fmt.Errorf("fault %s: unknown kind %q", rule.ID, a.Kind)
	}
	if k.waits {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			return false, nil // the client is gone: nothing to serve
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return k.apply(s, w, r, a), nil
}

// faultResponse returns the status, body and content type a fault writes.
// With neither Code nor Body, truncate and reset-after-headers use the real
// response of the request.
func (s *Simulator) faultResponse(r *http.Request, a FaultAction, defStatus int) (int, []byte, string) {
	ctype := a.ContentType
	if ctype == "" {
		ctype = "application/json; charset=utf-8"
	}
	switch {
	case a.Code != "":
		e := NewError(a.Code, nil, nil)
		if a.Message != "" {
			e.Message = a.Message
		}
		if a.Status != 0 {
			e.Status = a.Status
		}
		return e.Status, e.Body(), ctype
	case a.Body != "" || a.Kind == FaultRespond:
		status := a.Status
		if status == 0 {
			status = defStatus
		}
		return status, []byte(a.Body), ctype
	}
	rec := httptest.NewRecorder()
	s.serveAPI(rec, r)
	status := rec.Code
	if a.Status != 0 {
		status = a.Status
	}
	if ct := rec.Header().Get("Content-Type"); a.ContentType == "" && ct != "" {
		ctype = ct
	}
	return status, rec.Body.Bytes(), ctype
}

func writeFaultHeaders(w http.ResponseWriter, a FaultAction, status int, ctype string, length int) {
	h := w.Header()
	for k, v := range a.Headers {
		h.Set(k, v)
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(length))
	w.WriteHeader(status)
}

// hijackAndClose takes the connection over and closes it: after flushing
// what was written when flush is set, and with SO_LINGER 0 (a TCP RST
// instead of a FIN) when reset is set. Where the connection cannot be
// hijacked (HTTP/2, recorders) the handler aborts instead.
func hijackAndClose(w http.ResponseWriter, flush, reset bool) {
	rc := http.NewResponseController(w)
	if flush {
		_ = rc.Flush() // best effort: a failed flush means the client is gone
	}
	conn, buf, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if buf != nil {
		_ = buf.Flush() // best effort: the connection is being dropped anyway
	}
	if reset {
		if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
			_ = tc.SetLinger(0) // without it the close is a FIN instead of a RST
		}
	}
	_ = conn.Close() // nothing to do about a failed close of a dropped connection
}
