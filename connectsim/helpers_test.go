package connectsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/connect-gateway/connect-gateway/connectsim"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// env is a simulator on a socket with a manual clock and a token of the
// default client.
type env struct {
	t     *testing.T
	srv   *connectsim.Server
	sim   *connectsim.Simulator
	token string
}

func newEnv(t *testing.T, opts connectsim.Options) *env {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = connectsim.NewManualClock(time.Time{})
	}
	srv, err := connectsim.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	e := &env{t: t, srv: srv, sim: srv.Sim}
	e.token = e.tokenFor(connectsim.DefaultClient())
	return e
}

// with returns the env reporting to t (a subtest).
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

func (e *env) tokenFor(c connectsim.Client) string {
	e.t.Helper()
	tok, err := e.sim.Token(context.Background(), c)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// response is an answer, decoded on demand.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// code returns the first error code of an error body.
func (r response) code(t *testing.T) string {
	t.Helper()
	var body struct {
		Errors []struct {
			Code string `json:"code"`
		} `json:"errors"`
	}
	r.decode(t, &body)
	if len(body.Errors) == 0 {
		t.Fatalf("no errors in %s", r.body)
	}
	return body.Errors[0].Code
}

// call sends a request with the env's token; body may be a string or a value
// to marshal.
func (e *env) call(method, path string, body any) response {
	e.t.Helper()
	return e.callAs(e.token, method, path, body)
}

func (e *env) callAs(token, method, path string, body any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// must asserts the status of a response and decodes it into v (if not nil).
func (e *env) must(r response, status int, v any) {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if v != nil {
		r.decode(e.t, v)
	}
}

func stagedDraft(key, repo, tag string) map[string]any {
	return map[string]any{
		"key": key, "name": "Connector " + key, "description": "test connector",
		"integrationTypes": []string{"psp"},
		"creator":          map[string]any{"email": "dev@example.com", "company": "acme"},
		"repository":       map[string]any{"url": repo, "tag": tag},
	}
}

func (e *env) createStaged(key, repo, tag string) connectsim.ConnectorStaged {
	e.t.Helper()
	var cs connectsim.ConnectorStaged
	e.must(e.call("POST", "/connectors/drafts", stagedDraft(key, repo, tag)), http.StatusCreated, &cs)
	return cs
}

func (e *env) updateStaged(cs connectsim.ConnectorStaged, actions ...map[string]any) connectsim.ConnectorStaged {
	e.t.Helper()
	var out connectsim.ConnectorStaged
	e.must(e.call("POST", "/connectors/drafts/"+cs.ID, map[string]any{"version": cs.Version, "actions": actions}),
		http.StatusCreated, &out)
	return out
}

func (e *env) getStaged(id string) connectsim.ConnectorStaged {
	e.t.Helper()
	var out connectsim.ConnectorStaged
	e.must(e.call("GET", "/connectors/drafts/"+id, nil), http.StatusOK, &out)
	return out
}

// previewable creates a ConnectorStaged of RepoPayment and makes it previewable.
func (e *env) previewable(key string) connectsim.ConnectorStaged {
	e.t.Helper()
	cs := e.createStaged(key, connectsim.RepoPayment, connectsim.TagV1)
	e.updateStaged(cs, map[string]any{"action": "updatePreviewable"})
	e.sim.Advance(connectsim.DefaultTimings().Preview)
	return e.getStaged(cs.ID)
}

func paymentConfigurations(secret string) []map[string]any {
	return []map[string]any{
		{"applicationName": "processor",
			"standardConfiguration": []map[string]string{{"key": "CTP_PROJECT_KEY", "value": "demo"}},
			"securedConfiguration":  []map[string]string{{"key": "CTP_CLIENT_SECRET", "value": secret}}},
		{"applicationName": "enabler", "standardConfiguration": []any{}, "securedConfiguration": []any{}},
	}
}

func (e *env) deployPreview(cs connectsim.ConnectorStaged, key, region string) connectsim.Deployment {
	e.t.Helper()
	var d connectsim.Deployment
	e.must(e.call("POST", "/demo/deployments", map[string]any{
		"key": key, "connector": map[string]any{"id": cs.ID, "staged": true},
		"region": region, "configurations": paymentConfigurations("top-secret-value"),
	}), http.StatusCreated, &d)
	return d
}

func (e *env) getDeployment(id string) connectsim.Deployment {
	e.t.Helper()
	var d connectsim.Deployment
	e.must(e.call("GET", "/demo/deployments/"+id, nil), http.StatusOK, &d)
	return d
}
