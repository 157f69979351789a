// callErrorOf on statuses made here, without a gateway: the tolerant paths.
import assert from "node:assert/strict";
import { test } from "node:test";

import { create, isMessage } from "@bufbuild/protobuf";
import { anyPack, StringValueSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, encodeBinaryHeader } from "@connectrpc/connect";

import { ErrorResponseSchema } from "../gen/commercetools/connect/errors/v1/error_response_pb.js";
import { ConcurrentModificationSchema } from "../gen/commercetools/connect/errors/v1/typed_errors_pb.js";
import { ErrorInfoSchema, LocalizedMessageSchema } from "../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../gen/google/rpc/status_pb.js";
import { callErrorOf, detailRegistry, rebuildErrorResponse, typedDetailOf } from "../src/index.js";
import { responseJSON } from "./response.js";

/** A ConnectError whose trailers carry status as grpc-status-details-bin. */
function errorWithStatus(status) {
  const trailers = new Headers({ "grpc-status-details-bin": encodeBinaryHeader(status, StatusSchema) });
  return new ConnectError("ignored: the trailer wins", Code.Unknown, trailers);
}

test("details are unpacked in order; unknown types are skipped", () => {
  const status = create(StatusSchema, {
    code: Code.Aborted,
    message: "stale",
    details: [
      anyPack(ErrorInfoSchema, create(ErrorInfoSchema, { reason: "CONCURRENT_MODIFICATION", domain: "d", metadata: { code: "ConcurrentModification" } })),
      anyPack(StringValueSchema, create(StringValueSchema, { value: "not an error detail" })),
      anyPack(ConcurrentModificationSchema, create(ConcurrentModificationSchema, { message: "stale", expectedVersion: 1n, currentVersion: 2n })),
      anyPack(LocalizedMessageSchema, create(LocalizedMessageSchema, { locale: "en-US", message: "stale" })),
    ],
  });
  const err = errorWithStatus(status);
  const got = callErrorOf(err);
  assert.equal(got.code, Code.Aborted);
  assert.equal(got.message, "stale");
  assert.equal(got.reason, "CONCURRENT_MODIFICATION");
  assert.equal(got.domain, "d");
  assert.deepEqual(got.metadata, { code: "ConcurrentModification" });
  assert.deepEqual(
    got.details.map((d) => d.$typeName),
    ["google.rpc.ErrorInfo", "commercetools.connect.errors.v1.ConcurrentModification", "google.rpc.LocalizedMessage"],
  );
  assert.ok(isMessage(got.typedDetail, ConcurrentModificationSchema));
  assert.equal(typedDetailOf(err, ConcurrentModificationSchema)?.currentVersion, 2n);
  assert.equal(got.detailsError, undefined);
});

test("without a status trailer: the ConnectError's code and message, no details", () => {
  const got = callErrorOf(new ConnectError("connection refused", Code.Unavailable));
  assert.equal(got.code, Code.Unavailable);
  assert.equal(got.message, "connection refused");
  assert.equal(got.reason, "");
  assert.deepEqual(got.details, []);
  assert.equal(got.typedDetail, undefined);
});

test("any thrown value becomes Code.Unknown", () => {
  const got = callErrorOf(new TypeError("boom"));
  assert.equal(got.code, Code.Unknown);
  assert.equal(got.message, "boom");
});

test("a trailer that does not decode is reported, not thrown", () => {
  const err = new ConnectError("bad trailer", Code.Internal, new Headers({ "grpc-status-details-bin": "!!not base64 protobuf!!" }));
  const got = callErrorOf(err);
  assert.equal(got.code, Code.Internal);
  assert.ok(got.detailsError instanceof Error);
  assert.deepEqual(got.details, []);
});

test("the registry knows every typed detail, ErrorResponse and the google.rpc details", () => {
  for (const name of [
    "commercetools.connect.errors.v1.ConcurrentModification",
    "commercetools.connect.errors.v1.InvalidToken",
    "commercetools.connect.errors.v1.ErrorResponse",
    "google.rpc.ErrorInfo",
    "google.rpc.BadRequest",
    "google.rpc.RetryInfo",
  ]) {
    assert.ok(detailRegistry.getMessage(name), `${name} is not in detailRegistry`);
  }
});

test("a status without the ErrorResponse stands for it: callErrorOf rebuilds it", () => {
  const status = create(StatusSchema, {
    code: Code.Aborted,
    message: "top",
    details: [
      anyPack(
        ErrorInfoSchema,
        create(ErrorInfoSchema, {
          reason: "CONCURRENT_MODIFICATION",
          domain: "connect.commercetools.com",
          metadata: {
            code: "ConcurrentModification",
            httpStatus: "409",
            expectedVersion: "3",
            nested: '{"a":[1,null]}',
            hint: "re-read it",
            empty: "",
            almost: "3 apples",
          },
        }),
      ),
      anyPack(ConcurrentModificationSchema, create(ConcurrentModificationSchema, { message: "own", expectedVersion: 3n })),
    ],
  });
  const got = callErrorOf(errorWithStatus(status));
  assert.ok(isMessage(got.errorResponse, ErrorResponseSchema));
  assert.deepEqual(responseJSON(got.errorResponse), {
    statusCode: 409,
    message: "top",
    errors: [
      { code: "ConcurrentModification", message: "own", expectedVersion: 3, nested: { a: [1, null] }, hint: "re-read it", empty: "", almost: "3 apples" },
    ],
  });
});

test("no rebuilt ErrorResponse for errors the gateway made, truncated statuses or odd metadata", () => {
  const parts = (domain, metadata) => ({ message: "m", domain, metadata, typedDetail: undefined });
  assert.equal(rebuildErrorResponse(parts("connect-gateway", { httpStatus: "502", code: "X" })), undefined);
  assert.equal(rebuildErrorResponse(parts("connect.commercetools.com", { httpStatus: "409", code: "X", truncated: "true" })), undefined);
  assert.equal(rebuildErrorResponse(parts("connect.commercetools.com", { httpStatus: "409" })), undefined);
  assert.equal(rebuildErrorResponse(parts("connect.commercetools.com", { httpStatus: "200", code: "X" })), undefined);
  const plain = rebuildErrorResponse(parts("connect.commercetools.com", { httpStatus: "404", code: "ResourceNotFound" }));
  assert.deepEqual(responseJSON(plain), { statusCode: 404, message: "m", errors: [{ code: "ResourceNotFound", message: "m" }] });
});
