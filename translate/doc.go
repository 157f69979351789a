// Package translate turns Connect API error responses into gRPC statuses with
// rich details, and those statuses back into Connect-shaped JSON. It is pure:
// no I/O, no clocks, no globals that change after init (TestImports keeps it
// so).
//
// The error catalogue is declared once, as options on the ErrorCode and
// GatewayReason enums of commercetools.connect.errors.v1; [Lookup],
// [Entries] and [GatewayEntries] read it from the descriptors.
//
// # The two ways in, the one way out
//
//   - [FromResponse]: an upstream error response (HTTP status, headers,
//     body) and the [Target] the call addressed.
//   - [NewError]: an error the gateway originates (a bad request, a limit,
//     no answer from the upstream: the gateway's upstream client classifies
//     those failures and names the reason).
//
// Each returns an [*Error], which gRPC handlers return as it is (it
// implements GRPCStatus). [ToResponse] renders any status for the REST face
// ([ResponseOf] any error, without copying a translated one), and
// [ErrorInfoOf], [ErrorResponseOf] and [DetailOf] give clients the details
// of any error a gRPC call returns.
//
// # What a translated status carries
//
// (The reasons behind it are in docs/design.md#the-error-contract.)
//
// In this order: one google.rpc.ErrorInfo (reason from the catalogue, domain
// connect.commercetools.com, metadata "code", "httpStatus" and the first
// error's extra fields); the typed detail of the first error's code
// (errorsv1.ConcurrentModification, ...); the row's detail kinds
// (BadRequest and PreconditionFailure with one violation per error,
// ResourceInfo, RetryInfo, Help); google.rpc.RequestInfo, only when there is
// a correlation id (the Target's, else the response's X-Correlation-ID);
// google.rpc.LocalizedMessage (en-US); and the whole errorsv1.ErrorResponse.
// The status message is the upstream's top-level message (the first error's
// when that is empty).
//
// # Decisions the design left open
//
//   - Well-formed means: a JSON object with an integer statusCode (no
//     fraction, no exponent, within int32), a string message, and an errors
//     array of objects with a string code and a string message; any other
//     field is kept. Repeated keys count once, with the last value, as in
//     encoding/json. Anything else takes the UPSTREAM_MALFORMED_ERROR path.
//   - An HTTP status outside 400 to 599 is never translated as an upstream
//     error: it takes the malformed path with code UNKNOWN, and the REST face
//     answers 502. FromResponse never returns an OK status, for any input.
//   - A code the catalogue does not know maps by HTTP status
//     ([CodeForHTTPStatus]); its ErrorInfo reason is the code in
//     UPPER_SNAKE_CASE when that is a valid reason not taken by the catalogue,
//     else [ReasonUnknownCode]; metadata["code"] always holds the wire code.
//     An empty errors array also gets [ReasonUnknownCode].
//   - Metadata keys that are not valid ErrorInfo keys, and extra fields named
//     code, httpStatus or truncated, stay out of ErrorInfo (they are in the
//     ErrorResponse detail).
//   - Retry-After as an HTTP date is measured against the response's Date
//     header (translate has no clock); otherwise RetryInfo says 1s.
//   - A marshalled status is at most [MaxStatusBytes] (6 KiB, 8 KiB once
//     base64-encoded in grpc-status-details-bin). A larger one is rebuilt
//     with strings clipped to 256 bytes and the first errors that fit, and
//     ErrorInfo.metadata["truncated"] is "true"; only then may the round trip
//     differ. No well-formed body under 800 bytes is ever truncated (with
//     Target ids and keys of ordinary length).
//
// # Invariants (FuzzFromResponse checks them)
//
//   - every status made here is not OK and carries exactly one
//     [errdetails.ErrorInfo], and every detail unmarshals;
//   - for a well-formed Connect ErrorResponse of an error status, not
//     truncated, ToResponse(FromResponse(x)) gives back x, equal as JSON,
//     with the same HTTP status;
//   - for anything else, ToResponse gives a valid ErrorResponse made by the
//     gateway, whose statusCode is the HTTP status.
package translate
