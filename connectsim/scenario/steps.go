package scenario

import (
	"fmt"
	"time"

	"github.com/connect-gateway/connect-gateway/connectsim"
)

// settle is an advance long enough for every lifecycle transition of
// DefaultTimings (queue + deploy, preview, publish, certification).
const settle = 2 * time.Minute

// stagedBody is a ConnectorStagedDraft with key "{prefix}-{{run}}"; more
// holds extra JSON members (",\"supportedRegions\":[...]").
func stagedBody(prefix, repo, tag, more string) string {
	return fmt.Sprintf(`{"key":"%s-{{run}}","name":"Scenario %s","description":"made by a scenario",`+
		`"integrationTypes":["psp"],"creator":{"email":"dev@example.com","company":"scenario"},`+
		`"repository":{"url":"%s","tag":"%s"}%s}`, prefix, prefix, repo, tag, more)
}

// createStaged creates a ConnectorStaged and captures {v}Id, {v}Key, {v}Version.
func createStaged(v, repo, tag, more string) Step {
	return Step{
		Name:    "create ConnectorStaged " + v,
		Request: &Request{Method: "POST", Path: "/connectors/drafts", Body: stagedBody(v, repo, tag, more)},
		Capture: map[string]string{v + "Id": "id", v + "Key": "key", v + "Version": "version"},
	}
}

// getStaged re-reads a ConnectorStaged to capture its version.
func getStaged(v string) Step {
	return Step{
		Name:    "read ConnectorStaged " + v,
		Request: &Request{Method: "GET", Path: "/connectors/drafts/{{" + v + "Id}}"},
		Capture: map[string]string{v + "Version": "version"},
	}
}

// updateStaged applies actions (a JSON array) to a ConnectorStaged.
func updateStaged(v, actions string) Step {
	return Step{
		Name:    "update ConnectorStaged " + v,
		Request: stagedUpdate(v, actions),
		Capture: map[string]string{v + "Version": "version"},
	}
}

func stagedUpdate(v, actions string) *Request {
	return &Request{Method: "POST", Path: "/connectors/drafts/{{" + v + "Id}}",
		Body: fmt.Sprintf(`{"version":{{%sVersion}},"actions":%s}`, v, actions)}
}

// previewable creates a ConnectorStaged and makes it previewable.
func previewable(v, repo, tag, more string) []Step {
	return []Step{
		createStaged(v, repo, tag, more),
		updateStaged(v, `[{"action":"updatePreviewable"}]`),
		{Name: "preview completes", Advance: settle},
		getStaged(v),
	}
}

// published creates a ConnectorStaged and publishes it without certification.
func published(v, repo, tag string) []Step {
	return []Step{
		createStaged(v, repo, tag, ""),
		updateStaged(v, `[{"action":"publish","certification":false}]`),
		{Name: "publishing completes", Advance: settle},
		getStaged(v),
	}
}

// paymentConfig configures both applications of RepoPayment.
const paymentConfig = `[{"applicationName":"processor",` +
	`"standardConfiguration":[{"key":"CTP_PROJECT_KEY","value":"{{project}}"}],` +
	`"securedConfiguration":[{"key":"CTP_CLIENT_SECRET","value":"s3cret"}]},` +
	`{"applicationName":"enabler","standardConfiguration":[],"securedConfiguration":[]}]`

// deploymentBody is a DeploymentDraft of the previewable ConnectorStaged v.
func deploymentBody(v, region, configurations, more string) string {
	return fmt.Sprintf(`{"key":"dep-{{run}}","connector":{"id":"{{%sId}}","staged":true},`+
		`"region":"%s","configurations":%s%s}`, v, region, configurations, more)
}

// createDeployment creates a Deployment and captures depId and depVersion.
func createDeployment(body string) Step {
	return Step{
		Name:    "create Deployment",
		Request: &Request{Method: "POST", Path: "/{{project}}/deployments", Body: body},
		Capture: map[string]string{"depId": "id", "depVersion": "version"},
	}
}

// deployed creates a preview Deployment of a previewable RepoPayment
// ConnectorStaged "cs" with configurations, and waits until it is Deployed.
func deployed(configurations string) []Step {
	steps := previewable("cs", connectsim.RepoPayment, connectsim.TagV1, "")
	return append(steps,
		createDeployment(deploymentBody("cs", "europe-west1.gcp", configurations, "")),
		Step{Name: "deployment completes", Advance: settle},
		Step{Name: "read Deployment", Request: &Request{Method: "GET", Path: "/{{project}}/deployments/{{depId}}"},
			Capture: map[string]string{"depVersion": "version", "depStatus": "status"}},
	)
}

func redeploy(fields string) *Request {
	return &Request{Method: "POST", Path: "/{{project}}/deployments/{{depId}}",
		Body: `{"version":{{depVersion}},"actions":[{"action":"redeploy"` + fields + `}]}`}
}
