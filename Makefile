# U-Point — the consortium admin's interface. `make` or `make help` lists the targets.
# Every network target takes NETWORK=devnet (default) | native | test-network.

SHELL        := bash
.SHELLFLAGS  := -eu -o pipefail -c
.DEFAULT_GOAL := help

NETWORK      ?= devnet
NETWORK_FILE ?= network/upoint.network.yaml
DEVNET_DIR   ?= .devnet
NATIVE_DIR   ?= .native
FABRIC_BIN   ?=
FABRIC_SAMPLES ?=
TEST_NETWORK_DIR ?= .test-network
ORDERERS     ?= 1
GATEWAY_LISTEN   ?= 127.0.0.1:3000
GATEWAY_KEYS_DIR ?= gateway
DEVNET       := node network/devnet/dist/cli.js
NATIVE       := node network/native/dist/cli.js

# One command line per network kind; both take the same verbs and flags.
ifeq ($(NETWORK),native)
NET_CLI  := $(NATIVE)
NET_DIR  := $(NATIVE_DIR)
UP_FLAGS := --bin "$(FABRIC_BIN)" --orderers $(ORDERERS)
else ifeq ($(NETWORK),test-network)
# fabric-samples' Docker test-network; the adapter's deploy also bootstraps the membership registry.
NET_CLI  := bash network/test-network/adapter.sh
NET_DIR  := $(TEST_NETWORK_DIR)
UP_FLAGS :=
NET_BOOTSTRAP := true
else
NET_CLI  := $(DEVNET)
NET_DIR  := $(DEVNET_DIR)
UP_FLAGS := --detach
endif
NODE_BIN     := node_modules/.bin
CC_SERVER    := node $(CURDIR)/node_modules/fabric-shim/cli.js server --module-path $(CURDIR)/chaincode
NET_BOOTSTRAP ?= bash network/scripts/bootstrap-members.sh $(NETWORK_FILE) $(NET_DIR)
GATEWAY      := NETWORK_FILE=$(NETWORK_FILE) NET_DIR=$(NET_DIR) GATEWAY_LISTEN=$(GATEWAY_LISTEN) \
                GATEWAY_KEYS_DIR=$(GATEWAY_KEYS_DIR) bash network/scripts/gateway.sh

export NETWORK FABRIC_BIN FABRIC_SAMPLES

.PHONY: help install build lint typecheck network-up network-down network-clean deploy status demo \
        gateway-up gateway-down test test-unit test-e2e test-native test-faults test-browser bench metadata-check clean test-fuzz audit

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z0-9-]*:.*## / {printf "  \033[1m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "  NETWORK=$(NETWORK) (devnet | native | test-network); network file: $(NETWORK_FILE)"

install: ## Install npm dependencies (a no-op when they are current)
	@bash network/scripts/install.sh

build: install ## Compile every workspace (TypeScript project references)
	@$(NODE_BIN)/tsc -b network/devnet network/native chaincode gateway gateway/web test && node gateway/web/build-static.js

lint: install ## Type-aware lint of every workspace
	@$(NODE_BIN)/eslint .

typecheck: build ## Type-check everything (same as build)

network-up: build ## Start the network (devnet: one process, state in .devnet/; native: FABRIC_BIN, ORDERERS=1|3, .native/)
	@bash network/scripts/require-network.sh
	@$(NET_CLI) up --network $(NETWORK_FILE) --dir $(NET_DIR) $(UP_FLAGS)

deploy: build ## Deploy the chaincode (again after a change: upgrade in place)
	@bash network/scripts/require-network.sh
	@version="1.0-$$(bash network/scripts/cc-hash.sh)"; \
	  $(NET_CLI) deploy --network $(NETWORK_FILE) --dir $(NET_DIR) --version "$$version" \
	    --server-cmd "$(CC_SERVER)"
	@$(NET_BOOTSTRAP)

status: ## Network health, block heights, committed chaincode definition
	@bash network/scripts/require-network.sh
	@$(NET_CLI) status --network $(NETWORK_FILE) --dir $(NET_DIR)

network-down: ## Stop everything the network targets started (by recorded pids), the gateway first
	@$(GATEWAY) down
	@$(NET_CLI) down --dir $(NET_DIR)

network-clean: network-down ## Stop and delete the network's state (crypto, ledgers, logs)
	@rm -rf $(NET_DIR)
	@echo "removed $(NET_DIR)"

gateway-up: build ## Start the REST gateway on GATEWAY_LISTEN (default 127.0.0.1:3000); prints its URL and dev API keys
	@$(GATEWAY) up

gateway-down: ## Stop the REST gateway (by its recorded pid)
	@$(GATEWAY) down

demo: ## Start devnet, deploy, start the gateway, walk through the three asset families over HTTP
	@$(MAKE) --no-print-directory network-up deploy gateway-up
	@node gateway/dist/demo.js --url "http://$(GATEWAY_LISTEN)" --keys "$(GATEWAY_KEYS_DIR)/dev-api-keys.json"
	@$(MAKE) --no-print-directory status
	@echo
	@echo "$(NETWORK) and the REST gateway keep running: http://$(GATEWAY_LISTEN)  (API docs: http://$(GATEWAY_LISTEN)/docs)"
	@echo "stop them with: make gateway-down (the gateway only), make network-down (both)"

test: ## Everything CI runs: lint, unit, end-to-end on devnet, native when binaries exist
	@bash test/scripts/run-tests.sh

test-unit: build ## Unit tests (devnet components, chaincode)
	@$(NODE_BIN)/jest --selectProjects unit

test-e2e: build ## End-to-end tests; each starts and stops its own devnet
	@$(NODE_BIN)/jest --selectProjects e2e --runInBand

test-native: build ## Native-network suite against real Fabric binaries (FABRIC_BIN=<dir>)
	@bash network/scripts/require-fabric-bin.sh
	@$(NODE_BIN)/jest --selectProjects native --runInBand

test-faults: build ## Fault tests: kill -9 devnet, chaincode server, gateway under load (native too with FABRIC_BIN)
	@$(NODE_BIN)/jest --selectProjects faults --runInBand

test-browser: build ## Browser tests: the consumer page and the console in headless Chromium (Debian's chromium; SKIPPED without it)
	@if command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || [[ -n "$${CHROMIUM_PATH:-}" ]]; then \
	  $(NODE_BIN)/jest --selectProjects browser --runInBand; \
	else echo "SKIPPED browser: chromium not installed (as root: make install, or apt-get install chromium)"; fi

bench: build ## Benchmarks against the kv ceiling, direct and over REST (NETWORK=devnet|native|both; BENCH_FLAGS="--rounds 2 --seconds 3")
	@if [[ "$(NETWORK)" == native || "$(NETWORK)" == both ]]; then bash network/scripts/require-fabric-bin.sh; fi
	@node test/dist/bench/bench.js --network $(NETWORK) $(BENCH_FLAGS)

test-fuzz: build ## Fuzzing: the REST gateway from its OpenAPI document (schemathesis, installed into .venv), devnet's gRPC surface
	@mkdir -p test/results
	@$(NODE_BIN)/jest --selectProjects fuzz --runInBand --json --outputFile=test/results/fuzz.json

audit: install ## npm audit of the production dependencies (fails on a high or critical advisory)
	@npm audit --omit=dev --audit-level=high

clean: ## Remove build output
	@rm -rf network/devnet/dist network/native/dist chaincode/dist test/dist
	@find . -name '*.tsbuildinfo' -not -path './node_modules/*' -delete
