// Package wirejson encodes and decodes protobuf messages as the Connect API's
// JSON, which differs from the canonical protobuf JSON mapping in three ways:
//
//   - 64-bit integers are JSON numbers (`"version": 3`), not strings;
//   - an update-action wrapper (a message whose only oneof holds action
//     messages marked with the commercetools.connect.v1.action_name option)
//     is written flat, as `{"action": "setName", "name": "x"}`;
//   - decoding ignores fields it does not know, so that a newer upstream
//     does not break an older gateway.
//
// Field names are the fields' JSON names, which the protos set to Connect's
// camelCase wire names. google.protobuf.Value, Struct, ListValue, Timestamp
// and the wrapper types use their canonical JSON forms.
package wirejson
