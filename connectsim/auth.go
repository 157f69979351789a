package connectsim

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/connect-gateway/connect-gateway/internal/pathparam"
)

// token is an issued bearer token: bound to a project and qualified scopes.
type token struct {
	clientID string
	project  string
	scopes   []string // "manage_project:demo"
	expires  time.Time
}

type tokenStore struct {
	ttl     time.Duration
	mu      sync.Mutex
	clients map[string]Client
	tokens  map[string]*token
}

func newTokenStore(clients []Client, ttl time.Duration) *tokenStore {
	ts := &tokenStore{ttl: ttl, clients: map[string]Client{}, tokens: map[string]*token{}}
	for _, c := range clients {
		ts.clients[c.ID] = c
	}
	return ts
}

// qualify returns scope as "name:project", checking a qualified scope's project.
func qualify(scope, project string) (string, bool) {
	name, p, ok := strings.Cut(scope, ":")
	if ok && p != project {
		return "", false
	}
	return name + ":" + project, slices.Contains(AllScopes(), name)
}

func (ts *tokenStore) issue(c Client, scopes []string, now time.Time) (string, *token) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	access := base64.RawURLEncoding.EncodeToString(b[:])
	t := &token{clientID: c.ID, project: c.ProjectKey, scopes: scopes, expires: now.Add(ts.ttl)}
	ts.mu.Lock()
	for k, old := range ts.tokens { // drop expired tokens so the map stays bounded
		if !now.Before(old.expires) {
			delete(ts.tokens, k)
		}
	}
	ts.tokens[access] = t
	ts.mu.Unlock()
	return access, t
}

func (ts *tokenStore) lookup(access string, now time.Time) (*token, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.tokens[access]
	if !ok || !now.Before(t.expires) {
		return nil, false
	}
	return t, true
}

// clientScopes returns the client's scopes, qualified with its project.
func clientScopes(c Client) []string {
	var out []string
	for _, s := range c.Scopes {
		if q, ok := qualify(s, c.ProjectKey); ok {
			out = append(out, q)
		}
	}
	return out
}

// Token mints a bearer token for c, with all of c's scopes, as
// POST /oauth/token would. c need not be one of Options.Clients, so tests
// can mint tokens with fewer scopes or for other projects.
func (s *Simulator) Token(ctx context.Context, c Client) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	if !pathparam.ProjectKey.Match(c.ProjectKey) {
		return "", fmt.Errorf("mint token: project key %q is not valid", c.ProjectKey)
	}
	access, _ := s.tokens.issue(c, clientScopes(c), s.clock.Now())
	return access, nil
}

// tokenResponse is the OAuth token response.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// oauthError is an error of the token endpoint that the catalogue does not
// hold (OAuth protocol errors: unsupported_grant_type, invalid_scope,
// invalid_request): the Connect error shape with the OAuth "error" field.
func oauthError(code, message string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: message, OAuth: code}
}

// serveToken is POST /oauth/token: the client credentials grant, with the
// client authenticated by HTTP Basic auth (or client_id and client_secret
// form fields). A bad client answers 401 AuthenticationError.
func (s *Simulator) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, errNotFound("Resource", ref{ID: r.URL.Path}))
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, oauthError("invalid_request", "The request body is not a valid form."))
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, known := s.tokens.clients[id]
	if !known || subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		e := NewError(codeAuthenticationError, nil, nil)
		e.OAuth = "invalid_client"
		writeError(w, e)
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		writeError(w, oauthError("unsupported_grant_type", fmt.Sprintf("Grant type %q is not supported.", gt)))
		return
	}
	allowed := clientScopes(c)
	granted := allowed
	if req := strings.Fields(r.PostForm.Get("scope")); len(req) > 0 {
		granted = nil
		for _, sc := range req {
			q, ok := qualify(sc, c.ProjectKey)
			if !ok || !slices.Contains(allowed, q) {
				writeError(w, oauthError("invalid_scope", fmt.Sprintf("Scope %q is not allowed for this client.", sc)))
				return
			}
			granted = append(granted, q)
		}
	}
	now := s.clock.Now()
	access, t := s.tokens.issue(c, granted, now)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: access,
		TokenType:   "Bearer",
		ExpiresIn:   int64(t.expires.Sub(now) / time.Second),
		Scope:       strings.Join(granted, " "),
	})
}

// Scope sets accepted by the RAML traits (any one scope suffices).
var (
	traitViewConnectors    = []string{ScopeManageProject, ScopeManageConnectors, ScopeViewConnectors}
	traitManageConnectors  = []string{ScopeManageProject, ScopeManageConnectors}
	traitViewDeployments   = []string{ScopeManageProject, ScopeManageConnectorsDeployments, ScopeViewConnectorsDeployments}
	traitManageDeployments = []string{ScopeManageProject, ScopeManageConnectorsDeployments}
)

// authenticate checks the bearer token: 401 invalid_token when absent,
// unknown or expired.
func (s *Simulator) authenticate(r *http.Request) (*token, *Error) {
	h := r.Header.Get("Authorization")
	scheme, access, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, errInvalidToken()
	}
	t, ok := s.tokens.lookup(strings.TrimSpace(access), s.clock.Now())
	if !ok {
		return nil, errInvalidToken()
	}
	return t, nil
}

// hasScope reports whether t holds one of names for its project.
func (t *token) hasScope(names ...string) bool {
	for _, n := range names {
		if slices.Contains(t.scopes, n+":"+t.project) {
			return true
		}
	}
	return false
}

// authorize answers 403 AuthorizationError unless t holds one of names.
func authorize(t *token, names []string) *Error {
	if !t.hasScope(names...) {
		return errAccessDenied()
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body) // a failed write means the client left
}
