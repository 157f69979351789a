package gateway_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/connectsim"
	"github.com/connect-gateway/connect-gateway/connectsim/scenario"
	"github.com/connect-gateway/connect-gateway/gateway"
	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

// The canaries: values that must never leave the gateway. The secured
// value holds characters that JSON and URLs escape, so that the escaped
// forms differ from the raw one.
const (
	canaryClientSecret = "CanaryClientSecret-7f3a9c1e20d4"
	canaryBearer       = "CanaryBearerToken-9c4e1a7b55e0"
	canarySecured      = `Canary/Secured+Value="5b2d8e4f"&<x>`
)

// TestSecretCanaries runs the end-to-end suite (every scenario over REST
// and gRPC, in passthrough and client-credentials mode), malformed inputs,
// and an upstream that echoes each request (its Authorization header and
// body) in its errors, with canaries in the client secret, the bearer
// tokens and the secured configuration values. No canary may appear, raw,
// JSON-escaped, base64 (standard and URL alphabets) or URL-encoded, in any
// log line, any gRPC status (message and details, marshalled), any REST
// body or header, the metrics page, or any span (name, attributes, events,
// status, resource).
func TestSecretCanaries(t *testing.T) {
	t.Parallel()
	s := &sweep{}
	t.Run("suite", func(t *testing.T) {
		t.Run("passthrough", func(t *testing.T) {
			t.Parallel()
			s.scenarios(t, false)
		})
		t.Run("client-credentials", func(t *testing.T) {
			t.Parallel()
			s.scenarios(t, true)
		})
		t.Run("malformed", func(t *testing.T) {
			t.Parallel()
			s.malformed(t)
		})
		t.Run("echoing upstream", func(t *testing.T) {
			t.Parallel()
			for _, cc := range []bool{false, true} {
				t.Run(fmt.Sprintf("client-credentials=%v", cc), func(t *testing.T) {
					t.Parallel()
					s.echoing(t, cc)
				})
			}
		})
	})
	s.check(t)
}

// sweep collects every text the gateway produced, and every secret it saw.
type sweep struct {
	mu      sync.Mutex
	texts   []swept
	secrets map[string]bool
	envs    []*env
	spans   []*tracetest.SpanRecorder
}

type swept struct {
	where string
	text  []byte
}

func (s *sweep) add(where string, text []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.texts = append(s.texts, swept{where, bytes.Clone(text)})
}

func (s *sweep) secret(v string) {
	if v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secrets == nil {
		s.secrets = map[string]bool{}
	}
	s.secrets[v] = true
}

// env starts an env whose upstream records every bearer token it receives
// (the callers' and the gateway's own) as a secret, and whose logs, metrics
// and REST answers are swept.
func (s *sweep) env(t *testing.T, clientCredentials bool, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	opts := []envOption{
		withUpstream(func(next http.Handler) http.Handler {
			if wrap != nil {
				next = wrap(next)
			}
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
					s.secret(tok)
				}
				next.ServeHTTP(w, r)
			})
		}),
	}
	var simHost atomicString
	if clientCredentials {
		client := connectsim.DefaultClient()
		client.Secret = canaryClientSecret
		// The simulator's address is known once the env runs; the token
		// client is only used after that, and is pointed at it then.
		cc, err := upstream.NewClientCredentials(upstream.ClientCredentialsConfig{
			ClientID: client.ID, ClientSecret: canaryClientSecret, TokenURL: "http://simulator.invalid/oauth/token",
			HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				r = r.Clone(r.Context())
				r.URL.Host, r.Host = simHost.Load(), ""
				return http.DefaultTransport.RoundTrip(r)
			})},
		})
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, withSim(func(o *connectsim.Options) { o.Clients = []connectsim.Client{client} }),
			withClientCredentials(), withGateway(func(g *gateway.Options) { g.Credentials = cc }))
	}
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	opts = append(opts, withGateway(func(g *gateway.Options) { g.TracerProvider = tp }))
	e := newFaultEnv(t, opts...)
	s.mu.Lock()
	s.spans = append(s.spans, spans)
	s.mu.Unlock()
	simHost.Store(strings.TrimPrefix(e.simURL, "http://"))
	s.secret(e.token)
	s.mu.Lock()
	s.envs = append(s.envs, e)
	s.mu.Unlock()
	t.Cleanup(func() {
		// Before the env stops: the metrics of everything it served.
		resp, err := http.Get(e.httpURL + "/metrics")
		if err != nil {
			t.Errorf("metrics: %v", err)
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Errorf("metrics: %v", err)
		}
		s.add("GET /metrics", append(headerText(resp.Header), body...))
	})
	return e
}

type atomicString struct{ v atomic.Value }

func (a *atomicString) Store(s string) { a.v.Store(s) }
func (a *atomicString) Load() string {
	s, _ := a.v.Load().(string)
	return s
}

// http returns a client whose answers from the env's gateway are swept.
func (s *sweep) http(e *env) *http.Client {
	host := strings.TrimPrefix(e.httpURL, "http://")
	return &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil || req.URL.Host != host {
			return resp, err
		}
		body, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			return nil, rerr
		}
		s.add("REST "+req.Method+" "+req.URL.Path, append(headerText(resp.Header), body...))
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, nil
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func headerText(h http.Header) []byte {
	var b bytes.Buffer
	_ = h.Write(&b)
	return b.Bytes()
}

// grpc sends req as fullMethod and sweeps the status or the response.
func (s *sweep) grpc(ctx context.Context, e *env, fullMethod string, req, resp proto.Message) error {
	err := e.conn.Invoke(ctx, fullMethod, req, resp)
	var b []byte
	if err != nil {
		b, _ = proto.Marshal(status.Convert(err).Proto())
	} else {
		b, _ = proto.Marshal(resp)
	}
	s.add("gRPC "+fullMethod, b)
	return err
}

var securedRE = regexp.MustCompile(`"securedConfiguration":\[[^\]]*\]`)
var valueRE = regexp.MustCompile(`"value":"(?:[^"\\]|\\.)*"`)

// withCanarySecrets puts canarySecured in every secured configuration value
// of a request body.
func withCanarySecrets(body string) string {
	j, _ := json.Marshal(canarySecured)
	return securedRE.ReplaceAllStringFunc(body, func(arr string) string {
		return valueRE.ReplaceAllLiteralString(arr, `"value":`+string(j))
	})
}

func canaryScenario(sc scenario.Scenario) scenario.Scenario {
	sc.Steps = slices.Clone(sc.Steps) // scenarios may share their steps
	for i, st := range sc.Steps {
		if st.Request != nil {
			rq := *st.Request
			rq.Body = withCanarySecrets(rq.Body)
			sc.Steps[i].Request = &rq
		}
	}
	sc.Request.Body = withCanarySecrets(sc.Request.Body)
	return sc
}

// scenarios runs every gateway scenario, its secured values replaced by the
// canary, over REST and over gRPC.
func (s *sweep) scenarios(t *testing.T, clientCredentials bool) {
	client := connectsim.DefaultClient()
	if clientCredentials {
		client.Secret = canaryClientSecret
	}
	shared := s.env(t, clientCredentials, nil)
	for _, sc := range gatewayScenarios(t) {
		sc = canaryScenario(sc)
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			e := shared
			if sc.NeedsControl() {
				e = s.env(t, clientCredentials, nil)
			}
			target := scenario.Target{BaseURL: e.httpURL, AuthURL: e.simURL, Client: client,
				Control: scenario.InProcess(e.sim), HTTP: s.http(e)}
			if rejectedByGateway(sc) { // as in TestScenariosOverREST
				fields := map[string]any{}
				for k := range sc.Want.Fields {
					fields[k] = scenario.Present
				}
				sc.Want.Fields = fields
			}
			res, err := scenario.Execute(t.Context(), target, sc)
			if err != nil {
				if !clientCredentials {
					t.Fatalf("over REST: %v", err)
				}
				t.Logf("over REST: %v", err) // the gateway's own token changes what some steps get
			} else if !clientCredentials {
				if err := sc.Check(res); err != nil {
					t.Errorf("over REST: %v", err)
				}
			}
			if rejectedByGateway(sc) {
				return
			}
			p, err := scenario.Prepare(t.Context(), target, sc)
			if err != nil {
				t.Logf("preparing for gRPC: %v", err)
				return
			}
			u := &url.URL{Path: p.Request.Path, RawQuery: url.Values(p.Request.Query).Encode()}
			hr, err := http.NewRequest(p.Request.Method, e.httpURL+u.String(), strings.NewReader(p.Request.Body))
			if err != nil {
				t.Fatal(err)
			}
			method, req, err := e.gw.RPCForHTTP(hr)
			if err != nil {
				t.Fatalf("mapping to an RPC: %v", err)
			}
			ctx := t.Context()
			if p.Bearer != "" {
				s.secret(p.Bearer)
				ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+p.Bearer)
			}
			_ = s.grpc(ctx, e, method, req, newOutput(t, method))
		})
	}
}

// malformed sends bodies the gateway cannot decode, holding the canaries,
// and calls with a canary as an unknown bearer token.
func (s *sweep) malformed(t *testing.T) {
	e := s.env(t, false, nil)
	hc := s.http(e)
	sec, _ := json.Marshal(canarySecured)
	bodies := []struct{ method, path, body string }{
		{"POST", "/demo/deployments", `{"key":"m1","region":5,"configurations":[{"applicationName":"a","securedConfiguration":[{"key":"K","value":` + string(sec) + `}]}]}`},
		{"POST", "/demo/deployments", `{"key":"m2","configurations":[{"applicationName":"a","securedConfiguration":[{"key":"K","value":` + string(sec) + `,"value":7}]}]}`},
		{"POST", "/demo/deployments", `{"key":"m3","configurations":[{"applicationName":"a","securedConfiguration":[{"key":"K","value":` + string(sec) + `}]}],`},
		{"POST", "/demo/deployments", `{"key":"m4","configurations":[{"applicationName":"a","securedConfiguration":[{"key":"K","value":` + string(sec) + `}]}]} trailing`},
		{"POST", "/demo/deployments/key=nope", `{"version":1,"actions":[{"action":"redeploy","configurationValues":[{"applicationName":"a","securedConfiguration":[{"key":"K","value":` + string(sec) + `}]}]}]}`},
		{"POST", "/demo/deployments/key=nope", `{"version":"x","actions":[{"action":"redeploy","configurationValues":[{"applicationName":"a","securedConfiguration":[{"key":"K","value":` + string(sec) + `}]}]}]}`},
		{"POST", "/connectors/drafts", `{"name":"` + canaryBearer},
	}
	for _, b := range bodies {
		for _, auth := range []string{"Bearer " + e.token, "Bearer " + canaryBearer, canaryBearer} {
			req, err := http.NewRequestWithContext(t.Context(), b.method, e.httpURL+b.path, strings.NewReader(b.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", auth)
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode < 400 {
				t.Errorf("%s %s %s: %d, want an error", b.method, b.path, b.body, resp.StatusCode)
			}
		}
	}
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+canaryBearer)
	_ = s.grpc(ctx, e, "/commercetools.connect.v1.ConnectorStagedService/GetConnectorStaged", getStaged("x"), &connectv1.GetConnectorStagedResponse{})
	ctx = metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+e.token)
	_ = s.grpc(ctx, e, "/commercetools.connect.v1.DeploymentService/CreateDeployment", canaryDeployment("m5"), &connectv1.CreateDeploymentResponse{})
}

// canaryDeployment is a Deployment draft with canary secured values in an
// application and in the global configuration.
func canaryDeployment(key string) *connectv1.CreateDeploymentRequest {
	return &connectv1.CreateDeploymentRequest{ProjectKey: "demo", Draft: &connectv1.DeploymentDraft{
		Key:       proto.String(key),
		Connector: &connectv1.ConnectorReference{Key: proto.String("nope"), Staged: proto.Bool(true)},
		Region:    "europe-west1.gcp",
		Configurations: []*connectv1.DeploymentConfigurationApplication{{
			ApplicationName:      "processor",
			SecuredConfiguration: []*connectv1.SecuredConfigurationValue{{Key: "CTP_CLIENT_SECRET", Value: canarySecured}},
		}},
		GlobalConfiguration: &connectv1.DeploymentGlobalConfiguration{
			SecuredConfiguration: []*connectv1.SecuredConfigurationValue{{Key: "TAX_API_KEY", Value: canarySecured}},
		},
	}}
}

// echo is an upstream that puts the request's Authorization header and body
// into its error answers, in three shapes: a Connect ErrorResponse (400 to
// POST: in the message, an extra field, the code and a nested object), an
// HTML 502 page (to GET) and a 409 with the echo in the top-level message
// only (to DELETE). The token endpoint is the simulator's.
func echo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		auth := r.Header.Get("Authorization")
		said := fmt.Sprintf("cannot process %s %s with Authorization %q: %s", r.Method, r.URL.RequestURI(), auth, body)
		switch r.Method {
		case http.MethodGet:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html><body><h1>502</h1><pre>%s</pre><p>%s</p></body></html>", said,
				base64.StdEncoding.EncodeToString([]byte(auth)))
		case http.MethodDelete:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusConflict)
			_ = json.NewEncoder(w).Encode(map[string]any{"statusCode": 409, "message": said,
				"errors": []any{map[string]any{"code": "ConcurrentModification", "message": "conflict"}}})
		default:
			var req any
			_ = json.Unmarshal(body, &req)
			token := strings.TrimPrefix(auth, "Bearer ")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]any{"statusCode": 400, "message": said,
				"errors": []any{
					map[string]any{"code": "InvalidJsonInput", "message": said, "detailedErrorMessage": said,
						"request": req, "authorization": auth, "escaped": url.QueryEscape(string(body))},
					map[string]any{"code": token, "message": token},
				}})
		}
	})
}

// echoing sends requests holding the canaries to an upstream that echoes
// them, over gRPC and REST.
func (s *sweep) echoing(t *testing.T, clientCredentials bool) {
	e := s.env(t, clientCredentials, echo)
	hc := s.http(e)
	bearer := canaryBearer
	if clientCredentials {
		bearer = "" // the gateway's own token, recorded by s.env's upstream
	}
	ctx := t.Context()
	if bearer != "" {
		s.secret(bearer)
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+bearer)
	}
	redeploy := &connectv1.UpdateDeploymentRequest{ProjectKey: "demo", Ref: &connectv1.UpdateDeploymentRequest_Key{Key: "dep"}, Version: 3,
		Actions: []*connectv1.DeploymentUpdateAction{{Action: &connectv1.DeploymentUpdateAction_Redeploy{Redeploy: &connectv1.DeploymentRedeployAction{
			ConfigurationValues: []*connectv1.DeploymentConfigurationApplication{{ApplicationName: "processor",
				SecuredConfiguration: []*connectv1.SecuredConfigurationValue{{Key: "CTP_CLIENT_SECRET", Value: canarySecured}}}},
		}}}}}
	calls := []struct {
		method    string
		req, resp proto.Message
	}{
		{"/commercetools.connect.v1.DeploymentService/CreateDeployment", canaryDeployment("echo"), &connectv1.CreateDeploymentResponse{}},
		{"/commercetools.connect.v1.DeploymentService/UpdateDeployment", redeploy, &connectv1.UpdateDeploymentResponse{}},
		{"/commercetools.connect.v1.ConnectorStagedService/GetConnectorStaged", getStaged("echo"), &connectv1.GetConnectorStagedResponse{}},
		{"/commercetools.connect.v1.ConnectorStagedService/DeleteConnectorStaged",
			&connectv1.DeleteConnectorStagedRequest{Ref: &connectv1.DeleteConnectorStagedRequest_Key{Key: "echo"}}, &connectv1.DeleteConnectorStagedResponse{}},
	}
	for _, c := range calls {
		if err := s.grpc(ctx, e, c.method, c.req, c.resp); err == nil {
			t.Errorf("%s succeeded against an upstream that fails everything", c.method)
		}
	}
	sec, _ := json.Marshal(canarySecured)
	for _, rq := range []struct{ method, path, body string }{
		{"POST", "/demo/deployments", `{"key":"echo","connector":{"key":"c","staged":true},"region":"europe-west1.gcp","configurations":[{"applicationName":"processor","securedConfiguration":[{"key":"K","value":` + string(sec) + `}]}]}`},
		{"POST", "/demo/deployments/key=echo", `{"version":1,"actions":[{"action":"redeploy","configurationValues":[{"applicationName":"processor","securedConfiguration":[{"key":"K","value":` + string(sec) + `}]}]}]}`},
		{"GET", "/connectors/drafts/key=echo", ""},
		{"DELETE", "/connectors/drafts/key=echo", ""},
	} {
		req, err := http.NewRequestWithContext(t.Context(), rq.method, e.httpURL+rq.path, strings.NewReader(rq.body))
		if err != nil {
			t.Fatal(err)
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("%s %s: %d, want an error", rq.method, rq.path, resp.StatusCode)
		}
	}
}

// forms returns the encodings of a secret the sweep searches for.
func forms(secret string) map[string]string {
	j, _ := json.Marshal(secret)
	var noHTML bytes.Buffer
	enc := json.NewEncoder(&noHTML)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(secret)
	nh := strings.TrimSpace(noHTML.String())
	jj, _ := json.Marshal(string(j[1 : len(j)-1]))
	jn, _ := json.Marshal(nh[1 : len(nh)-1])
	return map[string]string{
		"raw":                          secret,
		"JSON-escaped twice":           string(jj[1 : len(jj)-1]),
		"JSON-escaped twice (no HTML)": string(jn[1 : len(jn)-1]),
		"JSON-escaped":                 string(j[1 : len(j)-1]),
		"JSON (no HTML)":               nh[1 : len(nh)-1],
		"base64":                       base64.StdEncoding.EncodeToString([]byte(secret)),
		"base64url":                    base64.URLEncoding.EncodeToString([]byte(secret)),
		"base64 raw":                   base64.RawStdEncoding.EncodeToString([]byte(secret)),
		"URL-encoded":                  url.QueryEscape(secret),
		"path-escaped":                 url.PathEscape(secret),
	}
}

// check searches every text for every form of every secret.
func (s *sweep) check(t *testing.T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.envs {
		for i, line := range strings.Split(e.logs.String(), "\n") {
			s.texts = append(s.texts, swept{fmt.Sprintf("log line %d", i+1), []byte(line)})
		}
	}
	nspans := 0
	for _, rec := range s.spans {
		for _, span := range rec.Ended() {
			nspans++
			s.texts = append(s.texts, swept{"span " + span.Name(), spanText(span)})
		}
	}
	if nspans < 100 {
		t.Errorf("only %d spans swept: the gateway's spans were not recorded", nspans)
	}
	secrets := map[string]string{"client secret": canaryClientSecret, "bearer": canaryBearer, "secured value": canarySecured}
	n := 0
	for tok := range s.secrets {
		if tok != canaryBearer {
			n++
			secrets[fmt.Sprintf("token %d", n)] = tok
		}
	}
	var names []string
	for name := range secrets {
		names = append(names, name)
	}
	sort.Strings(names)
	total, leaks := 0, 0
	for _, st := range s.texts {
		total += len(st.text)
	}
	for _, name := range names {
		for form, v := range forms(secrets[name]) {
			for _, st := range s.texts {
				if c := bytes.Count(st.text, []byte(v)); c > 0 {
					leaks += c
					t.Errorf("the %s (%s) appears %d times in %s: %.400s", name, form, c, st.where, st.text)
				}
			}
		}
	}
	t.Logf("swept %d texts (%d bytes: log lines, gRPC statuses and responses, REST bodies and headers, metrics, spans) for %d secrets in %d forms: %d occurrences",
		len(s.texts), total, len(secrets), len(forms("x")), leaks)
	if len(s.texts) < 100 {
		t.Errorf("only %d texts swept: the suite did not run", len(s.texts))
	}
}

// spanText is everything a span exports, as text.
func spanText(s sdktrace.ReadOnlySpan) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\n", s.Name(), s.Status().Code, s.Status().Description)
	kvs := func(attrs []attribute.KeyValue) {
		for _, kv := range attrs {
			fmt.Fprintf(&b, "%s=%s\n", kv.Key, kv.Value.Emit())
		}
	}
	kvs(s.Attributes())
	kvs(s.Resource().Attributes())
	for _, ev := range s.Events() {
		b.WriteString(ev.Name + "\n")
		kvs(ev.Attributes)
	}
	for _, l := range s.Links() {
		kvs(l.Attributes)
	}
	return []byte(b.String())
}
