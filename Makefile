# connect-gateway: `make run` starts the gateway on its embedded simulator,
# `make test` installs what it needs (pinned) and runs every check.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --warn-undefined-variables --no-builtin-rules

BUF_VERSION := 1.75.0
BIN := $(CURDIR)/.bin
BUF := $(BIN)/buf
GOOGLEAPIS := .build/googleapis
PROTODEPS := tools/protodeps
CLIENT_TS := clients/ts
CLIENT_SDK := clients/sdk-conformance
CLIENT_PY := clients/python
# Debian's python (its dist-packages hold python3-grpcio), not one on PATH.
PYTHON := /usr/bin/python3
DESCRIPTOR_SET := .build/connect.binpb
GATEWAY_BIN := .build/connect-gateway
SIM_BIN := .build/connect-sim
GOOGLEAPIS_FILES := google/api/annotations.proto google/api/http.proto \
	google/rpc/code.proto google/rpc/error_details.proto google/rpc/status.proto
FUZZTIME ?= 10s
IMAGE ?= connect-gateway:dev

.PHONY: help
help: ## Describe the targets
	@awk 'BEGIN {FS = ":.*?## "} /^[a-zA-Z_-]+:.*?## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: run
run: ## Build and start the gateway on the embedded simulator (gRPC :9090, HTTP :8080)
	go run ./cmd/connect-gateway

.PHONY: test
test: checkgenerate lint test-ts test-sdk test-python test-deploy fuzz-smoke load-smoke test-replicas ## Install what is needed and run every check and test
	go test -race ./...

.PHONY: test-deploy
test-deploy: ## Validate deploy/kubernetes and the Dockerfile (the deploy module, kept apart from the gateway's)
	cd deploy && go vet ./... && go test -race ./...

.PHONY: docker
docker: ## Build the container image IMAGE (needs a Docker engine; not part of test)
	docker build -t $(IMAGE) .

.PHONY: test-ts
test-ts: $(CLIENT_TS)/node_modules/.stamp ## Test the TypeScript client (clients/ts) against the gateway on its simulator
	go build -o $(GATEWAY_BIN) ./cmd/connect-gateway
	cd $(CLIENT_TS) && CONNECT_GATEWAY_BIN=$(CURDIR)/$(GATEWAY_BIN) npm test --silent

.PHONY: test-python
test-python: python-deps $(BUF) protodeps ## Test from Python (Debian's grpcio, a FileDescriptorSet, no generated code) against the gateway
	go build -o $(GATEWAY_BIN) ./cmd/connect-gateway
	$(BUF) build -o $(DESCRIPTOR_SET)
	CONNECT_GATEWAY_BIN=$(CURDIR)/$(GATEWAY_BIN) CONNECT_DESCRIPTOR_SET=$(CURDIR)/$(DESCRIPTOR_SET) \
		$(PYTHON) -m unittest discover -s $(CLIENT_PY) -p '*_test.py' -v

.PHONY: python-deps
python-deps: ## Install python3-grpcio and python3-protobuf from Debian (apt-get; skipped when present)
	@if ! $(PYTHON) -c 'import grpc, google.protobuf' 2>/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-grpcio python3-protobuf; \
	fi

$(CLIENT_TS)/node_modules/.stamp: $(CLIENT_TS)/package-lock.json
	cd $(CLIENT_TS) && npm ci --no-audit --no-fund --ignore-scripts --silent
	touch $@

.PHONY: test-sdk
test-sdk: $(CLIENT_SDK)/node_modules/.stamp ## Drive commercetools' Connect SDK through the REST face and straight at a simulator: equal answers, bodies of the SDK's types
	go build -o $(GATEWAY_BIN) ./cmd/connect-gateway
	go build -o $(SIM_BIN) ./cmd/connect-sim
	cd $(CLIENT_SDK) && CONNECT_GATEWAY_BIN=$(CURDIR)/$(GATEWAY_BIN) CONNECT_SIM_BIN=$(CURDIR)/$(SIM_BIN) npm test --silent

$(CLIENT_SDK)/node_modules/.stamp: $(CLIENT_SDK)/package-lock.json
	cd $(CLIENT_SDK) && npm ci --no-audit --no-fund --ignore-scripts --silent
	touch $@

.PHONY: generate
generate: $(BUF) protodeps ## Regenerate gen/ from proto/
	$(BUF) generate
	go run ./internal/cmd/genopenapi
	go run ./internal/cmd/gendocs

.PHONY: checkgenerate
checkgenerate: generate ## Fail when gen/ or docs are not in sync with proto/
	@git diff --exit-code -- gen docs || { echo "generated files are out of date: run make generate and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- gen docs)" || { git status --porcelain -- gen docs; echo "untracked generated files: run make generate and commit"; exit 1; }

.PHONY: lint
lint: $(BUF) protodeps ## go vet, buf lint, buf format
	go vet ./...
	$(BUF) lint
	$(BUF) format -d --exit-code proto

BENCH ?= .
BENCH_COUNT ?= 6
BENCH_PKGS ?= ./bench ./translate ./gateway/upstream ./gateway/wirejson
BENCHSTAT := go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

.PHONY: bench
bench: ## Benchmarks (gateway vs floor vs vanguard, translate, upstream, wirejson), -count BENCH_COUNT, then benchstat
	@mkdir -p .build
	go test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCH_COUNT) $(BENCH_PKGS) | tee .build/bench.txt
	$(BENCHSTAT) .build/bench.txt

BENCH_ROUNDS ?= 8
BENCH_TIME ?= 1s

.PHONY: bench-figures
bench-figures: ## The performance goals of BENCHMARKS.md as ratios paired within each of BENCH_ROUNDS rounds of every path (about 10 min)
	@mkdir -p .build
	go test -c -o .build/bench.test ./bench
	rm -f .build/rounds.txt
	for i in $$(seq $(BENCH_ROUNDS)); do \
		(cd bench && ../.build/bench.test -test.run '^$$' -test.bench 'Call/' -test.benchmem -test.count 1 -test.benchtime $(BENCH_TIME)) | tee -a .build/rounds.txt; \
	done
	go run ./internal/cmd/benchfigures < .build/rounds.txt

.PHONY: bench-compare
bench-compare: ## BENCH_BASE=<git revision>: bench-figures for the tree and for that revision, their rounds interleaved, and each path's change paired within rounds
	@test -n "$(BENCH_BASE)" || { echo "bench-compare: set BENCH_BASE to a git revision"; exit 2; }
	@mkdir -p .build
	rm -rf .build/base && mkdir -p .build/base
	git archive $(BENCH_BASE) | tar -x -C .build/base
	cd .build/base && go test -c -o ../bench-base.test ./bench
	go test -c -o .build/bench.test ./bench
	rm -f .build/rounds.txt .build/rounds-base.txt
	for i in $$(seq $(BENCH_ROUNDS)); do \
		(cd .build/base/bench && ../../bench-base.test -test.run '^$$' -test.bench 'Call/' -test.benchmem -test.count 1 -test.benchtime $(BENCH_TIME)) | tee -a .build/rounds-base.txt; \
		(cd bench && ../.build/bench.test -test.run '^$$' -test.bench 'Call/' -test.benchmem -test.count 1 -test.benchtime $(BENCH_TIME)) | tee -a .build/rounds.txt; \
	done
	@echo "== $(BENCH_BASE)"
	go run ./internal/cmd/benchfigures < .build/rounds-base.txt
	@echo "== this tree, and each path against $(BENCH_BASE)"
	go run ./internal/cmd/benchfigures -base .build/rounds-base.txt < .build/rounds.txt

.PHONY: load
load: ## Load comparison (about 30 s): fixed rate, then max throughput, every target side by side
	go run ./cmd/connect-load -rate 1000 -concurrency 8 -duration 1s -fail-on-errors
	go run ./cmd/connect-load -concurrency 32 -duration 1s -fail-on-errors

.PHONY: load-smoke
load-smoke: ## A few-second run of the load command, failing on any failed call
	go run ./cmd/connect-load -rate 500 -concurrency 4 -duration 150ms -rounds 1 -warmup 20 -fail-on-errors

.PHONY: fuzz
fuzz: ## Fuzz the parsers of outside input for FUZZTIME each
	go test ./translate -run '^$$' -fuzz FuzzFromResponse -fuzztime $(FUZZTIME)
	go test ./gateway/wirejson -run '^$$' -fuzz FuzzUnmarshal -fuzztime $(FUZZTIME)
	go test ./gateway/wirejson -run '^$$' -fuzz FuzzAppendProtoMatchesUnmarshal -fuzztime $(FUZZTIME)
	go test ./gateway/wirejson -run '^$$' -fuzz FuzzStreamMatchesTree -fuzztime $(FUZZTIME)
	go test ./internal/jsoncore -run '^$$' -fuzz '^FuzzValidJSON$$' -fuzztime $(FUZZTIME)
	go test ./internal/jsoncore -run '^$$' -fuzz '^FuzzScanner$$' -fuzztime $(FUZZTIME)
	go test ./internal/jsoncore -run '^$$' -fuzz '^FuzzAppendString$$' -fuzztime $(FUZZTIME)
	go test ./internal/jsoncore -run '^$$' -fuzz '^FuzzPlainRun$$' -fuzztime $(FUZZTIME)
	go test ./internal/pathparam -run '^$$' -fuzz '^FuzzRule$$' -fuzztime $(FUZZTIME)
	go test ./gateway/upstream -run '^$$' -fuzz '^FuzzRequestURL$$' -fuzztime $(FUZZTIME)

.PHONY: fuzz-smoke
fuzz-smoke: ## A short fixed-count fuzz run of each parser of outside input (part of test)
	$(MAKE) fuzz FUZZTIME=2000x

FUZZ_LONG ?= 1000000x
SOAK_DURATION ?= 60s
SOAK_RATE ?= 200

.PHONY: fuzz-long
fuzz-long: ## The long fuzz runs (FUZZ_LONG inputs each, default 1,000,000): FromResponse and the whole REST face
	go test ./translate -run '^$$' -fuzz '^FuzzFromResponse$$' -fuzztime $(FUZZ_LONG)
	go test ./gateway -run '^$$' -fuzz '^FuzzRESTFace$$' -fuzztime $(FUZZ_LONG)

.PHONY: soak
soak: ## Held load: SOAK_RATE calls/s for SOAK_DURATION through the gateway; 0 errors, p99 logged, no growth
	CONNECT_SOAK=1 CONNECT_SOAK_DURATION=$(SOAK_DURATION) CONNECT_SOAK_RATE=$(SOAK_RATE) \
		go test ./gateway -run '^TestSoak$$' -count=1 -v -timeout 30m

.PHONY: protodeps
protodeps: $(GOOGLEAPIS)/.stamp ## Fetch the pinned googleapis protos and protoc-gen-es

$(GOOGLEAPIS)/.stamp: $(PROTODEPS)/package-lock.json
	cd $(PROTODEPS) && npm ci --no-audit --no-fund --ignore-scripts --silent
	rm -rf $(GOOGLEAPIS) && mkdir -p $(GOOGLEAPIS)
	cd $(PROTODEPS)/node_modules/google-proto-files && cp --parents $(GOOGLEAPIS_FILES) $(CURDIR)/$(GOOGLEAPIS)/
	touch $@

$(BUF):
	@if [ "$$($(BUF) --version 2>/dev/null)" != "$(BUF_VERSION)" ]; then \
		echo "installing buf $(BUF_VERSION) into .bin (a few minutes the first time)"; \
		GOBIN=$(BIN) go install github.com/bufbuild/buf/cmd/buf@v$(BUF_VERSION); \
	fi

.PHONY: proxies
proxies: ## Install nginx (grpc_pass) and HAProxy from Debian packages, unless installed (needs root, as in CI)
	@if command -v nginx >/dev/null && command -v haproxy >/dev/null; then exit 0; fi; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-core haproxy

.PHONY: test-replicas
test-replicas: proxies ## 3 gateway binaries on one connect-sim behind nginx and HAProxy: rolling restart, scale-up, SIGKILL
	CONNECT_REPLICAS=1 go test ./replicas -run '^TestReplicasBehindProxies$$' -count=1 -v -timeout 5m
