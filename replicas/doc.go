// Package replicas tests connect-gateway as it runs in production: several
// replicas of the built binary, on one shared connect-sim process, behind
// real proxies installed from Debian packages — nginx as an L7 gRPC proxy
// (grpc_pass) and HAProxy as an L4 (TCP) one. Its test measures a rolling
// restart under load, a replica added mid-run (through each proxy), and a
// replica killed with SIGKILL.
//
// The test runs with `make test-replicas`, which installs the proxies and
// sets CONNECT_REPLICAS=1; without it the test skips.
package replicas
