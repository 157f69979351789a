package connectsim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// handler serves one API operation with the simulator's lock held and due
// transitions applied. It returns the success status and body, or an error.
type handler func(c *call) (int, any, *Error)

// call is one API request being served.
type call struct {
	r       *http.Request
	tok     *token
	project string // the {projectKey} of deployment paths
	ref     ref    // the addressed resource, if any
	body    []byte // the request body of a POST
}

// serveAPI routes an API request. Connect's "key=" path segments cannot be
// expressed as http.ServeMux patterns next to "/{projectKey}/deployments",
// so the routing is a switch on the path's segments.
func (s *Simulator) serveAPI(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) == 2 && segs[0] == "oauth" && segs[1] == "token" {
		s.serveToken(w, r)
		return
	}
	c := &call{r: r}
	h, scopes, err := s.route(c, segs)
	if err == nil && h == nil {
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
	if err := authorize(tok, scopes); err != nil {
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
	status, body, err := h(c)
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

// route picks the handler and the scopes it needs; it parses path
// parameters (InvalidPathParam) but does no authentication yet, so that an
// unknown route answers 404 whoever asks. A nil handler means no route.
func (s *Simulator) route(c *call, segs []string) (handler, []string, *Error) {
	m := c.r.Method
	var err *Error
	switch {
	case len(segs) >= 2 && segs[0] == "connectors" && segs[1] == "drafts":
		switch {
		case len(segs) == 2 && m == http.MethodPost:
			return s.createStaged, traitManageConnectors, nil
		case len(segs) == 2 && m == http.MethodGet:
			return s.queryStaged, traitViewConnectors, nil
		case len(segs) == 3:
			if c.ref, err = parseRef(segs[2]); err != nil {
				return nil, nil, err
			}
			switch m {
			case http.MethodGet:
				return s.getStaged, traitViewConnectors, nil
			case http.MethodPost:
				return s.updateStaged, traitManageConnectors, nil
			case http.MethodDelete:
				return s.deleteStaged, traitManageConnectors, nil
			}
		}
	case len(segs) == 2 && segs[0] == "connectors" && m == http.MethodGet:
		if segs[1] == "search" {
			return s.searchConnectors, traitViewConnectors, nil
		}
		if c.ref, err = parseRef(segs[1]); err != nil {
			return nil, nil, err
		}
		return s.getConnector, traitViewConnectors, nil
	case len(segs) >= 2 && segs[1] == "deployments":
		if !projectKeyPattern.MatchString(segs[0]) {
			return nil, nil, errPath("projectKey %q must match %s", segs[0], projectKeyPattern)
		}
		c.project = segs[0]
		return s.routeDeployments(c, segs[2:])
	}
	return nil, nil, nil
}

func (s *Simulator) routeDeployments(c *call, rest []string) (handler, []string, *Error) {
	m := c.r.Method
	if len(rest) == 0 {
		switch m {
		case http.MethodPost:
			return s.createDeployment, traitManageDeployments, nil
		case http.MethodGet:
			return s.queryDeployments, traitViewDeployments, nil
		}
		return nil, nil, nil
	}
	var err *Error
	if c.ref, err = parseRef(rest[0]); err != nil {
		return nil, nil, err
	}
	switch {
	case len(rest) == 1 && m == http.MethodGet:
		return s.getDeployment, traitViewDeployments, nil
	case len(rest) == 1 && m == http.MethodPost:
		return s.updateDeployment, traitManageDeployments, nil
	case len(rest) == 1 && m == http.MethodDelete:
		return s.deleteDeployment, traitManageDeployments, nil
	case len(rest) == 2 && rest[1] == "logs" && m == http.MethodGet:
		return s.deploymentLogs, traitViewDeployments, nil
	case len(rest) == 3 && rest[1] == "logs" && rest[2] == "stream" && m == http.MethodGet:
		return func(*call) (int, any, *Error) {
			return 0, nil, errFeatureRemoved("deployment log stream (/logs/stream)")
		}, traitViewDeployments, nil
	}
	return nil, nil, nil
}

func marshal(v any) ([]byte, *Error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, NewError(codeGeneral, nil, nil)
	}
	return b, nil
}
