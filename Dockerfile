# syntax=docker/dockerfile:1
#
# connect-gateway container image: a static binary on distroless, non-root.
#
#   make docker                      # docker build -t connect-gateway:dev .
#   docker run --rm -p 9090:9090 -p 8080:8080 connect-gateway:dev
#
# With no flags the gateway serves on its embedded simulator; see
# docs/deployment.md for running it in front of the Connect API.

ARG GO_VERSION=1.26

# Build on the builder's own platform and cross-compile: CGO is off, so the
# binary is static and needs no C toolchain for the target.
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w" -o /out/connect-gateway ./cmd/connect-gateway

# distroless/static: CA certificates, /etc/passwd with the nonroot user,
# tzdata; no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/connect-gateway /usr/local/bin/connect-gateway
# 65532 is distroless's nonroot user; deploy/kubernetes runs as the same id.
USER 65532:65532
# gRPC (GATEWAY_GRPC_ADDR) and HTTP: REST face, /healthz, /readyz, /metrics
# (GATEWAY_HTTP_ADDR).
EXPOSE 9090 8080
ENTRYPOINT ["/usr/local/bin/connect-gateway"]
