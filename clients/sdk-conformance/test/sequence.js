// The request sequence: every operation of the SDK, and the errors a client
// meets, in an order in which each error arises from the state the earlier
// requests made. It runs once per world; the worlds' answers must be equal.

// Repositories and tags of the simulator's built-in catalogue.
const repoPayment = "https://github.com/connect-sim/payment-connector.git";
const repoTax = "https://github.com/connect-sim/tax-connector.git";
const repoUnreachable = "https://github.com/connect-sim/unreachable.git";
const tagV1 = "v1.0.0";
const tagV11 = "v1.1.0";
const tagInvalid = "v2.0.0-invalid";
const tagNoSpec = "v0.1.0-no-spec";
const settle = "2m"; // previews, publications and deployments complete within it

const paymentConfig = [
  {
    applicationName: "processor",
    standardConfiguration: [{ key: "CTP_PROJECT_KEY", value: "demo" }],
    securedConfiguration: [{ key: "CTP_CLIENT_SECRET", value: "s3cret-value" }],
  },
  { applicationName: "enabler", standardConfiguration: [], securedConfiguration: [] },
];
const processorOnly = [paymentConfig[0]];
const taxApps = [{ applicationName: "tax-calculator", standardConfiguration: [], securedConfiguration: [] }];

/** A ConnectorDraft. */
function draft(key, repo, tag, more = {}) {
  return {
    key,
    name: `SDK ${key}`,
    description: "made by the SDK conformance test",
    integrationTypes: ["psp"],
    creator: { email: "dev@example.com", company: "sdk-conformance" },
    repository: { url: repo, tag },
    ...more,
  };
}

/** The update actions of a ConnectorStaged that set a value, one of each. */
const setters = (n) => [
  { action: "setName", name: `Renamed ${n}` },
  { action: "setDescription", description: `Description ${n}` },
  { action: "setCreatorName", creatorName: `Ann ${n}` },
  { action: "setCreatorTitle", creatorTitle: "CTO" },
  { action: "setCreatorEmail", creatorEmail: `ann${n}@example.com` },
  { action: "setCreatorCompany", creatorCompany: "Example GmbH" },
  { action: "setCreatorNoOfContributors", creatorNoOfContributors: 3 + n },
  { action: "setCreatorLogo", logoUrl: "https://example.com/logo.png" },
  { action: "setCreatorSupportUrl", creatorSupportUrl: "https://example.com/support" },
  { action: "setDocumentationUrl", documentationUrl: "https://example.com/docs" },
  { action: "setSupportedRegions", regions: ["europe-west1.gcp", "us-central1.gcp", "us-east-2.aws"] },
  { action: "setIntegrationTypes", integrationTypes: ["psp", "tax"] },
  { action: "setRepository", url: repoPayment, tag: n % 2 ? tagV11 : tagV1 },
  { action: "addCertificationComment", comment: `comment ${n}` },
];

/**
 * Runs the sequence in world w.
 * @param {import("./world.js").World} w
 */
export async function run(w) {
  w.defaultToken = await w.token();
  const api = w.api;
  const connectors = api.connectors();
  const drafts = connectors.drafts();
  const deployments = api.withProjectKey({ projectKey: "demo" }).deployments();

  // Connectors: search, by key, by id, and their errors.
  await w.call("search all connectors", "ConnectorSearchPagedQueryResponse", connectors.search().get());
  await w.call("search connectors with every parameter", "ConnectorSearchPagedQueryResponse", connectors.search().get({
    queryArgs: { text: "tax", limit: 5, offset: 0, sort: ["name asc"], private: false, "creator.company": "connect-sim", integrationTypes: ["tax", "psp"] },
  }));
  const tax = await w.call("connector by key", "Connector", connectors.withKey({ key: "demo-tax-connector" }).get());
  await w.call("connector by id", "Connector", connectors.withId({ ID: tax.id }).get());
  await w.call("search connectors by id and key", "ConnectorSearchPagedQueryResponse", connectors.search().get({ queryArgs: { id: [tax.id], key: ["demo-tax-connector", "nope"] } }));
  await w.call("connector by unknown key", "Connector", connectors.withKey({ key: "no-such-connector" }).get());
  await w.call("connector by unknown id", "Connector", connectors.withId({ ID: "no-such-id" }).get());
  await w.call("search with a fractional limit", "ConnectorSearchPagedQueryResponse", connectors.search().get({ queryArgs: { limit: 2.5 } }));
  await w.call("search with a limit over 500", "ConnectorSearchPagedQueryResponse", connectors.search().get({ queryArgs: { limit: 501 } }));
  await w.call("search with a limit over int32", "ConnectorSearchPagedQueryResponse", connectors.search().get({ queryArgs: { limit: 99999999999 } }));
  await w.call("search with an offset over 10000", "ConnectorSearchPagedQueryResponse", connectors.search().get({ queryArgs: { offset: 10001 } }));
  await w.call("connector by a key the API refuses", "Connector", connectors.withKey({ key: "a" }).get());

  // ConnectorStaged: list, create, get, and their errors.
  await w.call("list drafts", "ConnectorStagedPagedQueryResponse", drafts.get());
  await w.call("list drafts with every parameter", "ConnectorStagedPagedQueryResponse", drafts.get({
    queryArgs: { limit: 1, offset: 0, sort: "key desc", isPrivate: true, integrationTypes: "psp" },
  }));
  await w.call("list drafts with a boolean that is not", "ConnectorStagedPagedQueryResponse", drafts.get({ queryArgs: { isPrivate: "maybe" } }));
  await w.call("list drafts with a bad sort", "ConnectorStagedPagedQueryResponse", drafts.get({ queryArgs: { sort: "key sideways" } }));
  let a = await w.call("create draft", "ConnectorStaged", drafts.post({ body: draft("sdk-a", repoPayment, tagV1, { supportedRegions: ["europe-west1.gcp"], documentationUrl: "https://example.com" }) }));
  await w.call("create draft with a duplicate key", "ConnectorStaged", drafts.post({ body: draft("sdk-a", repoPayment, tagV1) }));
  await w.call("create draft from malformed JSON", "ConnectorStaged", drafts.post({ body: {} }), { body: '{"name":' });
  await w.call("create draft with a wrongly typed field", "ConnectorStaged", drafts.post({ body: {} }), { body: '{"name":42}' });
  await w.call("create draft without its creator", "ConnectorStaged", drafts.post({ body: { name: "no creator", repository: { url: repoPayment, tag: tagV1 } } }));
  await w.call("create draft of an unreachable repository", "ConnectorStaged", drafts.post({ body: draft("sdk-unreachable", repoUnreachable, tagV1) }));
  await w.call("create draft with a key the API refuses", "ConnectorStaged", drafts.post({ body: draft("k", repoPayment, tagV1) }));
  await w.call("draft by id", "ConnectorStaged", drafts.withId({ ID: a.id }).get());
  await w.call("draft by key", "ConnectorStaged", drafts.withKey({ key: "sdk-a" }).get());
  await w.call("draft by unknown key", "ConnectorStaged", drafts.withKey({ key: "no-such-draft" }).get());
  await w.call("draft by unknown id", "ConnectorStaged", drafts.withId({ ID: "no-such-draft-id" }).get());

  // Every update action, by id and by key.
  let version = a.version;
  for (const [i, action] of setters(1).entries()) {
    a = await w.call(`update by id: ${action.action}`, "ConnectorStaged", drafts.withId({ ID: a.id }).post({ body: { version, actions: [action] } }));
    version = a.version;
    const byKey = setters(2)[i];
    a = await w.call(`update by key: ${byKey.action}`, "ConnectorStaged", drafts.withKey({ key: "sdk-a" }).post({ body: { version, actions: [byKey] } }));
    version = a.version;
  }
  await w.call("update with a stale version", "ConnectorStaged", drafts.withId({ ID: a.id }).post({ body: { version: 1, actions: [{ action: "setName", name: "late" }] } }));
  await w.call("update without a value", "ConnectorStaged", drafts.withId({ ID: a.id }).post({ body: { version, actions: [{ action: "setDescription" }] } }));
  await w.call("update with a removed action", "ConnectorStaged", drafts.withKey({ key: "sdk-a" }).post({ body: { version, actions: [{ action: "setPrivate", private: false }] } }));
  await w.call("update with a version that is not a number", "ConnectorStaged", drafts.withKey({ key: "sdk-a" }).post({ body: {} }), { body: '{"version":"one","actions":[]}' });
  await w.call("update of an unknown key", "ConnectorStaged", drafts.withKey({ key: "no-such-draft" }).post({ body: { version: 1, actions: [{ action: "setName", name: "x" }] } }));
  a = await w.call("update by id: updatePreviewable", "ConnectorStaged", drafts.withId({ ID: a.id }).post({ body: { version, actions: [{ action: "updatePreviewable" }] } }));
  await w.call("update by key: updatePreviewable while pending", "ConnectorStaged", drafts.withKey({ key: "sdk-a" }).post({ body: { version: a.version, actions: [{ action: "updatePreviewable" }] } }));
  await w.advance(settle);
  a = await w.call("draft after preview", "ConnectorStaged", drafts.withKey({ key: "sdk-a" }).get());
  a = await w.call("update by key: publish privately", "ConnectorStaged", drafts.withKey({ key: "sdk-a" }).post({ body: { version: a.version, actions: [{ action: "publish", certification: false }] } }));
  await w.advance(settle);
  a = await w.call("draft after publication", "ConnectorStaged", drafts.withId({ ID: a.id }).get());
  a = await w.call("update by id: addPrivateProject", "ConnectorStaged", drafts.withId({ ID: a.id }).post({ body: { version: a.version, actions: [{ action: "addPrivateProject", privateProject: "europe-west1.gcp:other" }] } }));
  a = await w.call("update by key: removePrivateProject", "ConnectorStaged", drafts.withKey({ key: "sdk-a" }).post({ body: { version: a.version, actions: [{ action: "removePrivateProject", privateProject: "europe-west1.gcp:other" }] } }));
  await w.call("update: removePrivateProject of a project not there", "ConnectorStaged", drafts.withId({ ID: a.id }).post({ body: { version: a.version, actions: [{ action: "removePrivateProject", privateProject: "europe-west1.gcp:nowhere" }] } }));
  await w.call("published connector by key", "Connector", connectors.withKey({ key: "sdk-a" }).get());

  let b = await w.call("create draft to certify", "ConnectorStaged", drafts.post({ body: draft("sdk-b", repoPayment, tagV1) }));
  b = await w.call("update by id: publish for certification", "ConnectorStaged", drafts.withId({ ID: b.id }).post({ body: { version: b.version, actions: [{ action: "publish", certification: true }] } }));
  await w.call("publish during certification", "ConnectorStaged", drafts.withKey({ key: "sdk-b" }).post({ body: { version: b.version, actions: [{ action: "publish", certification: true }] } }));
  await w.advance(settle);
  b = await w.call("draft after certification", "ConnectorStaged", drafts.withKey({ key: "sdk-b" }).get());
  await w.call("publish a certified draft", "ConnectorStaged", drafts.withKey({ key: "sdk-b" }).post({ body: { version: b.version, actions: [{ action: "publish", certification: true }] } }));
  await w.call("addPrivateProject on a public draft", "ConnectorStaged", drafts.withId({ ID: b.id }).post({ body: { version: b.version, actions: [{ action: "addPrivateProject", privateProject: "europe-west1.gcp:demo" }] } }));
  b = await w.call("update by id: unlist", "ConnectorStaged", drafts.withId({ ID: b.id }).post({ body: { version: b.version, actions: [{ action: "unlist" }] } }));
  await w.call("update by key: unlist", "ConnectorStaged", drafts.withKey({ key: "sdk-b" }).post({ body: { version: b.version, actions: [{ action: "unlist" }] } }));

  const noSpec = await w.call("create draft without connect.yaml", "ConnectorStaged", drafts.post({ body: draft("sdk-nospec", repoPayment, tagNoSpec) }));
  await w.call("preview without connect.yaml", "ConnectorStaged", drafts.withId({ ID: noSpec.id }).post({ body: { version: noSpec.version, actions: [{ action: "updatePreviewable" }] } }));
  const invalid = await w.call("create draft with an invalid connect.yaml", "ConnectorStaged", drafts.post({ body: draft("sdk-invalid", repoPayment, tagInvalid) }));
  await w.call("publish with an invalid connect.yaml", "ConnectorStaged", drafts.withId({ ID: invalid.id }).post({ body: { version: invalid.version, actions: [{ action: "publish", certification: false }] } }));

  // Deployments: previewable drafts to deploy.
  let p = await w.call("create draft to deploy", "ConnectorStaged", drafts.post({ body: draft("sdk-p", repoPayment, tagV1, { supportedRegions: ["europe-west1.gcp", "us-east-2.aws"] }) }));
  p = await w.call("preview the draft to deploy", "ConnectorStaged", drafts.withId({ ID: p.id }).post({ body: { version: p.version, actions: [{ action: "updatePreviewable" }] } }));
  let t = await w.call("create tax draft to deploy", "ConnectorStaged", drafts.post({ body: draft("sdk-t", repoTax, tagV1) }));
  t = await w.call("preview the tax draft", "ConnectorStaged", drafts.withId({ ID: t.id }).post({ body: { version: t.version, actions: [{ action: "updatePreviewable" }] } }));
  const notPreviewed = await w.call("create draft never previewed", "ConnectorStaged", drafts.post({ body: draft("sdk-np", repoPayment, tagV1) }));
  await w.advance(settle);

  const staged = (id) => ({ id, staged: true });
  const create = (label, body, type = "Deployment") => w.call(label, type, deployments.post({ body }));
  await create("deploy without configurations", { key: "sdk-noconf", connector: staged(p.id), region: "europe-west1.gcp" });
  await create("deploy without a connector", { region: "europe-west1.gcp", configurations: [] });
  await create("deploy an unknown connector", { connector: { key: "no-such-connector", version: 3 }, region: "europe-west1.gcp", configurations: [] });
  await create("deploy a draft never previewed", { connector: staged(notPreviewed.id), region: "europe-west1.gcp", configurations: paymentConfig });
  await create("deploy to an unsupported region", { connector: staged(p.id), region: "us-central1.gcp", configurations: paymentConfig });
  await create("deploy an unknown application", { connector: staged(p.id), region: "europe-west1.gcp", configurations: [{ applicationName: "nope", standardConfiguration: [], securedConfiguration: [] }] });
  await create("deploy an unknown configuration key", { connector: staged(p.id), region: "europe-west1.gcp", configurations: [{ applicationName: "processor", standardConfiguration: [{ key: "NOPE", value: "x" }], securedConfiguration: [] }] });
  await create("deploy a draft as sandbox", { connector: staged(p.id), region: "europe-west1.gcp", configurations: paymentConfig, type: "sandbox" });
  await create("deploy no application", { connector: staged(p.id), region: "europe-west1.gcp", configurations: [] });
  await create("deploy without the required application", { connector: staged(p.id), region: "europe-west1.gcp", configurations: [paymentConfig[1]] });
  await create("deploy without a required global key", { connector: staged(t.id), region: "europe-west1.gcp", configurations: taxApps, globalConfiguration: { standardConfiguration: [{ key: "TAX_API_URL", value: "https://tax.example.com" }] } });
  await create("deploy an unknown global key", { connector: staged(t.id), region: "europe-west1.gcp", configurations: taxApps, globalConfiguration: { standardConfiguration: [{ key: "NOPE", value: "x" }] } });
  await create("deploy an empty required global key", { connector: staged(t.id), region: "europe-west1.gcp", configurations: taxApps, globalConfiguration: { standardConfiguration: [{ key: "TAX_API_URL", value: "" }], securedConfiguration: [{ key: "TAX_API_KEY", value: "k3y-value" }] } });
  await create("deploy to production", { connector: { id: a.id }, type: "production", region: "europe-west1.gcp", configurations: paymentConfig });
  await w.call("deploy with a region that is not a string", "Deployment", deployments.post({ body: {} }), { body: `{"connector":{"id":"${p.id}","staged":true},"region":7,"configurations":[]}` });

  let d = await create("create deployment", { key: "sdk-dep", connector: staged(p.id), region: "europe-west1.gcp", configurations: paymentConfig });
  await create("create deployment with a duplicate key", { key: "sdk-dep", connector: staged(p.id), region: "europe-west1.gcp", configurations: paymentConfig });
  await w.call("redeploy while queued", "Deployment", deployments.withId({ ID: d.id }).post({ body: { version: d.version, actions: [{ action: "redeploy" }] } }));
  const d2 = await create("create deployment of one application", { key: "sdk-dep2", connector: staged(p.id), region: "europe-west1.gcp", configurations: processorOnly });
  const aws = await create("create deployment on AWS", { key: "sdk-aws", connector: staged(p.id), region: "us-east-2.aws", configurations: paymentConfig });
  await w.advance(settle);

  await w.call("list deployments", "DeploymentPagedQueryResponse", deployments.get());
  await w.call("list deployments with every parameter", "DeploymentPagedQueryResponse", deployments.get({ queryArgs: { limit: 2, offset: 1, sort: ["key asc"], integrationTypes: ["psp"], deploymentType: "preview" } }));
  await w.call("list deployments with a bad sort", "DeploymentPagedQueryResponse", deployments.get({ queryArgs: { sort: "key sideways" } }));
  await w.call("list deployments with a negative limit", "DeploymentPagedQueryResponse", deployments.get({ queryArgs: { limit: -1 } }));
  d = await w.call("deployment by id", "Deployment", deployments.withId({ ID: d.id }).get());
  await w.call("deployment by key", "Deployment", deployments.withKey({ key: "sdk-dep" }).get());
  await w.call("seeded deployment by key", "Deployment", deployments.withKey({ key: "demo-payment-sandbox" }).get());
  await w.call("deployment by unknown key", "Deployment", deployments.withKey({ key: "no-such-deployment" }).get());
  await w.call("deployment by unknown id", "Deployment", deployments.withId({ ID: "no-such-deployment-id" }).get());
  await w.call("deployment of a project key the API refuses", "Deployment", api.withProjectKey({ projectKey: "x" }).deployments().withKey({ key: "sdk-dep" }).get());

  // Logs.
  const logs = await w.call("logs by id", "DeploymentLogCursorPagedQueryResponse", deployments.withId({ ID: d.id }).logs().get());
  await w.call("logs by key with every parameter", "DeploymentLogCursorPagedQueryResponse", deployments.withKey({ key: "sdk-dep" }).logs().get({
    queryArgs: { applicationName: "processor", endDate: "2100-01-01T00:00:00Z" },
  }));
  await w.call("logs from the next cursor", "DeploymentLogCursorPagedQueryResponse", deployments.withId({ ID: d.id }).logs().get({ queryArgs: { pageToken: logs.next } }));
  await w.call("logs by key of an unknown application", "DeploymentLogCursorPagedQueryResponse", deployments.withKey({ key: "sdk-dep" }).logs().get({ queryArgs: { applicationName: "nope" } }));
  await w.call("logs with an unparsable date", "DeploymentLogCursorPagedQueryResponse", deployments.withId({ ID: d.id }).logs().get({ queryArgs: { startDate: "yesterday" } }));
  await w.call("logs ending before they start", "DeploymentLogCursorPagedQueryResponse", deployments.withId({ ID: d.id }).logs().get({ queryArgs: { endDate: "2001-01-01T00:00:00Z" } }));
  await w.call("logs with a garbage cursor", "DeploymentLogCursorPagedQueryResponse", deployments.withId({ ID: d.id }).logs().get({ queryArgs: { pageToken: "garbage" } }));
  await w.call("logs on AWS without an application", "DeploymentLogCursorPagedQueryResponse", deployments.withId({ ID: aws.id }).logs().get());
  await w.call("logs of an unknown deployment", "DeploymentLogCursorPagedQueryResponse", deployments.withKey({ key: "no-such-deployment" }).logs().get());

  // Redeploy and its errors.
  d = await w.call("redeploy by id", "Deployment", deployments.withId({ ID: d.id }).post({ body: { version: d.version, actions: [{ action: "redeploy", skipScripts: true }] } }));
  await w.advance(settle);
  d = await w.call("deployment after redeploy", "Deployment", deployments.withKey({ key: "sdk-dep" }).get());
  d = await w.call("redeploy by key with every field", "Deployment", deployments.withKey({ key: "sdk-dep" }).post({
    body: { version: d.version, actions: [{ action: "redeploy", skipScripts: false, updateConnector: false, configurationValues: processorOnly }] },
  }));
  await w.call("redeploy with a stale version", "Deployment", deployments.withKey({ key: "sdk-dep" }).post({ body: { version: 1, actions: [{ action: "redeploy" }] } }));
  const dep2 = await w.call("deployment of one application", "Deployment", deployments.withId({ ID: d2.id }).get());
  await w.call("redeploy an application it does not have", "Deployment", deployments.withId({ ID: d2.id }).post({
    body: { version: dep2.version, actions: [{ action: "redeploy", configurationValues: [paymentConfig[1]] }] },
  }));
  p = await w.call("draft to deploy", "ConnectorStaged", drafts.withId({ ID: p.id }).get());
  await w.call("break the deployed draft's connect.yaml", "ConnectorStaged", drafts.withId({ ID: p.id }).post({ body: { version: p.version, actions: [{ action: "setRepository", url: repoPayment, tag: tagInvalid }] } }));
  const dep2now = await w.call("deployment of one application again", "Deployment", deployments.withKey({ key: "sdk-dep2" }).get());
  await w.call("redeploy updating a broken connector", "Deployment", deployments.withKey({ key: "sdk-dep2" }).post({
    body: { version: dep2now.version, actions: [{ action: "redeploy", updateConnector: true }] },
  }));

  // Delete.
  await w.call("delete by id", "Deployment", deployments.withId({ ID: aws.id }).delete());
  await w.call("delete by key", "Deployment", deployments.withKey({ key: "sdk-dep2" }).delete());
  await w.call("delete an unknown deployment", "Deployment", deployments.withKey({ key: "no-such-deployment" }).delete());

  // Authentication and authorization.
  await w.call("a token the API does not know", "ConnectorStagedPagedQueryResponse", drafts.get(), { token: "not-a-token" });
  await w.call("no token", "DeploymentPagedQueryResponse", deployments.get(), { token: null });
  const viewOnly = await w.token(["view_connectors"]);
  await w.call("create with a view-only token", "ConnectorStaged", drafts.post({ body: draft("sdk-denied", repoPayment, tagV1) }), { token: viewOnly });
  await w.call("deployments with a connectors token", "DeploymentPagedQueryResponse", deployments.get(), { token: viewOnly });

  // Server errors, injected in the simulator.
  await w.fault({ method: "GET", path: "/connectors/drafts/key=sdk-general", times: 1, action: { kind: "respond", code: "General" } });
  await w.call("a 500 General", "ConnectorStaged", drafts.withKey({ key: "sdk-general" }).get());
  await w.fault({ method: "DELETE", path: "/demo/deployments/key=sdk-dep", times: 3, action: { kind: "respond", code: "BadGateway", headers: { "Retry-After": "0" } } });
  await w.call("a 502 BadGateway with Retry-After", "Deployment", deployments.withKey({ key: "sdk-dep" }).delete());
  await w.clearFaults();
  await w.call("delete after the faults", "Deployment", deployments.withKey({ key: "sdk-dep" }).delete());
}
