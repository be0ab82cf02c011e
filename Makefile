# campusbot: every target builds and uses the .venv in the repo root; nothing else is assumed.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: help install browser lock lint typecheck fmt test checks test-fast test-unit test-integration test-e2e test-slow validate bot \
	test-infra test-deploy package demo api bench clean screenshots

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

LOCK := requirements/lock.txt

$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# exactly the versions CI tested (requirements/lock.txt, `make lock`); torch is the CPU build
	$(PY) -m pip install --quiet -e ".[local,deploy,dev]" -c $(LOCK)
	touch $(STAMP)

install: $(STAMP) ## create .venv and install campusbot with every extra, at the locked versions

browser: ## Debian's chromium for the browser tests (apt-get; once per machine)
	./scripts/install_browser.sh

lock: install ## re-resolve requirements/lock.txt from pyproject + requirements/lock.in (then run make test: the gate)
	$(BIN)/pip-compile --quiet --upgrade --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
		--output-file $(LOCK) requirements/lock.in
	# a constraints file cannot hold the editable project itself
	sed -i -e '/^-e /d' -e '/^    # via -$$/d' $(LOCK)
	$(PY) -m pip install --quiet -e ".[local,deploy,dev]" -c $(LOCK)
	@echo "$(LOCK) updated: review the diff, then 'make test' decides whether the upgrade lands"

lint: install ## ruff (lint + format check)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install ## mypy --strict over src/campusbot
	$(BIN)/mypy

fmt: install ## format the code
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# pytest-xdist: one worker per core (PYTEST_WORKERS=1 runs in-process). Tests that share a local runtime carry an
# xdist_group (tests/conftest.py: one group per runtime, the groups spread over the workers) and run one after another
# on one worker; every worker has its own embedded PostgreSQL in its own temp dir, every runtime its own.
PYTEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
# --durations=15: every run ends with its 15 slowest tests (setup, call and teardown each), to see where time goes.
PYTEST := $(BIN)/pytest $(if $(filter 1,$(PYTEST_WORKERS)),-p no:xdist,-n $(PYTEST_WORKERS) --dist loadgroup) --durations=15
# the slow tier, outside `make test`: `make test-slow` (CI runs it too): the deploy e2e and the Terraform wrapper's
# plan/apply/destroy against moto (real terraform and provider: about 40 s of one core)
SLOW_TESTS := tests/e2e/test_deploy_localstack.py tests/integration/deploy/test_terraform_wrapper.py

# `make test` runs the Terraform checks (make validate: terraform validate, tfcheck, checkov, the bot template; mostly
# single-threaded, outside Python's tests) and lint + types (ruff, mypy: about 40 s on a fresh clone, before the tests
# until issue 18) alongside the tests instead of before them: on 2 cores the tests leave a core idle while the
# local-runtime groups wait on their runtimes, and these fill it. Their output comes after the tests', whole; any part
# failing fails `make test`. They run at a lower priority (nice 5): the tests (the local-runtime groups) are the critical
# path. `install` is a prerequisite, so the parallel makes below never install at the same time.
# The browser (make browser: apt-get and npm, 20-60 s on a clean machine, as CI's) installs alongside the tests too: the
# browser tests' fixtures wait for its exit status in the file CAMPUSBOT_BROWSER_INSTALL_STATUS names
# (tests/fixtures/browser.py), the other tests do not wait for it.
test: install ## everything CI checks except the slow tier (make test-slow); prints its wall time
	@started=$$(date +%s); log=$$(mktemp); static_log=$$(mktemp); browser_log=$$(mktemp); \
	browser_status=$$(mktemp -u); \
	( ./scripts/install_browser.sh >"$$browser_log" 2>&1; echo $$? >"$$browser_status.part"; \
	  mv "$$browser_status.part" "$$browser_status" ) & browser=$$!; \
	nice -n 5 ./scripts/tf_validate.sh >"$$log" 2>&1 & validate=$$!; \
	nice -n 5 $(MAKE) --no-print-directory --keep-going lint typecheck >"$$static_log" 2>&1 & static=$$!; \
	CAMPUSBOT_BROWSER_INSTALL_STATUS="$$browser_status" $(MAKE) --no-print-directory test-fast; status=$$?; \
	wait $$browser; browsed=$$(cat "$$browser_status" 2>/dev/null || echo 1); rm -f "$$browser_status"; \
	wait $$static; checked=$$?; wait $$validate; validated=$$?; \
	echo; echo "== make browser (ran alongside the tests)"; cat "$$browser_log"; rm -f "$$browser_log"; \
	echo; echo "== make lint typecheck (ran alongside the tests)"; cat "$$static_log"; rm -f "$$static_log"; \
	echo; echo "== make validate (ran alongside the tests)"; cat "$$log"; rm -f "$$log"; \
	[ $$status -eq 0 ] && status=$$browsed; \
	[ $$status -eq 0 ] && status=$$checked; [ $$status -eq 0 ] && status=$$validated; \
	echo "make test: $$([ $$status -eq 0 ] && echo passed || echo FAILED) in $$(( $$(date +%s) - started )) s"; \
	exit $$status

checks: install browser lint typecheck validate

test-fast: install ## every test except the slow tier, in parallel (unit, integration, e2e)
	$(PYTEST) -q $(addprefix --ignore=,$(SLOW_TESTS))

test-unit: install ## tests/unit, tests/policies, tests/terraform (no local runtime)
	$(PYTEST) -q tests/unit tests/policies tests/terraform

test-integration: install ## tests/integration (real embedded PostgreSQL, moto, HTTP) without the slow tier's
	$(PYTEST) -q tests/integration $(addprefix --ignore=,$(SLOW_TESTS))

test-e2e: install ## tests/e2e except the deploy (whole local runtimes, Lambda zips, the API fuzz)
	$(PYTEST) -q tests/e2e $(addprefix --ignore=,$(SLOW_TESTS))

screenshots: install ## the README's screenshots of the web chat (docs/web-*.png), taken by its browser tests
	WEB_SCREENSHOTS_DIR=$(CURDIR)/docs $(PYTEST) -q tests/e2e/test_web_chat.py -k "screenshot or phone"

test-slow: test-deploy test-infra ## the slow tier: deploy e2e and Terraform wrapper against moto, the stacks' apply test (CI runs it)

validate: install ## terraform fmt/validate, tfcheck and checkov over terraform/ and scalr/; the bot template's checks
	./scripts/tf_validate.sh

bot: install ## render the Lex bot's CloudFormation template from definition.yaml, then check it (cfn-lint, size)
	$(BIN)/platform bot render
	$(BIN)/platform bot check

test-infra: install ## terraform apply/destroy of the stacks against a moto server
	./scripts/tf_apply_test.sh

test-deploy: install ## platform deploy/plan/destroy --target localstack, and the Terraform wrapper, against moto (slow)
	$(BIN)/pytest -q -p no:xdist $(SLOW_TESTS)

package: install ## the Lambda zips (reproducible, manylinux wheels) and the API image tag, without deploying
	$(BIN)/platform package

demo: install ## the main job on the embedded default: runtime up, documents indexed, smoke conversations
	$(BIN)/platform up --detach
	$(BIN)/platform upload samples/documents --wait
	$(BIN)/platform chat --smoke
	$(BIN)/platform chat "When does the winter intake application window close?"
	@echo
	@echo "The local runtime keeps running: open the web chat at http://127.0.0.1:$${CAMPUSBOT_GATEWAY_PORT:-3000}/ ,"
	@echo "or 'platform chat' to talk to it, 'platform status', 'platform down' to stop it."

api: install ## serve the API (embedded PostgreSQL unless CAMPUSBOT_DATABASE_URL is set)
	$(BIN)/platform api

bench: install ## run the benchmarks under bench/ (each prints its figures; several minutes)
	$(PY) bench/cli_startup.py
	$(PY) bench/api_bench.py
	$(PY) bench/chat_latency.py
	$(PY) bench/intent_accuracy.py
	$(PY) bench/embeddings_bench.py
	$(PY) bench/retrieval_quality.py
	$(PY) bench/analytics_bench.py
	$(PY) bench/knowledge_bench.py
	$(PY) bench/web_bench.py
	$(PY) bench/runtime_start.py
	$(PY) bench/lambda_cold_start.py

clean: ## stop the local runtime, remove the venv and local state
	-test -x $(BIN)/platform && $(BIN)/platform down
	rm -rf $(VENV) .venv-checkov .campusbot .mypy_cache .ruff_cache .pytest_cache
