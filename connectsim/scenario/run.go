package scenario

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connect-gateway/connect-gateway/connectsim"
)

// Control reaches the simulator behind a target for what plain API requests
// cannot do: advancing its clock and adding fault rules.
type Control interface {
	Advance(ctx context.Context, d time.Duration) error
	AddFault(ctx context.Context, rule connectsim.FaultRule) error
}

// InProcess controls a simulator in the same process.
func InProcess(sim *connectsim.Simulator) Control { return inProcess{sim} }

type inProcess struct{ sim *connectsim.Simulator }

func (c inProcess) Advance(_ context.Context, d time.Duration) error {
	c.sim.Advance(d)
	return nil
}

func (c inProcess) AddFault(_ context.Context, rule connectsim.FaultRule) error {
	_, err := c.sim.Faults().Add(rule)
	return err
}

// AdminAPI controls a simulator through its /_sim/ admin API at baseURL.
func AdminAPI(baseURL string, hc *http.Client) Control {
	if hc == nil {
		hc = http.DefaultClient
	}
	return adminAPI{base: strings.TrimRight(baseURL, "/"), hc: hc}
}

type adminAPI struct {
	base string
	hc   *http.Client
}

func (c adminAPI) Advance(ctx context.Context, d time.Duration) error {
	return c.post(ctx, "/_sim/clock/advance", map[string]string{"duration": d.String()})
}

func (c adminAPI) AddFault(ctx context.Context, rule connectsim.FaultRule) error {
	return c.post(ctx, "/_sim/faults", rule)
}

func (c adminAPI) post(ctx context.Context, path string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("admin %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("admin %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("admin %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096)) // for the error message only
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("admin %s: %s: %s", path, resp.Status, b)
	}
	return nil
}

// Target is where scenarios run.
type Target struct {
	// BaseURL receives the API requests: the simulator, or a gateway's REST face.
	BaseURL string
	// AuthURL serves /oauth/token; empty means BaseURL.
	AuthURL string
	// Client is used for tokens (its ProjectKey fills {{project}}).
	Client connectsim.Client
	// Token, when set, is the bearer token of AuthToken requests.
	Token string
	// HTTP is the client; nil means http.DefaultClient.
	HTTP *http.Client
	// Control reaches the simulator; scenarios that need it fail without.
	Control Control
}

// Result is the answer to a scenario's final request.
type Result struct {
	Status int
	Header http.Header
	Body   []byte
	// Vars are the variables at the end of the scenario.
	Vars map[string]string
}

// Expand replaces {{name}} placeholders with the result's variables.
func (r *Result) Expand(s string) string {
	out, _ := expand(s, r.Vars) // unknown names stay as they are
	return out
}

// runner executes one scenario.
type runner struct {
	t    Target
	hc   *http.Client
	vars map[string]string
	toks map[string]string // scopes → token
}

func newRunner(target Target) *runner {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	r := &runner{
		t:    target,
		hc:   target.HTTP,
		vars: map[string]string{"run": hex.EncodeToString(b[:]), "project": target.Client.ProjectKey},
		toks: map[string]string{},
	}
	if r.hc == nil {
		r.hc = http.DefaultClient
	}
	if r.t.AuthURL == "" {
		r.t.AuthURL = r.t.BaseURL
	}
	return r
}

// Execute runs the scenario's steps and final request against target and
// returns the final answer. It fails when a step fails; it does not check
// the final answer (see Scenario.Check).
func Execute(ctx context.Context, target Target, sc Scenario) (*Result, error) {
	r := newRunner(target)
	if err := r.setup(ctx, sc); err != nil {
		return nil, err
	}
	res, err := r.do(ctx, sc.Request)
	if err != nil {
		return nil, fmt.Errorf("%s: final request: %w", sc.Name, err)
	}
	res.Vars = r.vars
	return res, nil
}

// Prepared is a scenario whose setup steps have run, with its final request
// expanded, so that another transport (a gRPC call through a gateway) can
// send it.
type Prepared struct {
	// Request is the final request with every placeholder replaced.
	Request Request
	// Bearer is the token the final request authenticates with; empty for
	// AuthNone.
	Bearer string
	// Vars are the variables after the steps.
	Vars map[string]string
}

// Prepare runs sc's steps against target and returns its final request,
// expanded, without sending it.
func Prepare(ctx context.Context, target Target, sc Scenario) (*Prepared, error) {
	r := newRunner(target)
	if err := r.setup(ctx, sc); err != nil {
		return nil, err
	}
	rq, err := r.expanded(sc.Request)
	if err != nil {
		return nil, err
	}
	p := &Prepared{Request: rq, Vars: r.vars}
	if p.Bearer, err = r.bearer(ctx, rq); err != nil {
		return nil, err
	}
	return p, nil
}

// setup runs sc's steps.
func (r *runner) setup(ctx context.Context, sc Scenario) error {
	for i, st := range sc.Steps {
		if err := r.step(ctx, st); err != nil {
			return fmt.Errorf("%s: step %d (%s): %w", sc.Name, i, st.Name, err)
		}
	}
	return nil
}

// expanded returns rq with the variables replaced in its path, body and
// query values.
func (r *runner) expanded(rq Request) (Request, error) {
	var err error
	if rq.Path, err = expand(rq.Path, r.vars); err != nil {
		return rq, err
	}
	if rq.Body, err = expand(rq.Body, r.vars); err != nil {
		return rq, err
	}
	q := make(map[string][]string, len(rq.Query))
	for k, vs := range rq.Query {
		for _, v := range vs {
			ev, err := expand(v, r.vars)
			if err != nil {
				return rq, err
			}
			q[k] = append(q[k], ev)
		}
	}
	rq.Query = q
	return rq, nil
}

// bearer returns the token rq authenticates with: none for AuthNone and
// AuthBadClient (which uses Basic auth).
func (r *runner) bearer(ctx context.Context, rq Request) (string, error) {
	switch rq.Auth {
	case AuthNone, AuthBadClient:
		return "", nil
	case AuthUnknownToken:
		return unknownToken, nil
	}
	return r.token(ctx, rq.Scopes)
}

// Result returns a Result holding the prepared variables, for
// [Scenario.Check] and [Result.Expand] of an answer obtained elsewhere.
func (p *Prepared) Result(status int, header http.Header, body []byte) *Result {
	return &Result{Status: status, Header: header, Body: body, Vars: p.Vars}
}

func (r *runner) step(ctx context.Context, st Step) error {
	switch {
	case st.Advance != 0:
		if r.t.Control == nil {
			return fmt.Errorf("advancing the clock needs a Control")
		}
		return r.t.Control.Advance(ctx, st.Advance)
	case st.Fault != nil:
		if r.t.Control == nil {
			return fmt.Errorf("adding a fault needs a Control")
		}
		rule := *st.Fault
		path, err := expand(rule.Path, r.vars)
		if err != nil {
			return err
		}
		rule.Path = path
		return r.t.Control.AddFault(ctx, rule)
	case st.Request == nil:
		return fmt.Errorf("a step needs a request, an advance or a fault")
	}
	res, err := r.do(ctx, *st.Request)
	if err != nil {
		return err
	}
	if (st.WantStatus == 0 && res.Status/100 != 2) || (st.WantStatus != 0 && res.Status != st.WantStatus) {
		return fmt.Errorf("%s %s: status %d: %s", st.Request.Method, st.Request.Path, res.Status, res.Body)
	}
	if len(st.Capture) == 0 {
		return nil
	}
	doc, err := decode(res.Body)
	if err != nil {
		return err
	}
	for name, path := range st.Capture {
		v, ok := lookup(doc, path)
		if !ok {
			return fmt.Errorf("capture %s: no %q in %s", name, path, res.Body)
		}
		r.vars[name] = scalar(v)
	}
	return nil
}

func (r *runner) do(ctx context.Context, rq Request) (*Result, error) {
	rq, err := r.expanded(rq)
	if err != nil {
		return nil, err
	}
	path, body := rq.Path, rq.Body
	base := r.t.BaseURL
	if rq.ToAuth {
		base = r.t.AuthURL
	}
	u := strings.TrimRight(base, "/") + path
	if len(rq.Query) > 0 {
		u += "?" + url.Values(rq.Query).Encode()
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.Method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	switch {
	case rq.Form:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	if err := r.authenticate(ctx, req, rq); err != nil {
		return nil, err
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", rq.Method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", rq.Method, path, err)
	}
	return &Result{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

func (r *runner) authenticate(ctx context.Context, req *http.Request, rq Request) error {
	if rq.Auth == AuthBadClient {
		req.SetBasicAuth(r.t.Client.ID, r.t.Client.Secret+"-wrong")
		return nil
	}
	tok, err := r.bearer(ctx, rq)
	if err != nil || tok == "" {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// token returns the target's token, or one limited to scopes.
func (r *runner) token(ctx context.Context, scopes []string) (string, error) {
	if len(scopes) == 0 && r.t.Token != "" {
		return r.t.Token, nil
	}
	key := strings.Join(scopes, " ")
	if tok, ok := r.toks[key]; ok {
		return tok, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(scopes) > 0 {
		q := make([]string, len(scopes))
		for i, s := range scopes {
			q[i] = s + ":" + r.t.Client.ProjectKey
		}
		form.Set("scope", strings.Join(q, " "))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(r.t.AuthURL, "/")+"/oauth/token",
		strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(r.t.Client.ID, r.t.Client.Secret)
	resp, err := r.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || resp.StatusCode != http.StatusOK || tr.AccessToken == "" {
		return "", fmt.Errorf("token request: status %d, decode error %v", resp.StatusCode, err)
	}
	r.toks[key] = tr.AccessToken
	return tr.AccessToken, nil
}

// unknownToken is a bearer token the API never issued.
const unknownToken = "not-a-token-the-api-issued"

var placeholder = regexp.MustCompile(`\{\{([A-Za-z0-9_]+)\}\}`)

func expand(s string, vars map[string]string) (string, error) {
	var missing []string
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-2]
		v, ok := vars[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		return v
	})
	if len(missing) > 0 {
		return out, fmt.Errorf("unknown variables %v in %q", missing, s)
	}
	return out, nil
}

func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode %q: %w", b, err)
	}
	return v, nil
}

// lookup follows a dotted path ("results.0.id") through decoded JSON.
func lookup(doc any, path string) (any, bool) {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v) // decoded JSON always marshals
	return string(b)
}

// Check compares a result with the scenario's expectation; the error lists
// every difference.
func (sc Scenario) Check(res *Result) error {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	w := sc.Want
	if res.Status != w.Status {
		add("status %d, want %d", res.Status, w.Status)
	}
	if res.Header.Get("X-Correlation-ID") == "" {
		add("no X-Correlation-ID header")
	}
	doc, err := decode(res.Body)
	if err != nil {
		return fmt.Errorf("%s: %w", sc.Name, err)
	}
	top, _ := doc.(map[string]any)
	if sc := scalar(top["statusCode"]); sc != strconv.Itoa(w.Status) {
		add("statusCode %s, want %d", sc, w.Status)
	}
	errs, _ := top["errors"].([]any)
	if len(errs) != 1 {
		return fmt.Errorf("%s: want one error object, body %s", sc.Name, res.Body)
	}
	obj, _ := errs[0].(map[string]any)
	if obj["code"] != w.Code {
		add("code %v, want %s", obj["code"], w.Code)
	}
	msg, _ := obj["message"].(string)
	if msg == "" || top["message"] != msg {
		add("message %q must be non-empty and equal the top-level message %q", msg, top["message"])
	}
	if w.Message != "" && msg != res.Expand(w.Message) {
		add("message %q, want %q", msg, res.Expand(w.Message))
	}
	extra := map[string]any{}
	for k, v := range obj {
		if k != "code" && k != "message" {
			extra[k] = v
		}
	}
	diffs = append(diffs, compareFields("error field", extra, w.Fields, res)...)
	for k, want := range w.TopLevel {
		diffs = append(diffs, compareFields("top-level field", map[string]any{k: top[k]}, map[string]any{k: want}, res)...)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%s: %s\nbody: %s", sc.Name, strings.Join(diffs, "; "), res.Body)
	}
	return nil
}

func compareFields(what string, got, want map[string]any, res *Result) []string {
	var diffs []string
	keys := make([]string, 0, len(got)+len(want))
	for k := range got {
		keys = append(keys, k)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		g, hasG := got[k]
		wv, hasW := want[k]
		switch {
		case !hasW:
			diffs = append(diffs, fmt.Sprintf("unexpected %s %s=%v", what, k, scalar(g)))
		case !hasG || g == nil:
			diffs = append(diffs, fmt.Sprintf("missing %s %s", what, k))
		case wv == Present:
			if scalar(g) == "" {
				diffs = append(diffs, fmt.Sprintf("%s %s is empty", what, k))
			}
		default:
			ws := scalar(wv)
			if s, ok := wv.(string); ok {
				ws = res.Expand(s)
			}
			if scalar(g) != ws {
				diffs = append(diffs, fmt.Sprintf("%s %s=%s, want %s", what, k, scalar(g), ws))
			}
		}
	}
	return diffs
}

// Run executes sc against target and reports failures on t.
func Run(ctx context.Context, t testing.TB, target Target, sc Scenario) *Result {
	t.Helper()
	res, err := Execute(ctx, target, sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Check(res); err != nil {
		t.Error(err)
	}
	return res
}
