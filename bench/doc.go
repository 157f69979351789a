// Package bench measures the gateway against the transport floor and
// against vanguard-go, on one loopback rig that every path shares.
//
// A [Rig] runs, inside the process and on 127.0.0.1:
//
//   - the fixed upstream: an HTTP/1.1 server answering the bytes the
//     simulator gives for GET /connectors/drafts/{id} (a ConnectorStaged)
//     and for a stale update (409 ConcurrentModification), so that the
//     upstream costs the same on every path;
//   - the floor gRPC server: grpc.health.v1.Health and a ConnectorStagedService
//     answering a fixed message, the cost of a bare grpc-go unary call;
//   - the gateway, serving gRPC and its REST face in front of the upstream;
//   - vanguard-go, transcoding gRPC calls on the same ConnectorStagedService
//     descriptor into REST calls reverse-proxied to the same upstream.
//
// [Rig.Caller] returns one call of a [Target] and [Scenario], checked: a
// call returns nil only when it got the expected outcome (the ConnectorStaged,
// or the expected error), so failures are counted, never hidden. The Go
// benchmarks in this package and the load command (cmd/connect-load, through
// [RunLoad]) both use it.
//
// vanguard-go is a benchmark-only dependency: only this package imports it,
// and cmd/connect-gateway does not import this package.
package bench
