// Package gateway serves the Connect API over gRPC and over a REST face on
// Connect's own paths, calling the Connect REST API (or the simulator)
// upstream.
//
// Every RPC of the commercetools.connect.v1 services is served by one generic
// handler: the method's google.api.http rule says how to build the upstream
// call (method, path with the `key=` form, query, body) and how to read its
// answer. Adding an endpoint means adding an RPC with its rule to the proto
// and the simulator's behaviour for it (connectsim's routes come from the
// same rules); the gateway needs no code. The REST face
// registers the same rules on a grpc-gateway ServeMux and calls the same
// handler in process, so both faces behave alike. It answers with Connect's
// own bytes, a success or an error ([translate.ResponseOf]), unless
// they hold a secret of the call; errors the gateway makes itself are
// rendered with [translate.ToResponse].
//
// On the gRPC face a successful answer goes from JSON straight to protobuf
// binary ([wirejson.AppendProto]), which a codec sends as it is; shapes the
// transcoder leaves alone are decoded into the message instead
// (connect_gateway_grpc_responses_decoded_total counts them).
//
// [Run] starts both servers and stops them gracefully when its context ends.
package gateway
