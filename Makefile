# One task runner. `make help` lists the targets.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: help demo serve install install-test ui test lint typecheck bench schema

help:  ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python ui  ## Install Assay (and build its web app) into .venv
	$(BIN)/pip install -q -e .

demo: install  ## Install, then serve Assay with the demo project loaded
	$(BIN)/assay demo --port $(PORT)

serve: install  ## Install, then serve Assay on the default embedded database
	$(BIN)/assay serve --port $(PORT)

ui:  ## Build the web app into src/assay/server/static (needs Node.js and npm)
	scripts/build-ui.sh

install-test: $(BIN)/python ui  ## Install Assay, its test tools and the system packages the tests need
	$(BIN)/pip install -q -e '.[test]'
	scripts/install-test-deps.sh

lint: ## ruff and mypy
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: install-test lint  ## Install everything the tests need, then run the whole suite
	$(BIN)/pytest -q -n 2 --dist loadscope --durations=30 --ignore=tests/api/test_schemathesis.py
	$(BIN)/pytest -q tests/api/test_schemathesis.py

bench:  ## Run the benchmarks (each prints its figures and the command to rerun it)
	$(BIN)/python bench/workload.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/query.py
	$(BIN)/python bench/ui.py

schema:  ## Regenerate ui/openapi.json and the UI's TypeScript types from the server
	$(BIN)/python -m tests.api.test_openapi
	cd ui && npm run gen:types --silent
