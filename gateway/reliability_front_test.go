package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/connect-gateway/connect-gateway/gateway"
)

// TestFrontAnswersInConnectShape: paths http.ServeMux would redirect (`//`,
// `..`) and the `*` target get a Connect ErrorResponse, not a redirect with
// an HTML body or an empty 400; the operational endpoints still answer.
func TestFrontAnswersInConnectShape(t *testing.T) {
	t.Parallel()
	g, err := gateway.New(gateway.Options{UpstreamURL: "http://127.0.0.1:9", Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	h := g.HTTPHandler()
	for _, tt := range []struct {
		method, target string
		status         int
	}{
		{"GET", "/connectors//drafts", http.StatusNotFound},
		{"GET", "/connectors/drafts/../search", http.StatusNotFound},
		{"GET", "/./connectors/drafts", http.StatusNotFound},
		{"OPTIONS", "*", http.StatusBadRequest},
		{"POST", "/healthz", http.StatusNotFound},
	} {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			t.Parallel()
			req, ok := parseRequest(tt.method, tt.target, nil, "token")
			if !ok {
				t.Fatal("unparsable request")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if msg := checkRESTAnswer(rec.Code, rec.Header(), rec.Body.Bytes()); msg != "" {
				t.Errorf("%s: %s", msg, rec.Body)
			}
		})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "ok") {
		t.Errorf("/healthz: %d %q", rec.Code, rec.Body)
	}
}
