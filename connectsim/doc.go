// Package connectsim is an in-memory simulator of the commercetools Connect
// API: the default upstream of the gateway, the fixture of its end-to-end
// tests, and a fault injector.
//
// It serves Connect's own paths and JSON shapes (camelCase field names as in
// the Connect RAML): POST /oauth/token for client credentials, and the route
// of every RPC of the commercetools.connect.v1 services with a
// google.api.http rule (internal/protocheck/testdata/operations.golden lists
// them), each served by the behaviour registered under the RPC's name in
// routes.go; the legacy .../logs/stream answers FeatureRemoved. An admin API
// lives under the reserved prefix /_sim/ (see [Simulator.ServeHTTP]).
//
// Behaviour worth knowing (decisions where the Connect documentation is
// silent or unconfirmed):
//   - Creates answer 201, updates (POST to a resource) answer 201 as the RAML
//     declares, ConnectorStaged deletes 200, Deployment deletes 202 with
//     status Undeploying; the Deployment disappears after Timings.Undeploy.
//   - Error bodies come from the error catalogue (translate.Lookup): the HTTP
//     status and the message template, with its $variables filled in. The
//     only extra fields are the documented ones: detailedErrorMessage,
//     field/duplicateValue, field/value, expectedVersion/currentVersion.
//     401 answers carry the OAuth-style top-level "error" field.
//   - Secured configuration values are write-only: every response returns
//     them as [MaskedValue]; they are never logged nor journaled.
//   - Every request and response carries X-Correlation-ID (echoed or made up).
//   - Resources change version on every update and on every server-side
//     status change (lifecycle transitions), so clients must re-read before
//     updating, as with the real API.
//   - Unknown JSON fields are tolerated; JSON of the wrong type, missing
//     required fields and unknown enum values answer InvalidJsonInput with a
//     detailedErrorMessage naming the field.
//   - ResourceNotFound fills the catalogue template with the addressed
//     resource type ("ConnectorStaged with id= or key=k does not exist"): the
//     id or key not given stays empty. Unknown routes and methods answer 404
//     ResourceNotFound too.
//   - Authentication comes before authorization: no, unknown or expired
//     token is 401 invalid_token; a scope outside the RAML trait of the
//     endpoint, or a {projectKey} other than the token's, is 403
//     AuthorizationError. Creating a Deployment of a Connector with an API
//     client also needs manage_api_clients. Bad client credentials at
//     /oauth/token are 401 AuthenticationError (with "error":"invalid_client");
//     the token endpoint's OAuth protocol errors (unsupported_grant_type,
//     invalid_scope, invalid_request) are not in the catalogue and keep their
//     OAuth codes, in the same body shape.
//   - ConnectorStaged keys are unique across projects (Connectors are found
//     by key without a project); Deployment keys are unique per project.
//     ConnectorStaged are visible to the project that created them; a
//     private published Connector to that project and its privateProjects.
//   - Repositories come from a built-in catalogue ([RepoPayment], [RepoTax],
//     extendable with [Simulator.AddRepository]): an unknown URL or tag is
//     GitRepositoryNotReachable on create and setRepository; connect.yaml is
//     read on create, and a missing or invalid one is reported by
//     updatePreviewable, publish, deployment create and redeploy with
//     updateConnector (DeploymentConnectorUpdateFailure).
//   - Deployments include the applications their configurations name;
//     leaving out one with required keys is DeploymentMustIncludeApplication,
//     a required application key without a value is InvalidJsonInput, and a
//     region outside the Connector's supportedRegions (or unknown) is
//     DeploymentUnsupportedRegion. Production deployments are disabled except
//     in Options.ProductionProjects or after [Simulator.SetProductionEnabled].
//   - Time is the simulator's clock: Options.Clock (or the real clock) plus
//     whatever [Simulator.Advance] added. Lifecycle transitions (deployments,
//     preview requests, publishing) are due at clock instants and applied
//     lazily, before every request is served, so the simulator runs no
//     background goroutines.
//
// The scenario sub-package holds a table of request sequences that reach
// every documented error code, runnable against any base URL.
package connectsim
