package upstream

import (
	"strings"
	"testing"
)

func TestNewValidates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opts Options
		ok   bool
	}{
		{"minimal", Options{BaseURL: "https://connect.europe-west1.gcp.commercetools.com", Auth: PassthroughAuth{}}, true},
		{"trailing slash", Options{BaseURL: "http://127.0.0.1:8081/", Auth: PassthroughAuth{}}, true},
		{"no auth", Options{BaseURL: "http://h"}, false},
		{"no scheme", Options{BaseURL: "connect.example.com", Auth: PassthroughAuth{}}, false},
		{"ftp", Options{BaseURL: "ftp://h", Auth: PassthroughAuth{}}, false},
		{"credentials in URL", Options{BaseURL: "https://u:p@h", Auth: PassthroughAuth{}}, false},
		{"query", Options{BaseURL: "https://h/?a=b", Auth: PassthroughAuth{}}, false},
		{"4 attempts", Options{BaseURL: "http://h", Auth: PassthroughAuth{}, MaxAttempts: 4}, false},
		{"negative limit", Options{BaseURL: "http://h", Auth: PassthroughAuth{}, MaxResponseBytes: -1}, false},
	}
	for _, tc := range cases {
		c, err := New(tc.opts)
		if (err == nil) != tc.ok {
			t.Errorf("%s: New error = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if c != nil {
			c.CloseIdleConnections()
		}
	}
	c, err := New(Options{BaseURL: "http://127.0.0.1:8081/", Auth: PassthroughAuth{}})
	if err != nil {
		t.Fatal(err)
	}
	if c.base != "http://127.0.0.1:8081" || c.maxAttempts != DefaultMaxAttempts || c.timeout != DefaultTimeout ||
		cap(c.slots) != DefaultMaxConcurrent || c.maxResp != DefaultMaxResponseBytes {
		t.Errorf("defaults not applied: %+v", c)
	}
}

func TestClientCredentialsFromEnv(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		EnvClientID:     "id",
		EnvClientSecret: "CANARY-secret",
		EnvAuthURL:      "https://auth.europe-west1.gcp.commercetools.com",
		EnvScopes:       "manage_project:p view_connectors:p,manage_connectors:p",
	}
	cfg, err := ClientCredentialsFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClientID != "id" || cfg.ClientSecret != "CANARY-secret" || len(cfg.Scopes) != 3 || cfg.Scopes[2] != "manage_connectors:p" {
		t.Errorf("ClientCredentialsFromEnv = %v %q", cfg, cfg.Scopes)
	}
	_, err = ClientCredentialsFromEnv(func(k string) string {
		if k == EnvClientID {
			return ""
		}
		return env[k]
	})
	if err == nil || !strings.Contains(err.Error(), EnvClientID) || strings.Contains(err.Error(), "CANARY") {
		t.Errorf("missing id: error = %v, want one naming %s and no secret", err, EnvClientID)
	}
}

func TestTokenURL(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"https://auth.europe-west1.gcp.commercetools.com", "https://auth.europe-west1.gcp.commercetools.com/oauth/token"},
		{"https://auth.europe-west1.gcp.commercetools.com/", "https://auth.europe-west1.gcp.commercetools.com/oauth/token"},
		{"https://auth.europe-west1.gcp.commercetools.com/oauth/token", "https://auth.europe-west1.gcp.commercetools.com/oauth/token"},
		{"http://127.0.0.1:8081/custom/token", "http://127.0.0.1:8081/custom/token"},
		{"auth.example.com", ""},
		{"https://id:secret@auth.example.com", ""},
	}
	for _, tc := range cases {
		got, err := tokenURL(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("tokenURL(%q) = %q, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("tokenURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
