// Package deploy keeps the gateway's deployment artefacts honest: the
// Kubernetes manifests in deploy/kubernetes and the Dockerfile at the
// repository root. Its tests decode every manifest strictly into the
// Kubernetes API types (an unknown or misspelt field fails) and check the
// invariants that tie the manifests to each other, to the image and to the
// gateway's flags: gRPC health probes on the gRPC port, a grace period longer
// than preStop plus the drain timeout, Secret keys that exist, Service ports
// that match container ports, an autoscaler and a disruption budget that
// select the Deployment's pods, and a non-root, read-only container.
//
// It is a module of its own (github.com/connect-gateway/connect-gateway/deploy)
// so that the gateway never depends on Kubernetes libraries. Run its tests
// with `make test`, or `cd deploy && go test ./...`.
package deploy
