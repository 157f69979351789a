// The TypeScript client against a real gateway on its embedded simulator:
// each documented error arrives with its gRPC code, ErrorInfo and typed
// detail, decoded from grpc-status-details-bin by callErrorOf.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { isMessage, toJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

import {
  ConcurrentModificationSchema,
  DuplicateFieldSchema,
  ResourceNotFoundSchema,
} from "../gen/commercetools/connect/errors/v1/typed_errors_pb.js";
import { ConnectorStagedService } from "../gen/commercetools/connect/v1/connector_staged_service_pb.js";
import { ErrorResponseSchema } from "../gen/commercetools/connect/errors/v1/error_response_pb.js";
import { ResourceInfoSchema } from "../gen/google/rpc/error_details_pb.js";
import { callErrorOf, typedDetailOf } from "../src/index.js";
import { startGateway } from "./gateway.js";
import { responseJSON } from "./response.js";

const domain = "connect.commercetools.com";

/** @type {Awaited<ReturnType<typeof startGateway>>} */
let gateway;
/** @type {import("@connectrpc/connect").Client<typeof ConnectorStagedService>} */
let staged;

before(async () => {
  gateway = await startGateway();
  const transport = createGrpcTransport({ baseUrl: `http://${gateway.grpcAddr}` });
  staged = createClient(ConnectorStagedService, transport);
});

after(async () => {
  await gateway?.stop();
});

/** A unique key per call, so that the tests do not see each other's data. */
function uniqueKey(name) {
  return `ts-${name}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Creates a ConnectorStaged from the simulator's payment repository. */
async function createStaged(key) {
  const res = await staged.createConnectorStaged({
    draft: {
      key,
      name: `TypeScript ${key}`,
      integrationTypes: ["psp"],
      creator: { email: "dev@example.com", company: "ts-client" },
      repository: { url: "https://github.com/connect-sim/payment-connector.git", tag: "v1.0.0" },
    },
  });
  assert.ok(res.connectorStaged, "create returned no ConnectorStaged");
  return res.connectorStaged;
}

/** Runs call, which must fail, and returns what it threw. */
async function failure(call) {
  try {
    await call();
  } catch (err) {
    assert.ok(err instanceof ConnectError, `expected a ConnectError, got ${err}`);
    return err;
  }
  assert.fail("the call succeeded");
}

describe("errors of a gRPC call through the gateway", () => {
  test("ConcurrentModification: an update with a stale version", async () => {
    const cs = await createStaged(uniqueKey("cm"));
    const updated = await staged.updateConnectorStaged({
      ref: { case: "id", value: cs.id },
      version: cs.version,
      actions: [{ action: { case: "setName", value: { name: "renamed" } } }],
    });
    const current = updated.connectorStaged?.version;
    assert.ok(current !== undefined && current > cs.version, `version did not move on from ${cs.version}`);

    const err = await failure(() =>
      staged.updateConnectorStaged({
        ref: { case: "id", value: cs.id },
        version: cs.version,
        actions: [{ action: { case: "setName", value: { name: "stale" } } }],
      }),
    );
    const got = callErrorOf(err);
    assert.equal(got.code, Code.Aborted);
    assert.equal(got.reason, "CONCURRENT_MODIFICATION");
    assert.equal(got.domain, domain);
    assert.equal(got.metadata.code, "ConcurrentModification");
    assert.equal(got.metadata.httpStatus, "409");
    assert.equal(got.metadata.expectedVersion, String(cs.version));
    assert.equal(got.metadata.currentVersion, String(current));
    assert.ok(isMessage(got.typedDetail, ConcurrentModificationSchema), `typed detail is ${got.typedDetail?.$typeName}`);
    assert.equal(got.typedDetail.expectedVersion, BigInt(cs.version));
    assert.equal(got.typedDetail.currentVersion, BigInt(current));
    assert.equal(got.typedDetail.message, got.message);
    assert.equal(got.errorResponse?.statusCode, 409);
    assert.equal(got.errorResponse?.errors[0]?.code, "ConcurrentModification");
    assert.notEqual(got.correlationId, "");
    // The status leaves the ErrorResponse out; the rebuilt one is what the
    // REST face answers the same stale update with: Connect's own body.
    assert.ok(!got.details.some((d) => isMessage(d, ErrorResponseSchema)), "a typical error carries the ErrorResponse");
    const rest = await fetch(`http://${gateway.httpAddr}/connectors/drafts/${cs.id}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ version: cs.version, actions: [{ action: "setName", name: "stale" }] }),
    });
    assert.equal(rest.status, 409);
    assert.deepEqual(responseJSON(got.errorResponse), await rest.json());

    assert.equal(typedDetailOf(err, ConcurrentModificationSchema)?.currentVersion, BigInt(current));
    assert.equal(typedDetailOf(err, DuplicateFieldSchema), undefined);
  });

  test("DuplicateField: the same key created twice", async () => {
    const key = uniqueKey("dup");
    await createStaged(key);

    const err = await failure(() => createStaged(key));
    const got = callErrorOf(err);
    assert.equal(got.code, Code.AlreadyExists);
    assert.equal(got.reason, "DUPLICATE_FIELD");
    assert.equal(got.domain, domain);
    assert.equal(got.metadata.code, "DuplicateField");
    assert.equal(got.metadata.httpStatus, "400");
    assert.equal(got.metadata.field, "key");
    assert.equal(got.metadata.duplicateValue, key);
    assert.ok(isMessage(got.typedDetail, DuplicateFieldSchema), `typed detail is ${got.typedDetail?.$typeName}`);
    assert.equal(got.typedDetail.field, "key");
    assert.equal(toJson(ValueSchema, got.typedDetail.duplicateValue), key);
    assert.match(got.typedDetail.message, new RegExp(key));
  });

  test("ResourceNotFound: an unknown id", async () => {
    const id = uniqueKey("missing");

    const err = await failure(() => staged.getConnectorStaged({ ref: { case: "id", value: id } }));
    const got = callErrorOf(err);
    assert.equal(got.code, Code.NotFound);
    assert.equal(got.reason, "RESOURCE_NOT_FOUND");
    assert.equal(got.domain, domain);
    assert.equal(got.metadata.code, "ResourceNotFound");
    assert.equal(got.metadata.httpStatus, "404");
    assert.ok(isMessage(got.typedDetail, ResourceNotFoundSchema), `typed detail is ${got.typedDetail?.$typeName}`);
    assert.match(got.typedDetail.message, new RegExp(`id=${id}`));
    const info = got.details.find((d) => isMessage(d, ResourceInfoSchema));
    assert.ok(info, "no ResourceInfo detail");
    assert.equal(info.resourceType, "ConnectorStaged");
    assert.equal(info.resourceName, id);
  });
});
