// @ts-check
/**
 * Helpers for gRPC clients of connect-gateway: read the rich error details
 * of a failed call.
 *
 * A failed call carries a google.rpc.Status in the `grpc-status-details-bin`
 * trailer: a google.rpc.ErrorInfo (reason, domain, metadata), the typed
 * detail of the Connect error code (commercetools.connect.errors.v1, e.g.
 * ConcurrentModification with expectedVersion and currentVersion), other
 * google.rpc details (BadRequest, ResourceInfo, RequestInfo, ...) and the
 * whole Connect ErrorResponse. {@link callErrorOf} decodes that trailer and
 * unpacks every detail with {@link detailRegistry}.
 *
 * @module
 */
import { createRegistry, isMessage } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { ConnectError, decodeBinaryHeader } from "@connectrpc/connect";

import {
  ErrorResponseSchema,
  file_commercetools_connect_errors_v1_error_response,
} from "../gen/commercetools/connect/errors/v1/error_response_pb.js";
import { file_commercetools_connect_errors_v1_typed_errors } from "../gen/commercetools/connect/errors/v1/typed_errors_pb.js";
import {
  ErrorInfoSchema,
  RequestInfoSchema,
  file_google_rpc_error_details,
} from "../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../gen/google/rpc/status_pb.js";

/** The trailer (or header, for trailers-only responses) holding the status. */
const statusDetailsKey = "grpc-status-details-bin";

/** The package of the typed details, one message per Connect error code. */
const typedDetailPackage = "commercetools.connect.errors.v1.";

/**
 * Every detail type the gateway sends: the google.rpc error details, the
 * typed details of commercetools.connect.errors.v1 and its ErrorResponse.
 */
export const detailRegistry = createRegistry(
  file_google_rpc_error_details,
  file_commercetools_connect_errors_v1_typed_errors,
  file_commercetools_connect_errors_v1_error_response,
);

/**
 * Turns the error of a failed call into its code, ErrorInfo and details.
 *
 * `err` is usually a ConnectError thrown by a client of @connectrpc/connect
 * (any transport that keeps the trailers in `metadata`, such as the gRPC
 * transport of @connectrpc/connect-node); anything else is converted with
 * ConnectError.from. Without a status trailer (a transport failure, a
 * deadline hit on the client), the result has the ConnectError's code and
 * message and no details. A trailer that does not decode is reported in
 * `detailsError`, never thrown. Details of a type the registry does not know
 * are skipped.
 *
 * @param {unknown} err the error a call threw
 * @returns {import("./index.js").CallError}
 */
export function callErrorOf(err) {
  const ce = ConnectError.from(err);
  /** @type {import("./index.js").CallError} */
  const out = {
    code: ce.code,
    message: ce.rawMessage,
    reason: "",
    domain: "",
    metadata: {},
    typedDetail: undefined,
    errorResponse: undefined,
    correlationId: "",
    details: [],
    detailsError: undefined,
  };
  const bin = ce.metadata.get(statusDetailsKey);
  if (bin === null) {
    return out;
  }
  let status;
  try {
    status = decodeBinaryHeader(bin, StatusSchema);
  } catch (e) {
    out.detailsError = e instanceof Error ? e : new Error(String(e));
    return out;
  }
  out.code = status.code;
  out.message = status.message;
  for (const any of status.details) {
    const detail = anyUnpack(any, detailRegistry);
    if (detail === undefined) {
      continue;
    }
    out.details.push(detail);
    if (isMessage(detail, ErrorInfoSchema)) {
      if (out.reason === "") {
        out.reason = detail.reason;
        out.domain = detail.domain;
        out.metadata = { ...detail.metadata };
      }
    } else if (isMessage(detail, ErrorResponseSchema)) {
      out.errorResponse = detail;
    } else if (isMessage(detail, RequestInfoSchema)) {
      out.correlationId = detail.requestId;
    } else if (out.typedDetail === undefined && detail.$typeName.startsWith(typedDetailPackage)) {
      out.typedDetail = detail;
    }
  }
  return out;
}

/**
 * Returns the typed detail of a failed call when it is of the given type,
 * for example `typedDetailOf(err, ConcurrentModificationSchema)?.currentVersion`.
 *
 * @template {import("@bufbuild/protobuf").DescMessage} Desc
 * @param {unknown} err the error a call threw
 * @param {Desc} schema the detail's schema
 * @returns {import("@bufbuild/protobuf").MessageShape<Desc> | undefined}
 */
export function typedDetailOf(err, schema) {
  const { typedDetail } = callErrorOf(err);
  return typedDetail !== undefined && isMessage(typedDetail, schema) ? typedDetail : undefined;
}

/**
 * The Deployment statuses that end a WatchDeployment stream with OK (a
 * deleted Deployment ends it too, after a message with `deleted` set).
 */
export const terminalDeploymentStatuses = Object.freeze(["Deployed", "Failed", "UndeployFailed"]);

/**
 * Reads a server stream (an async iterable, such as
 * `client.watchDeployment(req)`) to its end, calling onMessage for each
 * message, and returns the last message, or undefined when there was none.
 * A stream that ends with an error throws it: read it with
 * {@link callErrorOf}, as for a unary call.
 */
export async function lastOf(stream, onMessage) {
  let last;
  for await (const msg of stream) {
    onMessage?.(msg);
    last = msg;
  }
  return last;
}
