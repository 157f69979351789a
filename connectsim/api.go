package connectsim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// call is one API request being served.
type call struct {
	r       *http.Request
	tok     *token
	project string // the {projectKey} of deployment paths
	ref     ref    // the addressed resource, if any
	body    []byte // the request body of a POST
}

// serveAPI routes an API request (see [Simulator.route]) and serves it.
func (s *Simulator) serveAPI(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) == 2 && segs[0] == "oauth" && segs[1] == "token" {
		s.serveToken(w, r)
		return
	}
	c := &call{r: r}
	b, err := s.route(c, segs)
	if err == nil && b == nil {
		err = errNotFound("Resource", ref{ID: r.URL.Path})
	}
	if err != nil {
		writeError(w, err)
		return
	}
	tok, err := s.authenticate(r)
	if err != nil {
		writeError(w, err)
		return
	}
	c.tok = tok
	if err := authorize(tok, b.scopes); err != nil {
		writeError(w, err)
		return
	}
	if c.project != "" && c.project != tok.project {
		writeError(w, errAccessDenied())
		return
	}
	if r.Method == http.MethodPost {
		// Read the body before taking the lock: a slow client must not stall others.
		if c.body, err = readBody(r); err != nil {
			writeError(w, err)
			return
		}
	}
	s.mu.Lock()
	s.tickLocked(s.clock.Now())
	status, body, err := b.serve(s, c)
	var out []byte
	if err == nil {
		// Marshal under the lock: body may point into the store.
		out, err = marshal(body)
	}
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, status, out)
}

func marshal(v any) ([]byte, *Error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, NewError(codeGeneral, nil, nil)
	}
	return b, nil
}
