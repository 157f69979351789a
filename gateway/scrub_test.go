package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/gateway/redact"
	"github.com/connect-gateway/connect-gateway/gateway/upstream"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

func TestScrubError(t *testing.T) {
	t.Parallel()
	const secret = `s3cret/Value+"x"&<y>`
	esc, _ := json.Marshal(secret)
	twice, _ := json.Marshal(string(esc))
	target := translate.Target{ResourceType: "Deployment", Key: "k", CorrelationID: "cid"}
	tests := []struct {
		name   string
		err    error
		code   codes.Code
		status int
	}{
		{
			name: "echo in message, code, extra fields and nested JSON",
			err: translate.FromResponse(400, http.Header{"Content-Type": {"application/json"}}, []byte(
				`{"statusCode":400,"message":"bad `+string(esc[1:len(esc)-1])+`","errors":[`+
					`{"code":"InvalidJsonInput","message":"m","detailedErrorMessage":"body `+string(twice[1:len(twice)-1])+`",`+
					`"request":{"value":`+string(esc)+`},"`+url.QueryEscape(secret)+`":1},`+
					`{"code":`+string(esc)+`,"message":"x"}]}`), target),
			code: codes.InvalidArgument, status: 400,
		},
		{
			name: "HTML page with the base64 form",
			err: translate.FromResponse(502, http.Header{"Content-Type": {"text/html"}},
				[]byte("<html>"+base64.StdEncoding.EncodeToString([]byte(secret))+"</html>"), target),
			code: codes.Unavailable, status: 502,
		},
		{
			name: "gateway error quoting it",
			err: (&Gateway{}).upstreamError(&upstream.Error{Kind: upstream.KindUnavailable,
				Err: &url.Error{Op: "Get", URL: "http://u/" + url.PathEscape(secret), Err: http.ErrHandlerTimeout}}, target),
			code: codes.Unavailable, status: 502,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := marshalStatus(t, tt.err)
			if !containsAny(before, secretForms([]string{secret})) {
				t.Fatal("the input holds no form of the secret: the test is wrong")
			}
			got := scrubError(tt.err, []string{"short", secret})
			after := marshalStatus(t, got)
			for _, f := range secretForms([]string{secret}) {
				if bytes.Contains(after, []byte(f)) {
					t.Errorf("%q is still in the status", f)
				}
			}
			if !bytes.Contains(after, []byte(redact.Mask)) {
				t.Errorf("no %s in the status", redact.Mask)
			}
			st := status.Convert(got)
			if st.Code() != tt.code {
				t.Errorf("code %v, want %v", st.Code(), tt.code)
			}
			if len(st.Details()) != len(status.Convert(tt.err).Details()) {
				t.Errorf("%d details, want %d", len(st.Details()), len(status.Convert(tt.err).Details()))
			}
			code, _, body := translate.ToResponse(st)
			if code != tt.status || !json.Valid(body) {
				t.Errorf("REST rendering %d %s, want %d and JSON", code, body, tt.status)
			}
		})
	}
}

func TestScrubErrorLeavesCleanErrorsAlone(t *testing.T) {
	t.Parallel()
	err := translate.FromResponse(409, nil, []byte(`{"statusCode":409,"message":"m","errors":[{"code":"ConcurrentModification","message":"m"}]}`), translate.Target{})
	for _, secrets := range [][]string{nil, {"abc"}, {"not-in-there-at-all"}} {
		if got := scrubError(err, secrets); got != error(err) {
			t.Errorf("scrubError with %q returned a new error %v", secrets, got)
		}
	}
	if scrubError(nil, []string{"whatever-secret"}) != nil {
		t.Error("scrubError(nil) is not nil")
	}
}

// TestScrubCallREST: a failed REST call answers with the upstream's bytes
// unless a client reading them (JSON-decoded) would find a secret; then it
// answers with the scrubbed translation, as the gRPC face does.
func TestScrubCallREST(t *testing.T) {
	t.Parallel()
	const bearer = "bearer-Token-7c1d9e"
	header := http.Header{"Content-Type": {jsonContentType}}
	conflict := func(msg string) []byte {
		return []byte(`{"statusCode":409,"message":"` + msg + `","errors":[{"code":"ConcurrentModification","message":"` + msg + `","currentVersion":3,"expectedVersion":2}]}`)
	}
	tests := []struct {
		name     string
		body     []byte
		asItCame bool
	}{
		{"no secret", conflict("Version mismatch"), true},
		{"escapes, no secret", conflict(`Version \"3\" mismatch`), true},
		{"invalid UTF-8, no secret", conflict("Version \xff mismatch"), true},
		{"the secret as it is", conflict("token " + bearer), false},
		{"the secret spelled with escapes", conflict(`token \u0062earer-Token-7c1d9\u0065`), false},
	}
	g := &Gateway{opts: Options{Auth: AuthPassthrough}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := error(translate.FromResponse(409, header, tt.body, translate.Target{ResourceType: "ConnectorStaged", ID: "id", CorrelationID: "cid"}))
			out := callOut{header: header}
			got := g.scrubCall(err, &out, callIn{face: faceREST, bearer: bearer}, &connectv1.GetConnectorStagedRequest{})
			if out.connectCode != "ConcurrentModification" {
				t.Errorf("connect code %q", out.connectCode)
			}
			rec := httptest.NewRecorder()
			writeRESTError(rec, got, out.header, "cid")
			if rec.Code != http.StatusConflict {
				t.Errorf("status %d, want 409", rec.Code)
			}
			if asItCame := bytes.Equal(rec.Body.Bytes(), tt.body); asItCame != tt.asItCame {
				t.Errorf("answered with the upstream's bytes: %t, want %t (%s)", asItCame, tt.asItCame, rec.Body.Bytes())
			}
			var decoded any
			if err := json.Unmarshal(rec.Body.Bytes(), &decoded); err != nil {
				t.Fatalf("answer is not JSON: %v", err)
			}
			text, _ := json.Marshal(decoded)
			if bytes.Contains(text, []byte(bearer)) || bytes.Contains(rec.Body.Bytes(), []byte(bearer)) {
				t.Errorf("a client reads the secret in %s", rec.Body.Bytes())
			}
		})
	}
}

func TestCallSecrets(t *testing.T) {
	t.Parallel()
	g := &Gateway{opts: Options{Auth: AuthPassthrough}}
	req := &connectv1.CreateDeploymentRequest{Draft: &connectv1.DeploymentDraft{
		Configurations: []*connectv1.DeploymentConfigurationApplication{{
			SecuredConfiguration: []*connectv1.SecuredConfigurationValue{{Key: "K", Value: "secured-1"}},
		}},
		GlobalConfiguration: &connectv1.DeploymentGlobalConfiguration{
			SecuredConfiguration: []*connectv1.SecuredConfigurationValue{{Key: "G", Value: "secured-2"}},
		},
	}}
	got := g.callSecrets(callIn{bearer: "bearer-token"}, req)
	// protoreflect ranges over fields in no fixed order: compare as sets.
	slices.Sort(got)
	want := []string{"bearer-token", "secured-1", "secured-2"}
	if !slices.Equal(got, want) {
		t.Errorf("callSecrets = %q, want %q", got, want)
	}
}

func marshalStatus(t *testing.T, err error) []byte {
	t.Helper()
	b, merr := proto.Marshal(status.Convert(err).Proto())
	if merr != nil {
		t.Fatal(merr)
	}
	return b
}

func BenchmarkScrubErrorClean(b *testing.B) {
	err := translate.FromResponse(409, nil, []byte(`{"statusCode":409,"message":"m","errors":[{"code":"ConcurrentModification","message":"m","currentVersion":3,"expectedVersion":2}]}`),
		translate.Target{ResourceType: "ConnectorStaged", ID: "id", CorrelationID: "cid"})
	secrets := []string{"a-bearer-token-of-some-length", "another-secured-value"}
	b.ReportAllocs()
	for b.Loop() {
		_ = scrubError(err, secrets)
	}
}
