// Package protocheck holds proto-level tests of the commercetools.connect.v1
// package (gen/commercetools/connect/v1): that every RPC's google.api.http
// rule is the Connect path, that protojson of every resource is Connect's
// JSON, that secured configuration values are marked debug_redact, and that
// update actions and enums carry their exact wire names in custom options.
//
// The package has no non-test code. Its test helpers show how the gateway
// reads the options: actionToWire and actionFromWire convert an update action
// between its typed oneof form and Connect's `{"action": ...}` form, and
// expandPath builds the upstream path of a request from its HTTP rule.
package protocheck
