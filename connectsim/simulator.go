package connectsim

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Simulator is the in-memory Connect API. It is an [http.Handler]; every
// method is safe for concurrent use.
type Simulator struct {
	opts    Options
	clock   *simClock
	tokens  *tokenStore
	faults  *Faults
	journal *Journal
	admin   *http.ServeMux

	mu sync.Mutex // guards st
	st *store

	closeOnce sync.Once
	closing   chan struct{} // closed by Close: ends hanging faults
}

// store is the simulator's state; Simulator.mu guards it.
type store struct {
	repos       map[string]RepositorySpec
	staged      map[string]*ConnectorStaged
	connectors  map[string]*Connector
	deployments map[string]*Deployment
	production  map[string]bool
	order       int64     // the last creation order handed out
	due         time.Time // the earliest pending transition; zero when none
}

// schedule notes that a transition is due at t, so tickLocked looks.
func (st *store) schedule(t time.Time) {
	if st.due.IsZero() || t.Before(st.due) {
		st.due = t
	}
}

func (st *store) next() int64 {
	st.order++
	return st.order
}

// New returns a simulator configured by opts.
func New(opts Options) *Simulator {
	opts = opts.withDefaults()
	s := &Simulator{
		opts:    opts,
		clock:   &simClock{base: opts.Clock},
		closing: make(chan struct{}),
	}
	s.tokens = newTokenStore(opts.Clients, opts.TokenTTL)
	s.faults = newFaults(opts.FaultSeed)
	s.journal = newJournal(opts.JournalSize)
	s.admin = s.adminMux()
	s.st = s.freshStore()
	if opts.Seed {
		s.SeedDemo()
	}
	return s
}

func (s *Simulator) freshStore() *store {
	st := &store{
		repos:       map[string]RepositorySpec{},
		staged:      map[string]*ConnectorStaged{},
		connectors:  map[string]*Connector{},
		deployments: map[string]*Deployment{},
		production:  map[string]bool{},
	}
	for _, r := range builtinRepositories() {
		st.repos[repoKey(r.URL, r.Tag)] = r
	}
	for _, p := range s.opts.ProductionProjects {
		st.production[p] = true
	}
	return st
}

// Reset returns the simulator to a clean state: no resources, the built-in
// repositories only, production settings from Options, no faults, an empty
// journal; then the demo data if Options.Seed. Issued tokens and the clock
// are kept, so a test's client stays valid.
func (s *Simulator) Reset() {
	s.mu.Lock()
	s.st = s.freshStore()
	s.mu.Unlock()
	s.faults.Clear()
	s.journal.Clear()
	if s.opts.Seed {
		s.SeedDemo()
	}
}

// Now returns the simulator's time.
func (s *Simulator) Now() time.Time { return s.clock.Now() }

// Advance moves the simulator's clock forward by d and applies every
// lifecycle transition that became due. It returns the new time.
func (s *Simulator) Advance(d time.Duration) time.Time {
	now := s.clock.advance(d)
	s.mu.Lock()
	s.tickLocked(now)
	s.mu.Unlock()
	return now
}

// Faults returns the fault injector (the same rules as the admin API's).
func (s *Simulator) Faults() *Faults { return s.faults }

// Journal returns the journal of requests received.
func (s *Simulator) Journal() *Journal { return s.journal }

// AddRepository adds (or replaces) an entry of the repository catalogue.
func (s *Simulator) AddRepository(spec RepositorySpec) error {
	if err := spec.validate(); err != nil {
		return fmt.Errorf("add repository %s@%s: %w", spec.URL, spec.Tag, err)
	}
	spec.Applications = cloneApps(spec.Applications)
	spec.GlobalConfiguration = cloneGlobal(spec.GlobalConfiguration)
	s.mu.Lock()
	s.st.repos[repoKey(spec.URL, spec.Tag)] = spec
	s.mu.Unlock()
	return nil
}

// SetProductionEnabled enables or disables production deployments in a project.
func (s *Simulator) SetProductionEnabled(projectKey string, enabled bool) {
	s.mu.Lock()
	s.st.production[projectKey] = enabled
	s.mu.Unlock()
}

// Close ends every hanging fault. The simulator still answers afterwards.
func (s *Simulator) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
}

// ServeHTTP serves the Connect API, POST /oauth/token, and the admin API
// under /_sim/ (see admin.go for its routes). Every API request is journaled,
// then fault rules are applied, then it is served.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	corr := r.Header.Get("X-Correlation-ID")
	if corr == "" {
		corr = "connect-sim-" + newID()
	}
	w.Header().Set("X-Correlation-ID", corr)
	if strings.HasPrefix(r.URL.Path, adminPrefix) && !s.opts.DisableAdmin {
		s.serveAdmin(w, r)
		return
	}
	start := time.Now()
	entry := s.journal.record(r, s.clock.Now())
	rec := &recorder{ResponseWriter: w}
	var fault string
	defer func() {
		s.journal.finish(entry, rec.status, fault)
		s.opts.Logger.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.String("correlationId", corr), slog.String("fault", fault), slog.Duration("elapsed", time.Since(start)))
	}()
	if rule, ok := s.faults.match(r); ok {
		fault = string(rule.Action.Kind)
		serve, err := s.applyFault(rec, r, rule)
		if err != nil {
			s.opts.Logger.LogAttrs(r.Context(), slog.LevelError, "fault", slog.String("error", err.Error()))
			writeError(rec, NewError(codeGeneral, nil, nil))
			return
		}
		if !serve {
			return
		}
	}
	s.serveAPI(rec, r)
}

// recorder remembers the status written (0 until one is: a connection
// dropped before headers keeps 0, as JournalEntry.Status says), and lets
// faults hijack the connection.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write without WriteHeader sends 200, as net/http does.
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// newID returns a random UUID (version 4) string.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
