// Package gateway serves the Connect API over gRPC and over a REST face on
// Connect's own paths, calling the Connect REST API (or the simulator)
// upstream.
//
// Every RPC of the commercetools.connect.v1 services is served by one generic
// handler: the method's google.api.http rule says how to build the upstream
// call (method, path with the `key=` form, query, body) and how to read its
// answer. Adding an endpoint means adding an RPC to the proto. The REST face
// registers the same rules on a grpc-gateway ServeMux and calls the same
// handler in process, so both faces behave alike; its errors are rendered
// with [translate.ToResponse], so they equal what the upstream sent.
//
// [Run] starts both servers and stops them gracefully when its context ends.
package gateway
