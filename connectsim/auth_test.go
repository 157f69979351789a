package connectsim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/connect-gateway/connect-gateway/connectsim"
)

func tokenRequest(t *testing.T, base string, form url.Values, id, secret string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", base+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{Clients: []connectsim.Client{
		connectsim.DefaultClient(),
		{ID: "viewer", Secret: "viewer-secret", ProjectKey: "shop", Scopes: []string{"view_connectors:shop"}},
	}})
	cc := url.Values{"grant_type": {"client_credentials"}}
	tests := []struct {
		name       string
		form       url.Values
		id, secret string
		wantStatus int
		wantError  string // the OAuth "error" field
		wantScope  string
	}{
		{name: "all scopes", form: cc, id: "connect-sim", secret: "connect-sim-secret", wantStatus: 200,
			wantScope: "manage_project:demo view_connectors:demo manage_connectors:demo view_connectors_deployments:demo manage_connectors_deployments:demo manage_api_clients:demo"},
		{name: "scope subset", form: url.Values{"grant_type": {"client_credentials"}, "scope": {"view_connectors:demo manage_connectors"}},
			id: "connect-sim", secret: "connect-sim-secret", wantStatus: 200, wantScope: "view_connectors:demo manage_connectors:demo"},
		{name: "scope outside the client", form: url.Values{"grant_type": {"client_credentials"}, "scope": {"manage_project:shop"}},
			id: "viewer", secret: "viewer-secret", wantStatus: 400, wantError: "invalid_scope"},
		{name: "scope of another project", form: url.Values{"grant_type": {"client_credentials"}, "scope": {"view_connectors:demo"}},
			id: "viewer", secret: "viewer-secret", wantStatus: 400, wantError: "invalid_scope"},
		{name: "form credentials", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"viewer"}, "client_secret": {"viewer-secret"}},
			wantStatus: 200, wantScope: "view_connectors:shop"},
		{name: "wrong secret", form: cc, id: "viewer", secret: "nope", wantStatus: 401, wantError: "invalid_client"},
		{name: "unknown client", form: cc, id: "ghost", secret: "x", wantStatus: 401, wantError: "invalid_client"},
		{name: "wrong grant", form: url.Values{"grant_type": {"password"}}, id: "viewer", secret: "viewer-secret",
			wantStatus: 400, wantError: "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := e.with(t)
			status, body := tokenRequest(t, e.srv.URL, tt.form, tt.id, tt.secret)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %v", status, tt.wantStatus, body)
			}
			if tt.wantError != "" {
				if body["error"] != tt.wantError {
					t.Errorf("error %v, want %s", body["error"], tt.wantError)
				}
				return
			}
			if body["scope"] != tt.wantScope || body["token_type"] != "Bearer" || body["expires_in"] != float64(48*3600) {
				t.Errorf("token response %v", body)
			}
			tok, _ := body["access_token"].(string)
			if r := e.callAs(tok, "GET", "/connectors/drafts", nil); r.status == http.StatusUnauthorized {
				t.Errorf("the issued token is not accepted: %s", r.body)
			}
		})
	}
}

func TestTokenExpires(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{TokenTTL: time.Hour})
	e.must(e.call("GET", "/connectors/drafts", nil), http.StatusOK, nil)
	e.sim.Advance(time.Hour)
	r := e.call("GET", "/connectors/drafts", nil)
	if r.status != http.StatusUnauthorized || r.code(t) != "invalid_token" {
		t.Fatalf("expired token: %d %s", r.status, r.body)
	}
	if got := r.header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
		t.Errorf("WWW-Authenticate %q", got)
	}
}

// TestScopes checks every endpoint against the RAML traits: which scopes
// are accepted, and 403 AuthorizationError for the others.
func TestScopes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{Seed: true})
	token := func(scopes ...string) string {
		return e.tokenFor(connectsim.Client{ID: "t", ProjectKey: "demo", Scopes: scopes})
	}
	view, manage := "view_connectors", "manage_connectors"
	viewDep, manageDep := "view_connectors_deployments", "manage_connectors_deployments"
	endpoints := []struct {
		method, path string
		body         string
		accepted     []string
	}{
		{"GET", "/connectors/search", "", []string{"manage_project", manage, view}},
		{"GET", "/connectors/key=" + connectsim.DemoTaxConnectorKey, "", []string{"manage_project", manage, view}},
		{"GET", "/connectors/drafts", "", []string{"manage_project", manage, view}},
		{"GET", "/connectors/drafts/key=" + connectsim.DemoPaymentConnectorKey, "", []string{"manage_project", manage, view}},
		{"POST", "/connectors/drafts", `{}`, []string{"manage_project", manage}},
		{"POST", "/connectors/drafts/key=" + connectsim.DemoPaymentConnectorKey, `{}`, []string{"manage_project", manage}},
		{"DELETE", "/connectors/drafts/key=missing", "", []string{"manage_project", manage}},
		{"GET", "/demo/deployments", "", []string{"manage_project", manageDep, viewDep}},
		{"GET", "/demo/deployments/key=" + connectsim.DemoDeploymentKey, "", []string{"manage_project", manageDep, viewDep}},
		{"GET", "/demo/deployments/key=" + connectsim.DemoDeploymentKey + "/logs", "", []string{"manage_project", manageDep, viewDep}},
		{"POST", "/demo/deployments", `{}`, []string{"manage_project", manageDep}},
		{"POST", "/demo/deployments/key=" + connectsim.DemoDeploymentKey, `{}`, []string{"manage_project", manageDep}},
		{"DELETE", "/demo/deployments/key=missing", "", []string{"manage_project", manageDep}},
	}
	for _, ep := range endpoints {
		for _, scope := range []string{"manage_project", manage, view, manageDep, viewDep, "manage_api_clients"} {
			t.Run(ep.method+" "+ep.path+" "+scope, func(t *testing.T) {
				t.Parallel()
				e := e.with(t)
				var body any
				if ep.body != "" {
					body = ep.body
				}
				r := e.callAs(token(scope), ep.method, ep.path, body)
				accepted := false
				for _, a := range ep.accepted {
					accepted = accepted || a == scope
				}
				if denied := r.status == http.StatusForbidden; denied == accepted {
					t.Fatalf("scope %s: status %d, accepted=%v: %s", scope, r.status, accepted, r.body)
				}
				if !accepted && r.code(t) != "AuthorizationError" {
					t.Errorf("code %s, want AuthorizationError", r.code(t))
				}
			})
		}
	}
}

func TestOtherProjectIsDenied(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	r := e.call("GET", "/elsewhere/deployments", nil)
	if r.status != http.StatusForbidden || r.code(t) != "AuthorizationError" {
		t.Fatalf("got %d %s", r.status, r.body)
	}
}
