package scenario

import (
	"github.com/connect-gateway/connect-gateway/connectsim"
)

const (
	taxGlobalOK = `,"globalConfiguration":{"standardConfiguration":[{"key":"TAX_API_URL","value":"https://tax.example.com"}],` +
		`"securedConfiguration":[{"key":"TAX_API_KEY","value":"k3y"}]}`
	taxApps = `[{"applicationName":"tax-calculator","standardConfiguration":[],"securedConfiguration":[]}]`
)

// All returns the scenario table: at least one scenario for every code of
// the error catalogue. Each call returns a fresh copy.
func All() []Scenario {
	var all []Scenario
	for _, group := range [][]Scenario{general(), auth(), connectorErrors(), deploymentErrors(), logErrors()} {
		all = append(all, group...)
	}
	return all
}

// ByCode returns the scenarios that reach code.
func ByCode(code string) []Scenario {
	var out []Scenario
	for _, sc := range All() {
		if sc.Code == code {
			out = append(out, sc)
		}
	}
	return out
}

func general() []Scenario {
	return []Scenario{
		{
			Name: "InvalidJsonInput/malformed", Code: "InvalidJsonInput",
			Request: Request{Method: "POST", Path: "/connectors/drafts", Body: `{"name":`},
			Want:    Expect{Status: 400, Code: "InvalidJsonInput", Fields: map[string]any{"detailedErrorMessage": Present}},
		},
		{
			Name: "InvalidJsonInput/wrong-shape", Code: "InvalidJsonInput",
			Request: Request{Method: "POST", Path: "/connectors/drafts", Body: `{"name":42}`},
			Want: Expect{Status: 400, Code: "InvalidJsonInput", Message: "Request body does not contain valid JSON.",
				Fields: map[string]any{"detailedErrorMessage": "name: expected string, got number"}},
		},
		{
			Name: "InvalidJsonInput/missing-field", Code: "InvalidJsonInput",
			Request: Request{Method: "POST", Path: "/{{project}}/deployments", Body: `{"region":"europe-west1.gcp","configurations":[]}`},
			Want: Expect{Status: 400, Code: "InvalidJsonInput",
				Fields: map[string]any{"detailedErrorMessage": "connector: Missing required value"}},
		},
		{
			Name: "InvalidQueryParam/limit", Code: "InvalidQueryParam",
			Request: Request{Method: "GET", Path: "/connectors/drafts", Query: map[string][]string{"limit": {"501"}}},
			Want:    Expect{Status: 400, Code: "InvalidQueryParam", Fields: map[string]any{"detailedErrorMessage": Present}},
		},
		{
			Name: "InvalidQueryParam/sort", Code: "InvalidQueryParam",
			Request: Request{Method: "GET", Path: "/{{project}}/deployments", Query: map[string][]string{"sort": {"key sideways"}}},
			Want:    Expect{Status: 400, Code: "InvalidQueryParam", Fields: map[string]any{"detailedErrorMessage": Present}},
		},
		{
			Name: "InvalidPathParam/key", Code: "InvalidPathParam",
			Request: Request{Method: "GET", Path: "/connectors/drafts/key=a"},
			Want:    Expect{Status: 400, Code: "InvalidPathParam", Fields: map[string]any{"detailedErrorMessage": Present}},
		},
		{
			Name: "InvalidPathParam/projectKey", Code: "InvalidPathParam",
			Request: Request{Method: "GET", Path: "/x/deployments"},
			Want:    Expect{Status: 400, Code: "InvalidPathParam", Fields: map[string]any{"detailedErrorMessage": Present}},
		},
		{
			Name: "DuplicateField/staged-key", Code: "DuplicateField",
			Steps:   []Step{createStaged("dup", connectsim.RepoPayment, connectsim.TagV1, "")},
			Request: Request{Method: "POST", Path: "/connectors/drafts", Body: stagedBody("dup", connectsim.RepoPayment, connectsim.TagV1, "")},
			Want: Expect{Status: 400, Code: "DuplicateField", Message: "A duplicate value dup-{{run}} exists for field key.",
				Fields: map[string]any{"field": "key", "duplicateValue": "dup-{{run}}"}},
		},
		{
			Name: "FieldValueNotFound/removePrivateProject", Code: "FieldValueNotFound",
			Steps:   []Step{createStaged("cs", connectsim.RepoPayment, connectsim.TagV1, "")},
			Request: *stagedUpdate("cs", `[{"action":"removePrivateProject","privateProject":"europe-west1.gcp:other-{{run}}"}]`),
			Want: Expect{Status: 400, Code: "FieldValueNotFound",
				Fields: map[string]any{"field": "privateProject", "value": "europe-west1.gcp:other-{{run}}"}},
		},
		{
			Name: "GitRepositoryNotReachable/create", Code: "GitRepositoryNotReachable",
			Request: Request{Method: "POST", Path: "/connectors/drafts", Body: stagedBody("unreachable", connectsim.RepoUnreachable, connectsim.TagV1, "")},
			Want:    Expect{Status: 400, Code: "GitRepositoryNotReachable", Message: "Repository with the tag is not reachable"},
		},
		{
			Name: "ResourceNotFound/staged-key", Code: "ResourceNotFound",
			Request: Request{Method: "GET", Path: "/connectors/drafts/key=missing-{{run}}"},
			Want: Expect{Status: 404, Code: "ResourceNotFound",
				Resource: &Resource{Type: "ConnectorStaged", Key: "missing-{{run}}"}},
		},
		{
			Name: "ResourceNotFound/connector-id", Code: "ResourceNotFound",
			Request: Request{Method: "GET", Path: "/connectors/missing-{{run}}"},
			Want:    Expect{Status: 404, Code: "ResourceNotFound", Resource: &Resource{Type: "Connector", ID: "missing-{{run}}"}},
		},
		{
			Name: "ResourceNotFound/deployment-key", Code: "ResourceNotFound",
			Request: Request{Method: "DELETE", Path: "/{{project}}/deployments/key=missing-{{run}}"},
			Want: Expect{Status: 404, Code: "ResourceNotFound",
				Message:  "Deployment with id= or key=missing-{{run}} does not exist",
				Resource: &Resource{Type: "Deployment", Key: "missing-{{run}}"}},
		},
		{
			Name: "ConcurrentModification/staged", Code: "ConcurrentModification",
			Steps: []Step{createStaged("cs", connectsim.RepoPayment, connectsim.TagV1, "")},
			Request: Request{Method: "POST", Path: "/connectors/drafts/{{csId}}",
				Body: `{"version":7,"actions":[{"action":"setName","name":"late"}]}`},
			Want: Expect{Status: 409, Code: "ConcurrentModification",
				Message: "Object id={{csId}} or key={{csKey}} has a different version than expected. Expected: 7 - Actual: 1)",
				Fields:  map[string]any{"expectedVersion": 7, "currentVersion": 1}},
		},
		{
			Name: "General/fault", Code: "General",
			// Times covers a gateway's retries: a GET after a 500 is not
			// retried, but a gateway may treat it as it pleases.
			Steps: []Step{{Name: "inject General", Fault: &connectsim.FaultRule{Method: "GET", Path: "/connectors/drafts/key=general-{{run}}",
				Times: 3, Action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Code: "General"}}}},
			Request: Request{Method: "GET", Path: "/connectors/drafts/key=general-{{run}}"},
			Want:    Expect{Status: 500, Code: "General"},
		},
		{
			Name: "BadGateway/fault", Code: "BadGateway",
			// Times covers the retries a gateway makes on a 502 BadGateway
			// (at most 3 attempts), so that the error reaches its caller.
			Steps: []Step{{Name: "inject BadGateway", Fault: &connectsim.FaultRule{Method: "POST", Path: "/connectors/drafts",
				Times: 3, Action: connectsim.FaultAction{Kind: connectsim.FaultRespond, Code: "BadGateway",
					Headers: map[string]string{"Retry-After": "0"}}}}},
			Request: Request{Method: "POST", Path: "/connectors/drafts", Body: stagedBody("bg", connectsim.RepoPayment, connectsim.TagV1, "")},
			Want:    Expect{Status: 502, Code: "BadGateway"},
		},
		{
			Name: "FeatureRemoved/log-stream", Code: "FeatureRemoved",
			Request: Request{Method: "GET", Path: "/{{project}}/deployments/key=any-{{run}}/logs/stream"},
			Want:    Expect{Status: 400, Code: "FeatureRemoved"},
		},
		{
			Name: "FeatureRemoved/setPrivate", Code: "FeatureRemoved",
			Steps:   []Step{createStaged("cs", connectsim.RepoPayment, connectsim.TagV1, "")},
			Request: *stagedUpdate("cs", `[{"action":"setPrivate","private":false}]`),
			Want: Expect{Status: 400, Code: "FeatureRemoved",
				Message: "The feature update action setPrivate has been removed."},
		},
	}
}

func auth() []Scenario {
	return []Scenario{
		{
			Name: "invalid_token/unknown", Code: "invalid_token",
			Request: Request{Method: "GET", Path: "/connectors/drafts", Auth: AuthUnknownToken},
			Want: Expect{Status: 401, Code: "invalid_token", Message: "invalid_token",
				TopLevel: map[string]any{"error": "invalid_token"}},
		},
		{
			Name: "invalid_token/missing", Code: "invalid_token",
			Request: Request{Method: "GET", Path: "/{{project}}/deployments", Auth: AuthNone},
			Want:    Expect{Status: 401, Code: "invalid_token", TopLevel: map[string]any{"error": "invalid_token"}},
		},
		{
			Name: "AuthenticationError/bad-secret", Code: "AuthenticationError",
			Request: Request{Method: "POST", Path: "/oauth/token", ToAuth: true, Form: true,
				Body: "grant_type=client_credentials", Auth: AuthBadClient},
			Want: Expect{Status: 401, Code: "AuthenticationError", TopLevel: map[string]any{"error": "invalid_client"}},
		},
		{
			Name: "AuthorizationError/view-only-creates", Code: "AuthorizationError",
			Request: Request{Method: "POST", Path: "/connectors/drafts", Scopes: []string{connectsim.ScopeViewConnectors},
				Body: stagedBody("denied", connectsim.RepoPayment, connectsim.TagV1, "")},
			Want: Expect{Status: 403, Code: "AuthorizationError", Message: "Access denied"},
		},
		{
			Name: "AuthorizationError/connectors-scope-on-deployments", Code: "AuthorizationError",
			Request: Request{Method: "GET", Path: "/{{project}}/deployments", Scopes: []string{connectsim.ScopeManageConnectors}},
			Want:    Expect{Status: 403, Code: "AuthorizationError"},
		},
	}
}

func connectorErrors() []Scenario {
	pay, v1 := connectsim.RepoPayment, connectsim.TagV1
	return []Scenario{
		{
			Name: "ConnectorAlreadyCertified/publish-twice", Code: "ConnectorAlreadyCertified",
			Steps: []Step{
				createStaged("cs", pay, v1, ""),
				updateStaged("cs", `[{"action":"publish","certification":true}]`),
				{Name: "certification completes", Advance: settle},
				getStaged("cs"),
			},
			Request: *stagedUpdate("cs", `[{"action":"publish","certification":true}]`),
			Want:    Expect{Status: 400, Code: "ConnectorAlreadyCertified"},
		},
		{
			Name: "ConnectorStagedInCertification/publish-during-certification", Code: "ConnectorStagedInCertification",
			Steps: []Step{
				createStaged("cs", pay, v1, ""),
				updateStaged("cs", `[{"action":"publish","certification":true}]`),
			},
			Request: *stagedUpdate("cs", `[{"action":"publish","certification":true}]`),
			Want:    Expect{Status: 400, Code: "ConnectorStagedInCertification"},
		},
		{
			Name: "ConnectorReferenceNotFound/unknown-key", Code: "ConnectorReferenceNotFound",
			Request: Request{Method: "POST", Path: "/{{project}}/deployments",
				Body: `{"connector":{"key":"nope-{{run}}","version":3},"region":"europe-west1.gcp","configurations":[]}`},
			Want: Expect{Status: 400, Code: "ConnectorReferenceNotFound",
				Message: "Connector 'nope-{{run}}' with version 3 not found", Resource: &Resource{Type: "Connector", Key: "nope-{{run}}"}},
		},
		{
			Name: "ConnectorSpecificationFileNotFound/updatePreviewable", Code: "ConnectorSpecificationFileNotFound",
			Steps:   []Step{createStaged("cs", pay, connectsim.TagNoSpec, "")},
			Request: *stagedUpdate("cs", `[{"action":"updatePreviewable"}]`),
			Want: Expect{Status: 400, Code: "ConnectorSpecificationFileNotFound",
				Message: "The file connect.yaml at " + pay + " with the tag " + connectsim.TagNoSpec + " was not found"},
		},
		{
			Name: "ConnectorSpecificationFileNotValid/publish", Code: "ConnectorSpecificationFileNotValid",
			Steps:   []Step{createStaged("cs", pay, connectsim.TagInvalid, "")},
			Request: *stagedUpdate("cs", `[{"action":"publish","certification":false}]`),
			Want:    Expect{Status: 400, Code: "ConnectorSpecificationFileNotValid"},
		},
		{
			Name: "ConnectorStagedNotPreviewable/deploy", Code: "ConnectorStagedNotPreviewable",
			Steps: []Step{createStaged("cs", pay, v1, "")},
			Request: Request{Method: "POST", Path: "/{{project}}/deployments",
				Body: deploymentBody("cs", "europe-west1.gcp", paymentConfig, "")},
			Want: Expect{Status: 400, Code: "ConnectorStagedNotPreviewable",
				Message: "Connector id={{csId}} or key={{csKey}} with version 1 is not previewable"},
		},
		{
			Name: "ConnectorStagedNotPrivate/addPrivateProject", Code: "ConnectorStagedNotPrivate",
			Steps: []Step{
				createStaged("cs", pay, v1, ""),
				updateStaged("cs", `[{"action":"publish","certification":true}]`),
				{Name: "certification completes", Advance: settle},
				getStaged("cs"),
			},
			Request: *stagedUpdate("cs", `[{"action":"addPrivateProject","privateProject":"europe-west1.gcp:{{project}}"}]`),
			Want:    Expect{Status: 400, Code: "ConnectorStagedNotPrivate"},
		},
		{
			Name: "ConnectorStagedPreviewRequestUnderProcess/twice", Code: "ConnectorStagedPreviewRequestUnderProcess",
			Steps: []Step{
				createStaged("cs", pay, v1, ""),
				updateStaged("cs", `[{"action":"updatePreviewable"}]`),
			},
			Request: *stagedUpdate("cs", `[{"action":"updatePreviewable"}]`),
			Want:    Expect{Status: 400, Code: "ConnectorStagedPreviewRequestUnderProcess"},
		},
	}
}

func createRequest(body string) Request {
	return Request{Method: "POST", Path: "/{{project}}/deployments", Body: body}
}

func deploymentErrors() []Scenario {
	pay, tax, v1 := connectsim.RepoPayment, connectsim.RepoTax, connectsim.TagV1
	return []Scenario{
		{
			Name: "DeploymentUnsupportedRegion/create", Code: "DeploymentUnsupportedRegion",
			Steps:   previewable("cs", pay, v1, `,"supportedRegions":["europe-west1.gcp"]`),
			Request: createRequest(deploymentBody("cs", "us-central1.gcp", paymentConfig, "")),
			Want: Expect{Status: 400, Code: "DeploymentUnsupportedRegion",
				Message: "Deployment unsupported region us-central1.gcp"},
		},
		{
			Name: "DeploymentUnknownApplicationConfiguration/create", Code: "DeploymentUnknownApplicationConfiguration",
			Steps: previewable("cs", pay, v1, ""),
			Request: createRequest(deploymentBody("cs", "europe-west1.gcp",
				`[{"applicationName":"nope","standardConfiguration":[],"securedConfiguration":[]}]`, "")),
			Want: Expect{Status: 400, Code: "DeploymentUnknownApplicationConfiguration",
				Message: "Deployment does not require configuration for application named 'nope'."},
		},
		{
			Name: "DeploymentUnknownApplicationConfigurationKey/create", Code: "DeploymentUnknownApplicationConfigurationKey",
			Steps: previewable("cs", pay, v1, ""),
			Request: createRequest(deploymentBody("cs", "europe-west1.gcp",
				`[{"applicationName":"processor","standardConfiguration":[{"key":"NOPE","value":"x"}],"securedConfiguration":[]}]`, "")),
			Want: Expect{Status: 400, Code: "DeploymentUnknownApplicationConfigurationKey",
				Message: "Deployment does not require standard configuration with key NOPE for application named processor."},
		},
		{
			Name: "DeploymentInvalidStatusTransition/redeploy-queued", Code: "DeploymentInvalidStatusTransition",
			Steps:   append(previewable("cs", pay, v1, ""), createDeployment(deploymentBody("cs", "europe-west1.gcp", paymentConfig, ""))),
			Request: *redeploy(""),
			Want:    Expect{Status: 400, Code: "DeploymentInvalidStatusTransition", Message: "Invalid status change: Already queued"},
		},
		{
			Name: "DeploymentMissingGlobalConfigurationKey/create", Code: "DeploymentMissingGlobalConfigurationKey",
			Steps: previewable("cs", tax, v1, ""),
			Request: createRequest(deploymentBody("cs", "europe-west1.gcp", taxApps,
				`,"globalConfiguration":{"standardConfiguration":[{"key":"TAX_API_URL","value":"https://tax.example.com"}]}`)),
			Want: Expect{Status: 400, Code: "DeploymentMissingGlobalConfigurationKey",
				Message: "Deployment global configuration requires secret with key TAX_API_KEY."},
		},
		{
			Name: "DeploymentUnknownGlobalConfigurationKey/create", Code: "DeploymentUnknownGlobalConfigurationKey",
			Steps: previewable("cs", tax, v1, ""),
			Request: createRequest(deploymentBody("cs", "europe-west1.gcp", taxApps,
				`,"globalConfiguration":{"standardConfiguration":[{"key":"NOPE","value":"x"}]}`)),
			Want: Expect{Status: 400, Code: "DeploymentUnknownGlobalConfigurationKey",
				Message: "Deployment global configuration does not require standard with key NOPE."},
		},
		{
			Name: "DeploymentEmptyRequiredGlobalConfigurationKey/create", Code: "DeploymentEmptyRequiredGlobalConfigurationKey",
			Steps: previewable("cs", tax, v1, ""),
			Request: createRequest(deploymentBody("cs", "europe-west1.gcp", taxApps,
				`,"globalConfiguration":{"standardConfiguration":[{"key":"TAX_API_URL","value":""}],"securedConfiguration":[{"key":"TAX_API_KEY","value":"k"}]}`)),
			Want: Expect{Status: 400, Code: "DeploymentEmptyRequiredGlobalConfigurationKey",
				Message: "Deployment requires a non empty value for standard global configuration with key TAX_API_URL."},
		},
		{
			Name: "DeploymentApplicationDoNotBelong/redeploy", Code: "DeploymentApplicationDoNotBelong",
			Steps: deployed(`[{"applicationName":"processor","standardConfiguration":[{"key":"CTP_PROJECT_KEY","value":"p"}],` +
				`"securedConfiguration":[{"key":"CTP_CLIENT_SECRET","value":"s"}]}]`),
			Request: *redeploy(`,"configurationValues":[{"applicationName":"enabler","standardConfiguration":[],"securedConfiguration":[]}]`),
			Want: Expect{Status: 422, Code: "DeploymentApplicationDoNotBelong",
				Message: "Deployment with id={{depId}} or key=dep-{{run}} does not include application: enabler"},
		},
		{
			Name: "DeploymentApplicationRequired/create", Code: "DeploymentApplicationRequired",
			Steps:   previewable("cs", pay, v1, ""),
			Request: createRequest(deploymentBody("cs", "europe-west1.gcp", `[]`, "")),
			Want:    Expect{Status: 422, Code: "DeploymentApplicationRequired"},
		},
		{
			Name: "DeploymentConnectorUpdateFailure/broken-connect-yaml", Code: "DeploymentConnectorUpdateFailure",
			Steps: append(deployed(paymentConfig),
				getStaged("cs"),
				updateStaged("cs", `[{"action":"setRepository","url":"`+pay+`","tag":"`+connectsim.TagInvalid+`"}]`)),
			Request: *redeploy(`,"updateConnector":true`),
			Want:    Expect{Status: 422, Code: "DeploymentConnectorUpdateFailure"},
		},
		{
			Name: "DeploymentProductionDeactivated/create", Code: "DeploymentProductionDeactivated",
			Steps: published("cs", pay, v1),
			Request: createRequest(`{"connector":{"id":"{{csId}}"},"type":"production","region":"europe-west1.gcp",` +
				`"configurations":` + paymentConfig + `}`),
			Want: Expect{Status: 422, Code: "DeploymentProductionDeactivated"},
		},
		{
			Name: "DeploymentInvalidType/staged-as-sandbox", Code: "DeploymentInvalidType",
			Steps:   previewable("cs", pay, v1, ""),
			Request: createRequest(deploymentBody("cs", "europe-west1.gcp", paymentConfig, `,"type":"sandbox"`)),
			Want: Expect{Status: 422, Code: "DeploymentInvalidType",
				Message: "The Connector id={{csId}} or key={{csKey}} cannot be deployed as a 'sandbox' type. Only 'preview' types are allowed."},
		},
		{
			Name: "DeploymentMustIncludeApplication/create", Code: "DeploymentMustIncludeApplication",
			Steps: previewable("cs", pay, v1, ""),
			Request: createRequest(deploymentBody("cs", "europe-west1.gcp",
				`[{"applicationName":"enabler","standardConfiguration":[],"securedConfiguration":[]}]`, "")),
			Want: Expect{Status: 422, Code: "DeploymentMustIncludeApplication"},
		},
	}
}

func logErrors() []Scenario {
	pay, v1 := connectsim.RepoPayment, connectsim.TagV1
	created := append(previewable("cs", pay, v1, ""), createDeployment(deploymentBody("cs", "europe-west1.gcp", paymentConfig, "")))
	logs := func(q map[string][]string) Request {
		return Request{Method: "GET", Path: "/{{project}}/deployments/{{depId}}/logs", Query: q}
	}
	return []Scenario{
		{
			Name: "DeploymentApplicationDoesNotExist/logs", Code: "DeploymentApplicationDoesNotExist",
			Steps:   created,
			Request: logs(map[string][]string{"applicationName": {"nope"}}),
			Want: Expect{Status: 400, Code: "DeploymentApplicationDoesNotExist",
				Message: "Deployment does not have an application named nope.", Resource: &Resource{Type: "Application", Key: "nope"}},
		},
		{
			Name: "DeploymentLogInvalidDate/unparsable", Code: "DeploymentLogInvalidDate",
			Steps:   created,
			Request: logs(map[string][]string{"startDate": {"yesterday"}}),
			Want:    Expect{Status: 400, Code: "DeploymentLogInvalidDate"},
		},
		{
			Name: "DeploymentLogInvalidDate/end-before-start", Code: "DeploymentLogInvalidDate",
			Steps:   created,
			Request: logs(map[string][]string{"endDate": {"2001-01-01T00:00:00Z"}}),
			Want:    Expect{Status: 400, Code: "DeploymentLogInvalidDate"},
		},
		{
			Name: "DeploymentLogInvalidPageToken/garbage", Code: "DeploymentLogInvalidPageToken",
			Steps:   created,
			Request: logs(map[string][]string{"pageToken": {"garbage"}}),
			Want:    Expect{Status: 400, Code: "DeploymentLogInvalidPageToken", Message: "Invalid page token: garbage"},
		},
		{
			Name: "DeploymentLogMissingApplicationName/aws", Code: "DeploymentLogMissingApplicationName",
			Steps: append(previewable("cs", pay, v1, ""),
				createDeployment(deploymentBody("cs", "us-east-2.aws", paymentConfig, ""))),
			Request: logs(nil),
			Want:    Expect{Status: 400, Code: "DeploymentLogMissingApplicationName"},
		},
	}
}
