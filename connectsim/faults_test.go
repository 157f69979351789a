package connectsim_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/connect-gateway/connect-gateway/connectsim"
)

func (e *env) addFault(rule connectsim.FaultRule) connectsim.FaultRule {
	e.t.Helper()
	added, err := e.sim.Faults().Add(rule)
	if err != nil {
		e.t.Fatal(err)
	}
	return added
}

// rawGet sends a GET with its own transport (so a broken connection is not
// reused) and returns the response with its body read, or the error.
func (e *env) rawGet(ctx context.Context, path string) (*http.Response, []byte, error) {
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, "GET", e.srv.URL+path, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestFaultRespond(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	e.addFault(connectsim.FaultRule{Method: "GET", Path: "/connectors/drafts", Times: 2, Action: connectsim.FaultAction{
		Kind: connectsim.FaultRespond, Code: "BadGateway", Headers: map[string]string{"Retry-After": "3"}}})
	e.addFault(connectsim.FaultRule{Path: "/demo/**", Times: 1, Action: connectsim.FaultAction{
		Kind: connectsim.FaultRespond, Status: 503, Body: "<html>busy</html>", ContentType: "text/html"}})
	for range 2 {
		r := e.call("GET", "/connectors/drafts", nil)
		if r.status != 502 || r.code(t) != "BadGateway" || r.header.Get("Retry-After") != "3" {
			t.Fatalf("got %d %v %s", r.status, r.header, r.body)
		}
	}
	e.must(e.call("GET", "/connectors/drafts", nil), http.StatusOK, nil) // Times used up
	r := e.call("GET", "/demo/deployments/key=x/logs", nil)
	if r.status != 503 || string(r.body) != "<html>busy</html>" || r.header.Get("Content-Type") != "text/html" {
		t.Errorf("raw fault: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	if n := len(e.sim.Faults().Rules()); n != 0 {
		t.Errorf("%d rules left after their Times", n)
	}
}

func TestFaultDelayPassesThrough(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	e.addFault(connectsim.FaultRule{Path: "/connectors/drafts", Times: 1,
		Action: connectsim.FaultAction{Kind: connectsim.FaultDelay, Delay: connectsim.Duration(20 * time.Millisecond)}})
	e.must(e.call("GET", "/connectors/drafts", nil), http.StatusOK, nil)
	es, err := e.sim.Journal().Filter("GET", "/connectors/drafts")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Fault != "delay" || es[0].Status != 200 {
		t.Errorf("journal: %+v", es)
	}
}

func TestFaultHangEndsWithTheClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	e.addFault(connectsim.FaultRule{Path: "/connectors/drafts", Action: connectsim.FaultAction{Kind: connectsim.FaultHang}})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, _, err := e.rawGet(ctx, "/connectors/drafts")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the client's deadline", err)
	}
	// goleak (TestMain) checks that the hanging handler returned.
}

func TestFaultHangEndsWithTheServer(t *testing.T) {
	t.Parallel()
	srv, err := connectsim.Start(t.Context(), connectsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Sim.Faults().Add(connectsim.FaultRule{Action: connectsim.FaultAction{Kind: connectsim.FaultHang}}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/connectors/drafts")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	if err := srv.Sim.Journal().Wait(t.Context(), "GET", "/connectors/drafts", 1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("shutdown with a hanging request: %v", err)
	}
	if err := <-done; err == nil {
		t.Error("the hanging request got an answer")
	}
}

func TestFaultConnectionFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	tests := []struct {
		kind        connectsim.FaultKind
		wantHeaders bool
		wantJournal int // the status the journal records: 0 when none was sent
	}{
		{connectsim.FaultResetBeforeHeaders, false, 0},
		{connectsim.FaultResetAfterHeaders, true, http.StatusNotFound},
		{connectsim.FaultTruncate, true, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			t.Parallel()
			e := e.with(t)
			path := "/connectors/drafts/key=" + strings.ReplaceAll(string(tt.kind), "-", "_")
			e.addFault(connectsim.FaultRule{Method: "GET", Path: path, Times: 1, Action: connectsim.FaultAction{Kind: tt.kind}})
			resp, body, err := e.rawGet(t.Context(), path)
			if err == nil {
				t.Fatalf("no error; status %d body %q", resp.StatusCode, body)
			}
			if gotHeaders := resp != nil; gotHeaders != tt.wantHeaders {
				t.Fatalf("headers received %v, want %v (err %v)", gotHeaders, tt.wantHeaders, err)
			}
			switch tt.kind {
			case connectsim.FaultResetBeforeHeaders, connectsim.FaultResetAfterHeaders:
				if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
					t.Errorf("err %v, want a reset", err)
				}
			case connectsim.FaultTruncate:
				if !errors.Is(err, io.ErrUnexpectedEOF) || resp.StatusCode != 404 || len(body) == 0 {
					t.Errorf("truncate: status %d, %d bytes, err %v", resp.StatusCode, len(body), err)
				}
			}
			// The journal says what was sent.
			deadline := time.Now().Add(5 * time.Second)
			for {
				es, err := e.sim.Journal().Filter("GET", path)
				if err != nil {
					t.Fatal(err)
				}
				if len(es) == 1 && es[0].Done {
					if es[0].Status != tt.wantJournal || es[0].Fault != string(tt.kind) {
						t.Errorf("journal: status %d fault %q, want %d %q", es[0].Status, es[0].Fault, tt.wantJournal, tt.kind)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("journal entries %+v, want one done", es)
				}
				time.Sleep(5 * time.Millisecond)
			}
			// The simulator still serves after the broken connection.
			e.must(e.call("GET", "/connectors/drafts", nil), http.StatusOK, nil)
		})
	}
}

func TestFaultPercent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	e.addFault(connectsim.FaultRule{Path: "/connectors/search", Percent: 30,
		Action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Code: "General"}})
	failed := 0
	for range 200 {
		if e.call("GET", "/connectors/search", nil).status == 500 {
			failed++
		}
	}
	if failed < 30 || failed > 90 {
		t.Errorf("%d of 200 requests failed at 30%%", failed)
	}
}

func TestFaultValidation(t *testing.T) {
	t.Parallel()
	f := connectsim.New(connectsim.Options{}).Faults()
	for name, rule := range map[string]connectsim.FaultRule{
		"kind":    {Action: connectsim.FaultAction{Kind: "explode"}},
		"code":    {Action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Code: "NoSuchCode"}},
		"regexp":  {Path: "re:(", Action: connectsim.FaultAction{Kind: connectsim.FaultHang}},
		"delay":   {Action: connectsim.FaultAction{Kind: connectsim.FaultDelay}},
		"percent": {Percent: 101, Action: connectsim.FaultAction{Kind: connectsim.FaultHang}},
	} {
		if _, err := f.Add(rule); err == nil {
			t.Errorf("bad %s accepted", name)
		}
	}
}

func TestJournal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{JournalSize: 3})
	req, err := http.NewRequestWithContext(t.Context(), "GET", e.srv.URL+"/connectors/search?text=x", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("X-Correlation-ID", "corr-123")
	req.Header.Set("Cookie", "session=abc")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Correlation-ID"); got != "corr-123" {
		t.Errorf("correlation id echoed as %q", got)
	}
	es := e.sim.Journal().Entries()
	if len(es) != 1 {
		t.Fatalf("%d entries", len(es))
	}
	j := es[0]
	if j.Method != "GET" || j.Path != "/connectors/search" || j.Query != "text=x" || j.Status != 200 || !j.Done ||
		j.Header.Get("X-Correlation-ID") != "corr-123" {
		t.Errorf("entry %+v", j)
	}
	if got, want := j.Header.Get("Authorization"), connectsim.Fingerprint("Bearer "+e.token); got != want || strings.Contains(got, e.token) {
		t.Errorf("Authorization journaled as %q, want %q", got, want)
	}
	if strings.Contains(j.Header.Get("Cookie"), "abc") {
		t.Errorf("cookie not redacted: %q", j.Header.Get("Cookie"))
	}
	if r := e.call("GET", "/connectors/drafts", nil); r.header.Get("X-Correlation-ID") == "" {
		t.Error("no generated correlation id")
	}
	for range 4 {
		e.call("POST", "/connectors/drafts", `{}`)
	}
	if n := len(e.sim.Journal().Entries()); n != 3 {
		t.Errorf("journal holds %d entries, bound is 3", n)
	}
	if n := e.sim.Journal().Count("POST", "/connectors/*"); n != 3 {
		t.Errorf("Count(POST) = %d", n)
	}
}

func TestAdminAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	admin := func(method, path, body string, want int) []byte {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
		}
		return b
	}
	var rule connectsim.FaultRule
	if err := json.Unmarshal(admin("POST", "/_sim/faults", `{"method":"GET","path":"/connectors/search","times":1,
		"action":{"kind":"respond","code":"General"}}`, 201), &rule); err != nil || rule.ID == "" {
		t.Fatalf("added rule %+v, %v", rule, err)
	}
	if r := e.call("GET", "/connectors/search", nil); r.status != 500 || r.code(t) != "General" {
		t.Errorf("fault from the admin API: %d %s", r.status, r.body)
	}
	admin("POST", "/_sim/faults", `{"path":"/x","action":{"kind":"delay","delay":"1s"}}`, 201)
	admin("DELETE", "/_sim/faults", "", 204)
	admin("POST", "/_sim/faults", `{"action":{"kind":"nope"}}`, 400)
	before := e.sim.Now()
	admin("POST", "/_sim/clock/advance", `{"duration":"90s"}`, 200)
	if got := e.sim.Now().Sub(before); got != 90*time.Second {
		t.Errorf("clock moved %v", got)
	}
	admin("POST", "/_sim/seed", "", 204)
	e.must(e.call("GET", "/demo/deployments/key="+connectsim.DemoDeploymentKey, nil), http.StatusOK, nil)
	var journal []connectsim.JournalEntry
	if err := json.Unmarshal(admin("GET", "/_sim/journal?method=GET&path=/demo/**", "", 200), &journal); err != nil || len(journal) != 1 {
		t.Errorf("journal %+v %v", journal, err)
	}
	admin("POST", "/_sim/repositories", `{"url":"https://git.example.com/x.git","tag":"v9","applications":[
		{"applicationName":"only","applicationType":"service","standardConfiguration":[],"securedConfiguration":[]}]}`, 204)
	cs := e.createStaged("custom-repo", "https://git.example.com/x.git", "v9")
	if len(cs.Configurations) != 1 || cs.Configurations[0].ApplicationName != "only" {
		t.Errorf("custom repository configurations %+v", cs.Configurations)
	}
	admin("PUT", "/_sim/projects/demo/production", `{"enabled":true}`, 204)
	admin("POST", "/_sim/reset", "", 204)
	if r := e.call("GET", "/demo/deployments/key="+connectsim.DemoDeploymentKey, nil); r.status != 404 {
		t.Errorf("reset kept the seed: %d", r.status)
	}
	if r := e.call("POST", "/connectors/drafts", stagedDraft("again", "https://git.example.com/x.git", "v9")); r.code(t) != "GitRepositoryNotReachable" {
		t.Errorf("reset kept the added repository: %s", r.body)
	}
}
