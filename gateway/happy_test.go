package gateway_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/connectsim"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
)

func seeded() envOption { return withSim(func(o *connectsim.Options) { o.Seed = true }) }

// TestEveryRPCOverGRPC calls each RPC once on the simulator's demo data.
func TestEveryRPCOverGRPC(t *testing.T) {
	t.Parallel()
	e := newEnv(t, seeded())
	ctx := e.ctx(t)
	connectors := connectv1.NewConnectorServiceClient(e.conn)
	deployments := connectv1.NewDeploymentServiceClient(e.conn)

	tax, err := connectors.GetConnector(ctx, &connectv1.GetConnectorRequest{Ref: &connectv1.GetConnectorRequest_Key{Key: connectsim.DemoTaxConnectorKey}})
	if err != nil || tax.GetConnector().GetKey() != connectsim.DemoTaxConnectorKey {
		t.Fatalf("GetConnector by key: %v %v", tax, err)
	}
	byID, err := connectors.GetConnector(ctx, &connectv1.GetConnectorRequest{Ref: &connectv1.GetConnectorRequest_Id{Id: tax.GetConnector().GetId()}})
	if err != nil || !proto.Equal(byID.GetConnector(), tax.GetConnector()) {
		t.Fatalf("GetConnector by id: %v %v", byID, err)
	}
	found, err := connectors.SearchConnectors(ctx, &connectv1.SearchConnectorsRequest{Text: proto.String("tax"), Limit: proto.Int32(10)})
	if err != nil || found.GetPage().GetTotal() < 1 || found.GetPage().GetResults()[0].GetKey() != connectsim.DemoTaxConnectorKey {
		t.Fatalf("SearchConnectors: %v %v", found, err)
	}

	pay, err := connectors.GetConnector(ctx, &connectv1.GetConnectorRequest{Ref: &connectv1.GetConnectorRequest_Key{Key: connectsim.DemoPaymentConnectorKey}})
	if err != nil {
		t.Fatal(err)
	}
	created, err := deployments.CreateDeployment(ctx, &connectv1.CreateDeploymentRequest{
		ProjectKey: "demo",
		Draft: &connectv1.DeploymentDraft{
			Key:       proto.String("grpc-deployment"),
			Type:      proto.String("sandbox"),
			Connector: &connectv1.ConnectorReference{Key: proto.String(pay.GetConnector().GetKey()), Version: proto.Int32(pay.GetConnector().GetVersion())},
			Region:    "europe-west1.gcp",
			Configurations: []*connectv1.DeploymentConfigurationApplication{
				{
					ApplicationName:       "processor",
					StandardConfiguration: []*connectv1.ConfigurationValue{{Key: "CTP_PROJECT_KEY", Value: "demo"}},
					SecuredConfiguration:  []*connectv1.SecuredConfigurationValue{{Key: "CTP_CLIENT_SECRET", Value: "grpc-secret"}},
				},
				{ApplicationName: "enabler"},
			},
		},
	})
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	d := created.GetDeployment()
	if d.GetStatus() != "Queued" || d.GetType() != "sandbox" {
		t.Errorf("created deployment %v, want a Queued sandbox", d)
	}
	for _, app := range d.GetApplications() {
		for _, v := range app.GetSecuredConfiguration() {
			if v.GetValue() == "grpc-secret" {
				t.Errorf("secured value returned in plain text")
			}
		}
	}
	page, err := deployments.QueryDeployments(ctx, &connectv1.QueryDeploymentsRequest{ProjectKey: "demo", DeploymentType: proto.String("sandbox")})
	if err != nil || page.GetPage().GetTotal() != 2 {
		t.Fatalf("QueryDeployments: %v %v, want the demo deployment and the new one", page, err)
	}

	e.sim.Advance(2 * time.Minute) // Queued, Deploying, Deployed
	got, err := deployments.GetDeployment(ctx, &connectv1.GetDeploymentRequest{ProjectKey: "demo", Ref: &connectv1.GetDeploymentRequest_Key{Key: "grpc-deployment"}})
	if err != nil || got.GetDeployment().GetStatus() != "Deployed" {
		t.Fatalf("GetDeployment: %v %v, want Deployed", got, err)
	}
	redeployed, err := deployments.UpdateDeployment(ctx, &connectv1.UpdateDeploymentRequest{
		ProjectKey: "demo",
		Ref:        &connectv1.UpdateDeploymentRequest_Id{Id: d.GetId()},
		Version:    got.GetDeployment().GetVersion(),
		Actions: []*connectv1.DeploymentUpdateAction{{Action: &connectv1.DeploymentUpdateAction_Redeploy{
			Redeploy: &connectv1.DeploymentRedeployAction{SkipScripts: proto.Bool(true)}}}},
	})
	if err != nil || redeployed.GetDeployment().GetStatus() != "Queued" {
		t.Fatalf("UpdateDeployment (redeploy): %v %v", redeployed, err)
	}
	logs, err := deployments.GetDeploymentLogs(ctx, &connectv1.GetDeploymentLogsRequest{
		ProjectKey: "demo", Ref: &connectv1.GetDeploymentLogsRequest_Key{Key: connectsim.DemoDeploymentKey}})
	if err != nil || len(logs.GetPage().GetData()) == 0 {
		t.Fatalf("GetDeploymentLogs: %v %v", logs, err)
	}
	next := logs.GetPage().GetNext()
	if next == "" {
		t.Fatal("GetDeploymentLogs: no next cursor")
	}
	more, err := deployments.GetDeploymentLogs(ctx, &connectv1.GetDeploymentLogsRequest{
		ProjectKey: "demo", Ref: &connectv1.GetDeploymentLogsRequest_Key{Key: connectsim.DemoDeploymentKey}, PageToken: proto.String(next)})
	if err != nil || more.GetPage().GetNext() == "" {
		t.Fatalf("GetDeploymentLogs with the next cursor: %v %v", more, err)
	}
	e.sim.Advance(2 * time.Minute)
	deleted, err := deployments.DeleteDeployment(ctx, &connectv1.DeleteDeploymentRequest{ProjectKey: "demo", Ref: &connectv1.DeleteDeploymentRequest_Id{Id: d.GetId()}})
	if err != nil || deleted.GetDeployment().GetStatus() != "Undeploying" {
		t.Fatalf("DeleteDeployment: %v %v, want Undeploying", deleted, err)
	}

	// Every answer above but the log pages (google.protobuf.Value details)
	// went from JSON straight to protobuf binary.
	_, metrics := doHTTP(t, "GET", e.httpURL+"/metrics", "")
	for _, line := range strings.Split(string(metrics), "\n") {
		if strings.HasPrefix(line, "connect_gateway_grpc_responses_decoded_total{") &&
			!strings.Contains(line, `method="/commercetools.connect.v1.DeploymentService/GetDeploymentLogs"`) {
			t.Errorf("a response left the fast path: %s", line)
		}
	}
}

// TestEveryRouteOverREST sends each REST route to the gateway and to the
// simulator directly: same status, same body.
func TestEveryRouteOverREST(t *testing.T) {
	t.Parallel()
	e := newEnv(t, seeded())
	// Reads first: the gateway and the simulator must agree exactly.
	reads := []string{
		"/connectors/key=" + connectsim.DemoTaxConnectorKey,
		"/connectors/search?text=tax&limit=5",
		"/connectors/drafts?limit=1&offset=1",
		"/connectors/drafts/key=" + connectsim.DemoPaymentConnectorKey,
		"/demo/deployments?deploymentType=sandbox",
		"/demo/deployments/key=" + connectsim.DemoDeploymentKey,
		"/demo/deployments/key=" + connectsim.DemoDeploymentKey + "/logs",
	}
	for _, path := range reads {
		viaGateway, gwBody := e.rest(t, "GET", path, "")
		direct, simBody := e.direct(t, "GET", path, "")
		if viaGateway.StatusCode != direct.StatusCode || viaGateway.StatusCode != http.StatusOK {
			t.Errorf("GET %s: gateway %d, simulator %d", path, viaGateway.StatusCode, direct.StatusCode)
			continue
		}
		assertSameJSON(t, simBody, gwBody)
		if viaGateway.Header.Get("X-Correlation-ID") == "" {
			t.Errorf("GET %s: no X-Correlation-ID", path)
		}
	}
	var tax struct{ ID string }
	_, body := e.rest(t, "GET", "/connectors/key="+connectsim.DemoTaxConnectorKey, "")
	if err := json.Unmarshal(body, &tax); err != nil {
		t.Fatal(err)
	}
	if resp, _ := e.rest(t, "GET", "/connectors/"+tax.ID, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /connectors/{id}: %d", resp.StatusCode)
	}

	// Writes: statuses as Connect's (201, 201, 200, 201, 202).
	draft := `{"key":"rest-cs","name":"REST","description":"d","integrationTypes":["psp"],"creator":{"email":"a@example.com"},"repository":{"url":"` +
		connectsim.RepoPayment + `","tag":"v1.0.0"}}`
	writes := []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/connectors/drafts", draft, http.StatusCreated},
		{"POST", "/connectors/drafts/key=rest-cs", `{"version":1,"actions":[{"action":"setName","name":"renamed"},{"action":"setCreatorNoOfContributors","creatorNoOfContributors":3}]}`, http.StatusCreated},
		{"DELETE", "/connectors/drafts/key=rest-cs", "", http.StatusOK},
		{"POST", "/demo/deployments", `{"key":"rest-dep","type":"sandbox","connector":{"key":"` + connectsim.DemoPaymentConnectorKey + `"},"region":"europe-west1.gcp",` +
			`"configurations":[{"applicationName":"processor","standardConfiguration":[{"key":"CTP_PROJECT_KEY","value":"demo"}],"securedConfiguration":[{"key":"CTP_CLIENT_SECRET","value":"x"}]}]}`, http.StatusCreated},
		{"DELETE", "/demo/deployments/key=rest-dep", "", http.StatusAccepted},
	}
	for _, w := range writes {
		if w.method == "DELETE" && w.want == http.StatusAccepted {
			e.sim.Advance(2 * time.Minute) // a Queued deployment cannot be deleted yet
		}
		resp, body := e.rest(t, w.method, w.path, w.body)
		if resp.StatusCode != w.want {
			t.Errorf("%s %s: %d %s, want %d", w.method, w.path, resp.StatusCode, body, w.want)
		}
	}
}
