package connectsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// adminPrefix is the reserved path prefix of the admin API.
const adminPrefix = "/_sim/"

// The admin API (no authentication; JSON in and out):
//
//	GET    /_sim/faults                  the fault rules
//	POST   /_sim/faults                  add a FaultRule; 201 with its id
//	DELETE /_sim/faults                  remove every rule
//	DELETE /_sim/faults/{id}             remove one rule
//	POST   /_sim/reset                   Reset
//	POST   /_sim/seed                    SeedDemo
//	GET    /_sim/clock                   {"now": ...}
//	POST   /_sim/clock/advance           {"duration":"30s"}: Advance
//	GET    /_sim/journal?method=&path=   journal entries (path: a glob)
//	DELETE /_sim/journal                 clear the journal
//	POST   /_sim/repositories            add a RepositorySpec
//	PUT    /_sim/projects/{key}/production  {"enabled":true}
func (s *Simulator) adminMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sim/faults", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.faults.Rules())
	})
	mux.HandleFunc("POST /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var rule FaultRule
		if !readAdmin(w, r, &rule) {
			return
		}
		added, err := s.faults.Add(rule)
		if err != nil {
			adminError(w, http.StatusBadRequest, err)
			return
		}
		writeJSON(w, http.StatusCreated, added)
	})
	mux.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, _ *http.Request) {
		s.faults.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /_sim/faults/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !s.faults.Remove(r.PathValue("id")) {
			adminError(w, http.StatusNotFound, fmt.Errorf("no fault rule %q", r.PathValue("id")))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_sim/reset", func(w http.ResponseWriter, _ *http.Request) {
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_sim/seed", func(w http.ResponseWriter, _ *http.Request) {
		s.SeedDemo()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_sim/clock", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]time.Time{"now": s.Now()})
	})
	mux.HandleFunc("POST /_sim/clock/advance", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Duration Duration `json:"duration"`
		}
		if !readAdmin(w, r, &body) {
			return
		}
		if body.Duration < 0 {
			adminError(w, http.StatusBadRequest, fmt.Errorf("the clock only moves forward"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]time.Time{"now": s.Advance(time.Duration(body.Duration))})
	})
	mux.HandleFunc("GET /_sim/journal", func(w http.ResponseWriter, r *http.Request) {
		es, err := s.journal.Filter(r.URL.Query().Get("method"), r.URL.Query().Get("path"))
		if err != nil {
			adminError(w, http.StatusBadRequest, err)
			return
		}
		if es == nil {
			es = []JournalEntry{}
		}
		writeJSON(w, http.StatusOK, es)
	})
	mux.HandleFunc("DELETE /_sim/journal", func(w http.ResponseWriter, _ *http.Request) {
		s.journal.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_sim/repositories", func(w http.ResponseWriter, r *http.Request) {
		var spec RepositorySpec
		if !readAdmin(w, r, &spec) {
			return
		}
		if err := s.AddRepository(spec); err != nil {
			adminError(w, http.StatusBadRequest, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("PUT /_sim/projects/{key}/production", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Enabled bool `json:"enabled"`
		}
		if !readAdmin(w, r, &body) {
			return
		}
		s.SetProductionEnabled(r.PathValue("key"), body.Enabled)
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func (s *Simulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	s.admin.ServeHTTP(w, r)
}

func readAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		adminError(w, http.StatusBadRequest, fmt.Errorf("admin request body: %w", err))
		return false
	}
	return true
}

func adminError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// MarshalJSON writes the state as "valid", "missing" or "invalid".
func (st SpecState) MarshalJSON() ([]byte, error) {
	return json.Marshal(st.String())
}

// UnmarshalJSON reads "valid", "missing" or "invalid".
func (st *SpecState) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("spec state: %w", err)
	}
	for c := SpecValid; c <= SpecInvalid; c++ {
		if c.String() == v {
			*st = c
			return nil
		}
	}
	return fmt.Errorf("spec state %q is not valid, missing or invalid", v)
}

// String names the state.
func (st SpecState) String() string {
	switch st {
	case SpecMissing:
		return "missing"
	case SpecInvalid:
		return "invalid"
	}
	return "valid"
}
