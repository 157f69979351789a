// @ts-check
/**
 * Helpers for gRPC clients of connect-gateway: read the rich error details
 * of a failed call.
 *
 * A failed call carries a google.rpc.Status in the `grpc-status-details-bin`
 * trailer: a google.rpc.ErrorInfo (reason, domain, metadata), the typed
 * detail of the Connect error code (commercetools.connect.errors.v1, e.g.
 * ConcurrentModification with expectedVersion and currentVersion), other
 * google.rpc details (BadRequest, ResourceInfo, RequestInfo, ...), and the
 * whole Connect ErrorResponse when the rest of the status cannot stand for
 * it. {@link callErrorOf} decodes that trailer, unpacks every detail with
 * {@link detailRegistry}, and rebuilds the ErrorResponse when the status
 * leaves it out ({@link rebuildErrorResponse}).
 *
 * @module
 */
import { create, createRegistry, isMessage } from "@bufbuild/protobuf";
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
  out.errorResponse ??= rebuildErrorResponse(out);
  return out;
}

/** The ErrorInfo domain of errors the Connect API answered with. */
const connectDomain = "connect.commercetools.com";

/**
 * Rebuilds the Connect ErrorResponse a status stands for when it does not
 * carry it: the gateway leaves it out when these parts hold all of it (one
 * catalogued error, no other top-level member, statusCode equal to the HTTP
 * status, every field of the error in ErrorInfo.metadata in a form that
 * reads back the same). The result equals, as JSON, the body Connect sent:
 *
 * - statusCode: metadata.httpStatus, as a number; message: the status message;
 * - one error: code = metadata.code, message = the typed detail's message
 *   (the status message without a typed detail), and every other metadata
 *   entry as a member, in extraJson: the value itself when it is valid JSON,
 *   else the value as a JSON string.
 *
 * Returns undefined unless the ErrorInfo is of domain
 * connect.commercetools.com with metadata code and httpStatus (an error
 * status) and without truncated: errors the gateway made itself have no
 * upstream body.
 *
 * @param {Pick<import("./index.js").CallError, "message" | "domain" | "metadata" | "typedDetail">} parts
 * @returns {import("../gen/commercetools/connect/errors/v1/error_response_pb.js").ErrorResponse | undefined}
 */
export function rebuildErrorResponse({ message, domain, metadata, typedDetail }) {
  const { code, httpStatus, truncated, ...fields } = metadata;
  if (domain !== connectDomain || !code || truncated !== undefined || !/^[45][0-9][0-9]$/.test(httpStatus ?? "")) {
    return undefined;
  }
  /** @type {Record<string, string>} */
  const extraJson = {};
  for (const [k, v] of Object.entries(fields)) {
    extraJson[k] = isJSONText(v) ? v : JSON.stringify(v);
  }
  const typedMessage = /** @type {{message?: unknown} | undefined} */ (typedDetail)?.message;
  const errMessage = typeof typedMessage === "string" ? typedMessage : message;
  return create(ErrorResponseSchema, {
    statusCode: Number(httpStatus),
    message,
    errors: [{ code, message: errMessage, extraJson }],
  });
}

/** Whether s is a JSON text (JSON.parse accepts it). */
function isJSONText(s) {
  if (s === "") {
    return false;
  }
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
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
