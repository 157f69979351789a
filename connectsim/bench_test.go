package connectsim_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/connect-gateway/connect-gateway/connectsim"
)

func benchSim(b *testing.B) (*connectsim.Simulator, string) {
	b.Helper()
	sim := connectsim.New(connectsim.Options{Seed: true, Clock: connectsim.NewManualClock(time.Time{})})
	tok, err := sim.Token(context.Background(), connectsim.DefaultClient())
	if err != nil {
		b.Fatal(err)
	}
	return sim, tok
}

// BenchmarkGetDeployment serves GET /{projectKey}/deployments/key={key} in process.
func BenchmarkGetDeployment(b *testing.B) {
	sim, tok := benchSim(b)
	req := httptest.NewRequest("GET", "/demo/deployments/key="+connectsim.DemoDeploymentKey, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		sim.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}

// BenchmarkErrorBody serves a 404 ResourceNotFound, built from the catalogue.
func BenchmarkErrorBody(b *testing.B) {
	sim, tok := benchSim(b)
	req := httptest.NewRequest("GET", "/connectors/drafts/key=missing", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		sim.ServeHTTP(w, req)
		if w.Code != http.StatusNotFound {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkCreateStaged serves POST /connectors/drafts (keyless drafts, so
// the store grows by one per iteration).
func BenchmarkCreateStaged(b *testing.B) {
	sim, tok := benchSim(b)
	body := `{"name":"bench","creator":{"email":"e@x"},"repository":{"url":"` + connectsim.RepoPayment + `","tag":"v1.0.0"}}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/connectors/drafts", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		sim.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}

// BenchmarkRoundTrip is GET deployment over a loopback socket (keep-alive).
func BenchmarkRoundTrip(b *testing.B) {
	srv, err := connectsim.Start(context.Background(), connectsim.Options{Seed: true})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	tok, err := srv.Sim.Token(context.Background(), connectsim.DefaultClient())
	if err != nil {
		b.Fatal(err)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("GET", srv.URL+"/demo/deployments/key="+connectsim.DemoDeploymentKey, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
