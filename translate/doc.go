// Package translate turns Connect API error responses into gRPC statuses with
// rich details, and those statuses back into Connect-shaped JSON. It is pure:
// no I/O, no clocks, no globals that change after init.
//
// The error catalogue is declared once, as options on the ErrorCode and
// GatewayReason enums of commercetools.connect.errors.v1; [Lookup],
// [Entries] and [LookupReason] read it from the descriptors.
//
// Invariants:
//   - every status made here for an HTTP status >= 400 is not OK and carries
//     exactly one [errdetails.ErrorInfo];
//   - for a well-formed Connect ErrorResponse within the size bound,
//     ToResponse(FromResponse(x)) gives back x, equal as JSON, with the same
//     HTTP status.
package translate
