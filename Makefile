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
GOOGLEAPIS_FILES := google/api/annotations.proto google/api/http.proto \
	google/rpc/code.proto google/rpc/error_details.proto google/rpc/status.proto
FUZZTIME ?= 10s

.PHONY: help
help: ## Describe the targets
	@awk 'BEGIN {FS = ":.*?## "} /^[a-zA-Z_-]+:.*?## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: run
run: ## Build and start the gateway on the embedded simulator (gRPC :9090, HTTP :8080)
	go run ./cmd/connect-gateway

.PHONY: test
test: checkgenerate lint ## Install what is needed and run every check and test
	go test -race ./...

.PHONY: generate
generate: $(BUF) protodeps ## Regenerate gen/ from proto/
	$(BUF) generate
	@if [ -d internal/cmd/gendocs ]; then go run ./internal/cmd/gendocs; fi

.PHONY: checkgenerate
checkgenerate: generate ## Fail when gen/ or docs are not in sync with proto/
	@git diff --exit-code -- gen docs || { echo "generated files are out of date: run make generate and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- gen docs)" || { git status --porcelain -- gen docs; echo "untracked generated files: run make generate and commit"; exit 1; }

.PHONY: lint
lint: $(BUF) protodeps ## go vet, buf lint, buf format
	go vet ./...
	$(BUF) lint
	$(BUF) format -d --exit-code proto

.PHONY: bench
bench: ## Run the benchmarks
	go test -run '^$$' -bench . -benchmem ./...

.PHONY: fuzz
fuzz: ## Fuzz the parsers of outside input for FUZZTIME each
	go test ./translate -run '^$$' -fuzz FuzzFromResponse -fuzztime $(FUZZTIME)

.PHONY: protodeps
protodeps: $(GOOGLEAPIS)/.stamp ## Fetch the pinned googleapis protos

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
