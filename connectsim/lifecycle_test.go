package connectsim_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connect-gateway/connect-gateway/connectsim"
)

func TestPublishMakesAConnector(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	cs := e.createStaged("pub", connectsim.RepoPayment, connectsim.TagV1)
	cs = e.updateStaged(cs, map[string]any{"action": "publish", "certification": false})
	if cs.Status != "Processing" {
		t.Fatalf("status %s, want Processing", cs.Status)
	}
	if r := e.call("GET", "/connectors/"+cs.ID, nil); r.status != http.StatusNotFound {
		t.Fatalf("a Connector exists before publishing completes: %d", r.status)
	}
	e.sim.Advance(connectsim.DefaultTimings().Publish)
	cs = e.getStaged(cs.ID)
	if cs.Status != "Published" || cs.HasChanges {
		t.Errorf("after publishing: status %s hasChanges %v", cs.Status, cs.HasChanges)
	}
	var byID, byKey connectsim.Connector
	e.must(e.call("GET", "/connectors/"+cs.ID, nil), http.StatusOK, &byID)
	e.must(e.call("GET", "/connectors/key=pub", nil), http.StatusOK, &byKey)
	if byID.ID != cs.ID || byKey.ID != cs.ID || byID.Version != 1 || byID.Certified || !byID.Private {
		t.Errorf("published Connector: %+v", byID)
	}
	other := e.tokenFor(connectsim.Client{ID: "o", ProjectKey: "shop", Scopes: connectsim.AllScopes()})
	if r := e.callAs(other, "GET", "/connectors/"+cs.ID, nil); r.status != http.StatusNotFound {
		t.Errorf("a private Connector is visible to another project: %d", r.status)
	}
	cs = e.updateStaged(cs, map[string]any{"action": "addPrivateProject", "privateProject": "europe-west1.gcp:shop"},
		map[string]any{"action": "publish", "certification": false})
	e.sim.Advance(connectsim.DefaultTimings().Publish)
	var again connectsim.Connector
	e.must(e.callAs(other, "GET", "/connectors/"+cs.ID, nil), http.StatusOK, &again)
	if again.Version != 2 {
		t.Errorf("republished version %d, want 2", again.Version)
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{Seed: true})
	other := e.tokenFor(connectsim.Client{ID: "o", ProjectKey: "shop", Scopes: connectsim.AllScopes()})
	tests := []struct {
		token, query string
		wantKeys     []string
	}{
		{e.token, "", []string{connectsim.DemoPaymentConnectorKey, connectsim.DemoTaxConnectorKey}},
		{e.token, "?text=TAX", []string{connectsim.DemoTaxConnectorKey}},
		{e.token, "?integrationTypes=psp", []string{connectsim.DemoPaymentConnectorKey}},
		{e.token, "?key=" + connectsim.DemoTaxConnectorKey, []string{connectsim.DemoTaxConnectorKey}},
		{e.token, "?creator.company=nobody", nil},
		{e.token, "?sort=key+desc&limit=1", []string{connectsim.DemoTaxConnectorKey}},
		{other, "", []string{connectsim.DemoTaxConnectorKey}},
		{other, "?private=true", nil},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i, tt.query), func(t *testing.T) {
			t.Parallel()
			e := e.with(t)
			var page struct{ Results []connectsim.Connector }
			e.must(e.callAs(tt.token, "GET", "/connectors/search"+tt.query, nil), http.StatusOK, &page)
			var keys []string
			for _, c := range page.Results {
				keys = append(keys, c.Key)
			}
			if fmt.Sprint(keys) != fmt.Sprint(tt.wantKeys) {
				t.Errorf("keys %v, want %v", keys, tt.wantKeys)
			}
		})
	}
}

func TestDeploymentLifecycle(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var logMu sync.Mutex
	e := newEnv(t, connectsim.Options{Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	tm := connectsim.DefaultTimings()
	cs := e.previewable("life")
	if cs.IsPreviewable != "true" {
		t.Fatalf("isPreviewable %s after the preview delay", cs.IsPreviewable)
	}
	d := e.deployPreview(cs, "life-dep", "europe-west1.gcp")
	if d.Status != "Queued" || d.Type != "preview" || !d.Preview || len(d.Applications) != 2 {
		t.Fatalf("new deployment: %+v", d)
	}
	for _, a := range d.Applications {
		for _, v := range a.SecuredConfiguration {
			if v.Value != connectsim.MaskedValue {
				t.Errorf("secured value returned in plain text: %+v", v)
			}
		}
	}
	steps := []struct {
		advance time.Duration
		want    string
	}{{tm.Queue - time.Second, "Queued"}, {time.Second, "Deploying"}, {tm.Deploy, "Deployed"}}
	for _, st := range steps {
		e.sim.Advance(st.advance)
		if got := e.getDeployment(d.ID); got.Status != st.want {
			t.Fatalf("status %s, want %s", got.Status, st.want)
		}
	}
	d = e.getDeployment(d.ID)
	var redeployed connectsim.Deployment
	e.must(e.call("POST", "/demo/deployments/key=life-dep", map[string]any{"version": d.Version, "actions": []any{
		map[string]any{"action": "redeploy", "configurationValues": []any{map[string]any{"applicationName": "processor",
			"standardConfiguration": []any{map[string]string{"key": "CTP_PROJECT_KEY", "value": "new"}},
			"securedConfiguration":  []any{map[string]string{"key": "CTP_CLIENT_SECRET", "value": "another-secret"}}}}},
	}}), http.StatusCreated, &redeployed)
	if redeployed.Status != "Queued" || redeployed.Version != d.Version+1 {
		t.Errorf("redeployed: status %s version %d", redeployed.Status, redeployed.Version)
	}
	e.sim.Advance(tm.Queue + tm.Deploy)
	d = e.getDeployment(d.ID)
	var deleted connectsim.Deployment
	e.must(e.call("DELETE", "/demo/deployments/"+d.ID, nil), http.StatusAccepted, &deleted)
	if deleted.Status != "Undeploying" {
		t.Errorf("delete answered status %s", deleted.Status)
	}
	e.sim.Advance(tm.Undeploy)
	if r := e.call("GET", "/demo/deployments/"+d.ID, nil); r.status != http.StatusNotFound {
		t.Errorf("undeployed deployment still there: %d", r.status)
	}
	logMu.Lock()
	defer logMu.Unlock()
	for _, secret := range []string{"top-secret-value", "another-secret", e.token, "connect-sim-secret"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds a secret %q", secret)
		}
	}
	if !strings.Contains(logs.String(), "path=/demo/deployments") {
		t.Errorf("the log has no request lines: %s", logs.String())
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestFailingBuild(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{})
	cs := e.createStaged("fails", connectsim.RepoPayment, connectsim.TagFailing)
	e.updateStaged(cs, map[string]any{"action": "publish", "certification": false})
	e.sim.Advance(time.Minute)
	var d connectsim.Deployment
	e.must(e.call("POST", "/demo/deployments", map[string]any{"connector": map[string]any{"key": "fails"},
		"region": "europe-west1.gcp", "configurations": paymentConfigurations("s")}), http.StatusCreated, &d)
	if d.Type != "sandbox" {
		t.Errorf("a published Connector deploys as %s, want sandbox", d.Type)
	}
	e.sim.Advance(time.Minute)
	if got := e.getDeployment(d.ID); got.Status != "Failed" {
		t.Errorf("status %s, want Failed", got.Status)
	}
}

func TestProductionPerProject(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{Seed: true})
	body := map[string]any{"connector": map[string]any{"key": connectsim.DemoPaymentConnectorKey}, "type": "production",
		"region": "europe-west1.gcp", "configurations": paymentConfigurations("s")}
	if r := e.call("POST", "/demo/deployments", body); r.status != 422 || r.code(t) != "DeploymentProductionDeactivated" {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	e.sim.SetProductionEnabled("demo", true)
	var d connectsim.Deployment
	e.must(e.call("POST", "/demo/deployments", body), http.StatusCreated, &d)
	if d.Type != "production" {
		t.Errorf("type %s", d.Type)
	}
}

func TestAPIClientNeedsScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{Seed: true})
	body := map[string]any{"connector": map[string]any{"key": connectsim.DemoTaxConnectorKey}, "region": "europe-west1.gcp",
		"configurations": []any{map[string]any{"applicationName": "tax-calculator"}},
		"globalConfiguration": map[string]any{
			"standardConfiguration": []any{map[string]string{"key": "TAX_API_URL", "value": "https://t"}},
			"securedConfiguration":  []any{map[string]string{"key": "TAX_API_KEY", "value": "k"}}}}
	limited := e.tokenFor(connectsim.Client{ID: "l", ProjectKey: "demo", Scopes: []string{"manage_project"}})
	if r := e.callAs(limited, "POST", "/demo/deployments", body); r.status != http.StatusForbidden {
		t.Fatalf("without manage_api_clients: %d %s", r.status, r.body)
	}
	var d connectsim.Deployment
	e.must(e.call("POST", "/demo/deployments", body), http.StatusCreated, &d)
	if d.APIClient == nil || len(d.APIClient.Scopes) == 0 {
		t.Errorf("no API client: %+v", d.APIClient)
	}
	if d.GlobalConfiguration.SecuredConfiguration[0].Value != connectsim.MaskedValue {
		t.Errorf("global secured value not masked: %+v", d.GlobalConfiguration)
	}
}

func TestLogPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, connectsim.Options{LogPageSize: 4})
	d := e.deployPreview(e.previewable("logs"), "logs-dep", "europe-west1.gcp")
	e.sim.Advance(time.Minute) // deployed: 3 start-up logs per application
	extra := make([]connectsim.DeploymentLog, 5)
	for i := range extra {
		extra[i] = connectsim.DeploymentLog{Type: "APPLICATION_TEXT", ApplicationName: "processor", Details: map[string]any{"n": i}}
	}
	if err := e.sim.AddLogs("demo", d.ID, extra...); err != nil {
		t.Fatal(err)
	}
	type page struct {
		Data []connectsim.DeploymentLog
		Next string
	}
	fetch := func(query string) page {
		var p page
		e.must(e.call("GET", "/demo/deployments/"+d.ID+"/logs"+query, nil), http.StatusOK, &p)
		return p
	}
	var total, pages int
	var last string
	for q := "?applicationName=processor"; ; pages++ {
		p := fetch(q)
		last = p.Next
		total += len(p.Data)
		for _, l := range p.Data {
			if l.ApplicationName != "processor" || l.DeploymentID != d.ID {
				t.Errorf("log of another application or deployment: %+v", l)
			}
		}
		if p.Next == "" {
			t.Fatalf("page %d has no next cursor", pages)
		}
		if len(p.Data) == 0 {
			break
		}
		q = "?applicationName=processor&pageToken=" + p.Next
	}
	if total != 8 || pages != 2 {
		t.Errorf("processor logs: %d in %d pages before an empty one, want 8 in 2", total, pages)
	}
	// The last cursor polls: an entry written later comes with it.
	if err := e.sim.AddLogs("demo", d.ID, connectsim.DeploymentLog{Type: "APPLICATION_TEXT", ApplicationName: "processor"}); err != nil {
		t.Fatal(err)
	}
	if p := fetch("?applicationName=processor&pageToken=" + last); len(p.Data) != 1 || p.Next == "" || p.Next == last {
		t.Errorf("polling with the last cursor: %d entries, next %q (was %q), want 1 and a new cursor", len(p.Data), p.Next, last)
	}
	if all := fetch(""); len(all.Data) != 4 || all.Next == "" {
		t.Errorf("first page of all logs: %d entries, next %q", len(all.Data), all.Next)
	}
	if none := fetch("?endDate=" + e.sim.Now().Add(-time.Hour).Format(time.RFC3339)); len(none.Data) != 0 {
		t.Errorf("logs before they were written: %d", len(none.Data))
	}
}

func TestStartContextEndsServer(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := connectsim.Start(ctx, connectsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := srv.Close(); err != nil {
		t.Errorf("close after the context ended: %v", err)
	}
}
