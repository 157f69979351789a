// Server streams through the gateway: WatchDeployment read to its end on the
// simulator's clock, and a stream's error read with callErrorOf.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { isMessage } from "@bufbuild/protobuf";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

import { ResourceNotFoundSchema } from "../gen/commercetools/connect/errors/v1/typed_errors_pb.js";
import { DeploymentService } from "../gen/commercetools/connect/v1/deployment_service_pb.js";
import { callErrorOf, lastOf, terminalDeploymentStatuses } from "../src/index.js";
import { startGateway } from "./gateway.js";

/** @type {Awaited<ReturnType<typeof startGateway>>} */
let gateway;
/** @type {import("@connectrpc/connect").Client<typeof DeploymentService>} */
let deployments;

before(async () => {
  gateway = await startGateway();
  deployments = createClient(DeploymentService, createGrpcTransport({ baseUrl: `http://${gateway.grpcAddr}` }));
});

after(async () => {
  await gateway?.stop();
});

/** Moves the simulator's clock; its Deployments move along their lifecycle. */
async function advance(duration) {
  const res = await fetch(`${gateway.simUrl}/_sim/clock/advance`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ duration }),
  });
  assert.equal(res.status, 200, await res.text());
}

test("WatchDeployment: Queued, then Deployed, then the stream ends OK", async () => {
  const key = `ts-watch-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  await deployments.createDeployment({
    projectKey: "demo",
    draft: {
      key,
      type: "sandbox",
      connector: { key: "demo-payment-connector" },
      region: "europe-west1.gcp",
      configurations: [
        {
          applicationName: "processor",
          standardConfiguration: [{ key: "CTP_PROJECT_KEY", value: "demo" }],
          securedConfiguration: [{ key: "CTP_CLIENT_SECRET", value: "ts-secret" }],
        },
        { applicationName: "enabler" },
      ],
    },
  });
  const statuses = [];
  const last = await lastOf(
    deployments.watchDeployment({ projectKey: "demo", ref: { case: "key", value: key } }, { timeoutMs: 60_000 }),
    (msg) => {
      statuses.push(msg.deployment?.status);
      if (statuses.length === 1) {
        void advance("1h"); // the next poll sees the Deployment Deployed
      }
    },
  );
  assert.equal(statuses[0], "Queued");
  assert.equal(last?.deployment?.status, "Deployed");
  assert.ok(terminalDeploymentStatuses.includes(last.deployment.status));
  assert.equal(last.deleted, false);
});

test("a stream's error carries the rich details of the unary call", async () => {
  let thrown;
  try {
    await lastOf(deployments.watchDeployment({ projectKey: "demo", ref: { case: "key", value: "ts-no-such-deployment" } }));
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown, "the watch of a missing Deployment did not fail");
  const got = callErrorOf(thrown);
  assert.equal(got.code, Code.NotFound);
  assert.equal(got.reason, "RESOURCE_NOT_FOUND");
  assert.ok(isMessage(got.typedDetail, ResourceNotFoundSchema), `typed detail is ${got.typedDetail?.$typeName}`);
});
