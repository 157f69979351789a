package main

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/connect-gateway/connect-gateway/gateway"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestParseConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     func(string) string
		check   func(t *testing.T, c *config)
		wantErr string
	}{
		{
			name: "defaults run on the simulator with its demo client",
			env:  env(),
			check: func(t *testing.T, c *config) {
				if c.upstream != upstreamSim || c.auth != gateway.AuthClientCredentials || c.grpcAddr != ":9090" || c.httpAddr != ":8080" || !c.reflection {
					t.Errorf("defaults %+v", c)
				}
			},
		},
		{
			name: "a real upstream defaults to passthrough",
			args: []string{"--upstream", "https://connect.example.com"},
			env:  env(),
			check: func(t *testing.T, c *config) {
				if c.auth != gateway.AuthPassthrough {
					t.Errorf("auth %q, want passthrough", c.auth)
				}
			},
		},
		{
			name: "region is a shortcut for the official host",
			args: []string{"--region", "europe-west1.gcp"},
			env:  env(),
			check: func(t *testing.T, c *config) {
				if c.upstream != "https://connect.europe-west1.gcp.commercetools.com" {
					t.Errorf("upstream %q", c.upstream)
				}
			},
		},
		{
			name: "environment sets defaults, flags win",
			args: []string{"--http-addr", ":1234"},
			env:  env("GATEWAY_HTTP_ADDR", ":9999", "GATEWAY_GRPC_ADDR", ":7777", "GATEWAY_DRAIN_TIMEOUT", "3s", "GATEWAY_REFLECTION", "false"),
			check: func(t *testing.T, c *config) {
				if c.httpAddr != ":1234" || c.grpcAddr != ":7777" || c.drainTimeout != 3*time.Second || c.reflection {
					t.Errorf("config %+v", c)
				}
			},
		},
		{
			name: "plain text by default, TLS per listener from flags or environment",
			args: []string{"--grpc-tls-cert", "g.crt", "--grpc-tls-key", "g.key", "--grpc-max-connection-age", "1m"},
			env:  env("GATEWAY_HTTP_TLS_CERT", "h.crt", "GATEWAY_HTTP_TLS_KEY", "h.key", "GATEWAY_HTTP_TLS_CLIENT_CA", "ca.crt", "GATEWAY_HTTP_BODY_TIMEOUT", "4s"),
			check: func(t *testing.T, c *config) {
				var o gateway.Options
				c.serving.apply(&o)
				if o.GRPCTLS == nil || *o.GRPCTLS != (gateway.TLSFiles{CertFile: "g.crt", KeyFile: "g.key"}) ||
					o.HTTPTLS == nil || *o.HTTPTLS != (gateway.TLSFiles{CertFile: "h.crt", KeyFile: "h.key", ClientCAFile: "ca.crt"}) ||
					o.MaxConnectionAge != time.Minute || o.BodyTimeout != 4*time.Second {
					t.Errorf("options %+v", o)
				}
				var plain gateway.Options
				(&serving{}).apply(&plain)
				if plain.GRPCTLS != nil || plain.HTTPTLS != nil {
					t.Error("TLS on without files")
				}
			},
		},
		{name: "malformed environment fails", env: env("GATEWAY_DRAIN_TIMEOUT", "soon"), wantErr: "GATEWAY_DRAIN_TIMEOUT"},
		{name: "stray arguments fail", args: []string{"extra"}, env: env(), wantErr: "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseConfig(tt.args, tt.env, &bytes.Buffer{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestHelpListsEveryEnvironmentVariable(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	_, err := parseConfig([]string{"--help"}, env(), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err %v, want flag.ErrHelp", err)
	}
	for _, name := range []string{"GATEWAY_GRPC_ADDR", "GATEWAY_HTTP_ADDR", "GATEWAY_UPSTREAM", "CTP_REGION", "GATEWAY_AUTH",
		"GATEWAY_REFLECTION", "GATEWAY_DRAIN_TIMEOUT", "GATEWAY_DEFAULT_TIMEOUT", "GATEWAY_MAX_REQUEST_BYTES",
		"GATEWAY_MAX_RESPONSE_BYTES", "GATEWAY_MAX_CONCURRENT_UPSTREAM", "GATEWAY_LOG_LEVEL", "GATEWAY_LOG_FORMAT",
		"CTP_CLIENT_ID", "CTP_CLIENT_SECRET", "CTP_AUTH_URL", "CTP_SCOPES",
		"GATEWAY_GRPC_TLS_CERT", "GATEWAY_GRPC_TLS_KEY", "GATEWAY_GRPC_TLS_CLIENT_CA", "GATEWAY_HTTP_TLS_CERT", "GATEWAY_HTTP_TLS_KEY",
		"GATEWAY_HTTP_TLS_CLIENT_CA", "GATEWAY_UPSTREAM_CA", "GATEWAY_UPSTREAM_CLIENT_CERT", "GATEWAY_UPSTREAM_CLIENT_KEY",
		"GATEWAY_HTTP_READ_HEADER_TIMEOUT", "GATEWAY_HTTP_BODY_TIMEOUT", "GATEWAY_HTTP_IDLE_TIMEOUT",
		"GATEWAY_GRPC_MAX_CONNECTION_AGE", "GATEWAY_GRPC_MAX_CONNECTION_AGE_GRACE", "GATEWAY_GRPC_KEEPALIVE_TIME",
		"GATEWAY_GRPC_KEEPALIVE_TIMEOUT", "GATEWAY_GRPC_KEEPALIVE_MIN_TIME", "GATEWAY_GRPC_MAX_CONCURRENT_STREAMS"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("--help does not mention %s", name)
		}
	}
}

func TestClientCredentialsNeedTheirEnvironment(t *testing.T) {
	t.Parallel()
	c, err := parseConfig([]string{"--upstream", "https://connect.example.com", "--auth", "client-credentials"}, env(), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.options(nil); err == nil || !strings.Contains(err.Error(), "CTP_CLIENT_ID") {
		t.Errorf("options without CTP_* = %v, want an error naming CTP_CLIENT_ID", err)
	}
	c.getenv = env("CTP_CLIENT_ID", "id", "CTP_CLIENT_SECRET", "canary-secret-123", "CTP_AUTH_URL", "https://auth.example.com", "CTP_SCOPES", "manage_project:p")
	opts, err := c.options(nil)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Credentials == nil {
		t.Fatal("no credentials")
	}
}
