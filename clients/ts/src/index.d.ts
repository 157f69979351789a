import type { DescMessage, Message, MessageShape, Registry } from "@bufbuild/protobuf";
import type { Code } from "@connectrpc/connect";
import type { ErrorResponse } from "../gen/commercetools/connect/errors/v1/error_response_pb.js";

/** What a failed call says, decoded from its google.rpc.Status. */
export interface CallError {
  /** The gRPC status code (Code.Aborted is 10, as in gRPC). */
  code: Code;
  /** The status message: the Connect error's message. */
  message: string;
  /** ErrorInfo.reason, e.g. "CONCURRENT_MODIFICATION"; "" without ErrorInfo. */
  reason: string;
  /** ErrorInfo.domain: "connect.commercetools.com", or "connect-gateway" for errors the gateway made. */
  domain: string;
  /** ErrorInfo.metadata: "code", "httpStatus" and the error's fields by wire name, as strings. */
  metadata: Record<string, string>;
  /** The typed detail of the Connect error code (commercetools.connect.errors.v1), if any. */
  typedDetail: Message | undefined;
  /** The whole Connect ErrorResponse the upstream sent, if any. */
  errorResponse: ErrorResponse | undefined;
  /** RequestInfo.requestId: the X-Correlation-ID of the call; "" without one. */
  correlationId: string;
  /** Every detail whose type detailRegistry knows, in order. */
  details: Message[];
  /** Why grpc-status-details-bin did not decode, if it did not. */
  detailsError: Error | undefined;
}

/** The google.rpc error details and the commercetools.connect.errors.v1 messages. */
export declare const detailRegistry: Registry;

/** Turns the error of a failed call into its code, ErrorInfo and details. */
export declare function callErrorOf(err: unknown): CallError;

/** The typed detail of a failed call when it is of the given type. */
export declare function typedDetailOf<Desc extends DescMessage>(
  err: unknown,
  schema: Desc,
): MessageShape<Desc> | undefined;

/** The Deployment statuses that end a WatchDeployment stream with OK. */
export declare const terminalDeploymentStatuses: readonly string[];

/**
 * Reads a server stream to its end, calling onMessage for each message, and
 * returns the last one (undefined when there was none). A stream that ends
 * with an error throws it; read it with callErrorOf.
 */
export declare function lastOf<T>(stream: AsyncIterable<T>, onMessage?: (msg: T) => void): Promise<T | undefined>;
