package gateway_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connect-gateway/connect-gateway/connectsim"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// TestRESTForwardsWhatConnectJudges: a request whose body or query the
// Connect API refuses reaches it as the caller sent it, and the caller gets
// the upstream's answer (status, bytes, Content-Type), not the gateway's
// reading of the request.
func TestRESTForwardsWhatConnectJudges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name, method, path, body string
		wantQuery                string // the query the upstream must see
	}{
		{"a draft without configurations", "POST", "/demo/deployments", `{"key":"no-conf","connector":{"key":"c1","staged":true},"region":"europe-west1.gcp"}`, ""},
		{"malformed JSON", "POST", "/connectors/drafts", `{"name":`, ""},
		{"a wrongly typed field", "POST", "/connectors/drafts/key=nothere", `{"version":"one","actions":[]}`, ""},
		{"a fractional limit", "GET", "/connectors/drafts?limit=2.5", "", "limit=2.5"},
		{"a limit over int32", "GET", "/connectors/drafts?limit=99999999999", "", "limit=99999999999"},
		{"a boolean that is not", "GET", "/connectors/drafts?isPrivate=maybe", "", "isPrivate=maybe"},
		{"query bytes as sent", "GET", "/demo/deployments?sort=key%20asc&sort=version+desc&limit=1", "", "sort=key%20asc&sort=version+desc&limit=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cid := "fwd-" + strings.ReplaceAll(tt.name, " ", "-")
			resp, body := e.rest(t, tt.method, tt.path, tt.body, "X-Correlation-ID", cid)
			want, wantBody := e.direct(t, tt.method, tt.path, tt.body)
			if resp.StatusCode != want.StatusCode || !bytes.Equal(body, wantBody) {
				t.Errorf("gateway %d %s\nsimulator %d %s", resp.StatusCode, body, want.StatusCode, wantBody)
			}
			if got, w := resp.Header.Get("Content-Type"), want.Header.Get("Content-Type"); got != w {
				t.Errorf("Content-Type %q, want the upstream's %q", got, w)
			}
			seen := journalByCorrelation(t, e.sim, cid)
			if seen.Query != tt.wantQuery || seen.BodyLength != int64(len(tt.body)) {
				t.Errorf("the upstream saw query %q and %d body bytes, want %q and %d", seen.Query, seen.BodyLength, tt.wantQuery, len(tt.body))
			}
		})
	}
}

// TestRESTPassesConnectsHeaders: the allow-listed response headers come
// back as the upstream sent them; hop-by-hop, cookie and infrastructure
// headers never do.
func TestRESTPassesConnectsHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	t.Run("invalid token", func(t *testing.T) {
		resp, body := doHTTP(t, "GET", e.httpURL+"/connectors/drafts", "", "Authorization", "Bearer not-a-token")
		want, wantBody := doHTTP(t, "GET", e.simURL+"/connectors/drafts", "", "Authorization", "Bearer not-a-token")
		if resp.StatusCode != http.StatusUnauthorized || !bytes.Equal(body, wantBody) {
			t.Errorf("%d %s, want the simulator's %d %s", resp.StatusCode, body, want.StatusCode, wantBody)
		}
		for _, h := range []string{"Www-Authenticate", "Content-Type"} {
			if got := resp.Header.Get(h); got == "" || got != want.Header.Get(h) {
				t.Errorf("%s %q, want the upstream's %q", h, got, want.Header.Get(h))
			}
		}
	})
	t.Run("fault with headers", func(t *testing.T) {
		if _, err := e.sim.Faults().Add(connectsim.FaultRule{Method: "GET", Path: "/connectors/drafts/key=headers", Times: 1,
			Action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Code: "BadGateway", ContentType: "application/json;charset=UTF-8",
				Headers: map[string]string{
					"Retry-After": "7", "Location": "/connectors/drafts/key=elsewhere", "Cache-Control": "no-store",
					"Set-Cookie": "session=upstream-secret", "Keep-Alive": "timeout=5", "X-Envoy-Upstream-Service-Time": "3",
					"Strict-Transport-Security": "max-age=1",
				}}}); err != nil {
			t.Fatal(err)
		}
		// A GET on 502 is retried: the fault answers once, then the real
		// 404 comes back with none of these headers. A DELETE is not.
		resp, _ := e.rest(t, "GET", "/connectors/drafts/key=headers", "")
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Retry-After") != "" {
			t.Fatalf("after a retried 502: %d, Retry-After %q, want the final 404's headers", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if _, err := e.sim.Faults().Add(connectsim.FaultRule{Method: "DELETE", Path: "/demo/deployments/key=headers", Times: 1,
			Action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Status: 503, Body: `{"statusCode":503,"message":"busy","errors":[{"code":"General","message":"busy"}]}`,
				ContentType: "application/json;charset=UTF-8",
				Headers: map[string]string{
					"Retry-After": "7", "Location": "/demo/deployments/key=elsewhere", "Cache-Control": "no-store",
					"Set-Cookie": "session=upstream-secret", "Keep-Alive": "timeout=5", "X-Envoy-Upstream-Service-Time": "3",
				}}}); err != nil {
			t.Fatal(err)
		}
		resp, body := e.rest(t, "DELETE", "/demo/deployments/key=headers", "")
		if resp.StatusCode != 503 || !json.Valid(body) {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		for h, want := range map[string]string{
			"Content-Type": "application/json;charset=UTF-8", "Retry-After": "7",
			"Location": "/demo/deployments/key=elsewhere", "Cache-Control": "no-store",
			"Set-Cookie": "", "Keep-Alive": "", "X-Envoy-Upstream-Service-Time": "",
		} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("%s %q, want %q", h, got, want)
			}
		}
	})
}

// TestUnsafePathParamsNeverReachTheUpstream sends path parameters that
// could change the upstream path, over both faces: each is answered with
// Connect's InvalidPathParam (or, over REST, a Connect 404 for a path no
// route takes), and the simulator's journal shows no request at all.
func TestUnsafePathParamsNeverReachTheUpstream(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	before := len(e.sim.Journal().Entries())
	restPaths := []string{
		"/connectors/drafts/..",
		"/connectors/drafts/.",
		"/connectors/drafts/%2E%2E",
		"/connectors/drafts/key=..",
		"/connectors/drafts/key=%2e%2e",
		"/connectors/drafts/key=a%2Fb",
		"/connectors/drafts/a%2F..%2F..%2Fdeployments",
		"/connectors/key=x%3Fy",
		"/connectors/key=x",
		"/../deployments",
		"/%2E%2E/deployments/key=abc",
		"/demo%2Fother/deployments",
		"/x/deployments",
		"/demo/deployments/key=ab%23frag",
		"/demo/deployments/.%2E/logs",
		"/demo/deployments/key=%20ab",
		"/demo/deployments/key=" + strings.Repeat("k", 257),
		"/" + strings.Repeat("p", 37) + "/deployments",
	}
	for _, p := range restPaths {
		resp, body := e.rest(t, "GET", p, "")
		var er struct {
			StatusCode int `json:"statusCode"`
			Errors     []struct {
				Code string `json:"code"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(body, &er); err != nil || er.StatusCode != resp.StatusCode || len(er.Errors) == 0 {
			t.Errorf("GET %s: %d %s: not a Connect ErrorResponse", p, resp.StatusCode, body)
			continue
		}
		if c := er.Errors[0].Code; !(resp.StatusCode == 400 && c == "InvalidPathParam" || resp.StatusCode == 404 && c == "ResourceNotFound") {
			t.Errorf("GET %s: %d %s, want 400 InvalidPathParam", p, resp.StatusCode, c)
		}
	}
	client := connectv1.NewDeploymentServiceClient(e.conn)
	grpcCalls := []*connectv1.GetDeploymentRequest{
		{ProjectKey: "..", Ref: &connectv1.GetDeploymentRequest_Key{Key: "abc"}},
		{ProjectKey: ".", Ref: &connectv1.GetDeploymentRequest_Key{Key: "abc"}},
		{ProjectKey: "", Ref: &connectv1.GetDeploymentRequest_Key{Key: "abc"}},
		{ProjectKey: "demo/x", Ref: &connectv1.GetDeploymentRequest_Key{Key: "abc"}},
		{ProjectKey: "demo", Ref: &connectv1.GetDeploymentRequest_Id{Id: ".."}},
		{ProjectKey: "demo", Ref: &connectv1.GetDeploymentRequest_Id{Id: ""}},
		{ProjectKey: "demo", Ref: &connectv1.GetDeploymentRequest_Id{Id: "a/../../b"}},
		{ProjectKey: "demo", Ref: &connectv1.GetDeploymentRequest_Id{Id: "a?b"}},
		{ProjectKey: "demo", Ref: &connectv1.GetDeploymentRequest_Key{Key: ".."}},
		{ProjectKey: "demo", Ref: &connectv1.GetDeploymentRequest_Key{Key: "%2e%2e"}},
		{ProjectKey: "demo", Ref: &connectv1.GetDeploymentRequest_Key{Key: "a=b"}},
		{ProjectKey: "demo", Ref: &connectv1.GetDeploymentRequest_Key{Key: "x"}},
	}
	for _, req := range grpcCalls {
		_, err := client.GetDeployment(e.ctx(t), req)
		info, _ := translate.DetailOf[*errdetails.ErrorInfo](err)
		br, _ := translate.DetailOf[*errdetails.BadRequest](err)
		if status.Code(err) != codes.InvalidArgument || info.GetReason() != "INVALID_PATH_PARAM" || len(br.GetFieldViolations()) == 0 {
			t.Errorf("GetDeployment(%v): %v, want INVALID_ARGUMENT INVALID_PATH_PARAM with a field violation", req, err)
		}
	}
	if after := e.sim.Journal().Entries(); len(after) != before {
		for _, en := range after[before:] {
			t.Errorf("the upstream saw %s %s", en.Method, en.Path)
		}
	}
}

// journalByCorrelation returns the simulator's one journal entry of the
// request with correlation id cid.
func journalByCorrelation(t *testing.T, sim *connectsim.Simulator, cid string) connectsim.JournalEntry {
	t.Helper()
	var found []connectsim.JournalEntry
	for _, en := range sim.Journal().Entries() {
		if en.Header.Get("X-Correlation-ID") == cid {
			found = append(found, en)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d upstream requests with correlation id %s, want 1", len(found), cid)
	}
	return found[0]
}

// TestRESTMasksSecuredValuesOfAnyBody: an upstream that echoes a forwarded
// body in its error cannot make the REST face repeat a secured value, even
// when the body does not decode into the request message (a wrongly typed
// field elsewhere).
func TestRESTMasksSecuredValuesOfAnyBody(t *testing.T) {
	t.Parallel()
	const canary = "SecuredCanary-4f1e9a7c"
	e := newEnv(t, withUpstream(func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]any{"statusCode": 400, "message": "bad: " + string(body),
				"errors": []any{map[string]any{"code": "InvalidJsonInput", "message": "bad", "detailedErrorMessage": string(body)}}})
		})
	}))
	tests := []struct{ name, path, body string }{
		{"a Deployment draft", "/demo/deployments", `{"region":7,"connector":{"key":"c"},"configurations":[{"applicationName":"processor",` +
			`"securedConfiguration":[{"key":"K","value":"` + canary + `"}]}]}`},
		// A ConnectorStaged update cannot hold a secured value; a body
		// that does not decode into it is still searched.
		{"a request type without secured fields", "/connectors/drafts/key=some-draft",
			`{"version":"one","actions":[],"securedConfiguration":[{"key":"K","value":"` + canary + `"}]}`},
		{"the same, the key escaped", "/connectors/drafts/key=some-draft",
			`{"version":"one","actions":[],"s\u0065curedConfiguration":[{"key":"K","value":"` + canary + `"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, got := e.rest(t, "POST", tt.path, tt.body)
			if resp.StatusCode != http.StatusBadRequest || bytes.Contains(got, []byte(canary)) || !bytes.Contains(got, []byte("InvalidJsonInput")) {
				t.Errorf("%d %s: want the upstream's 400 with the secured value masked", resp.StatusCode, got)
			}
			if strings.Contains(e.logs.String(), canary) {
				t.Error("the secured value is in the logs")
			}
		})
	}
}
