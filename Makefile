# Two commands for a new machine: `make dev` (the whole API locally) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
# The Lambda runtime's Python (template.yaml: python3.12) with the layer's pinned dependencies: `make bench`
# measures cold imports under it when it exists (`make lambda-venv`), and `make build` compiles bytecode with it.
LAMBDA_PYTHON ?= python3.12
LAMBDA_VENV := .venv-lambda
export SAM_CLI_TELEMETRY := 0
export PYTHONPATH := $(CURDIR)/layers/cairn:$(CURDIR)/scripts
PORT ?= 8000

.PHONY: dev test lint openapi bench bench-http bench-tasks bench-webhooks soak token validate build clean lambda-venv

$(VENV)/.installed: requirements-dev.txt layers/cairn/requirements.txt clients/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## make dev: start every route group on 127.0.0.1:$(PORT) over the embedded moto; prints a dev token.
dev: $(VENV)/.installed
	PORT=$(PORT) $(PY) -m cairn_local.devserver

## make test: the whole test suite (unit, HTTP, handler events, end to end); 4 workers, since the end-to-end
## tests mostly wait on their dev servers (on 2 cores 4 workers take 5 min where 2 took 7.5).
test: $(VENV)/.installed
	$(PY) -m pytest -n 4 tests

## make lint: ruff, the import contracts (pyproject.toml), mypy --strict on the layer package, cfn-lint on the
## template, openapi.json and docs/routes.md against the code.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check layers scripts tests functions clients
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/cfn-lint template.yaml
	$(PY) -m cairn_local.contract --check

## make openapi: write openapi.json (every route group's OpenAPI, merged), docs/routes.md and the SDK's response models from the code.
openapi: $(VENV)/.installed
	$(PY) -m cairn_local.contract
	$(PY) -m cairn_local.sdk_models

## make bench: DynamoDB calls, ScannedCount and latency per operation; cold import time per function;
## then the same memory API over HTTP against a `make dev` server it starts (bench-http); then the agent
## hooks as agents spawn them (`cairn hook session-start` p50, process start to output); then the task engine.
bench: $(VENV)/.installed
	$(PY) -m cairn_local.bench --json bench-results.json \
		$(if $(wildcard $(LAMBDA_VENV)/.installed),--lambda-python $(LAMBDA_VENV)/bin/python)
	$(PY) -m cairn_local.bench.http --json bench-results.json
	$(PY) -m cairn_local.bench.hooks --json bench-results.json
	$(PY) -m cairn_local.bench.tasks --json bench-tasks.json
	$(PY) -m cairn_local.bench.webhooks --json bench-webhooks.json

## make bench-webhooks: event delivery latency, write -> webhook receipt on 127.0.0.1, over the dev server.
bench-webhooks: $(VENV)/.installed
	$(PY) -m cairn_local.bench.webhooks --json bench-webhooks.json

## make bench-tasks: calls per credential check, run route and worker step; start -> succeeded over HTTP.
bench-tasks: $(VENV)/.installed
	$(PY) -m cairn_local.bench.tasks --json bench-tasks.json

## make bench-http: store, log, recall, search p50/p99 at 10 and 10,000 milestones, concurrent writers, RSS.
bench-http: $(VENV)/.installed
	$(PY) -m cairn_local.bench.http --json bench-results.json

## make soak MINUTES=10: mixed writes against a fresh dev server, its RSS every 30 s (flat?).
MINUTES ?= 10
soak: $(VENV)/.installed
	$(PY) -m cairn_local.bench.http --soak-minutes $(MINUTES) --json bench-results.json

## make token TENANT=acme ROLES=agent,admin: mint a dev token for the local stack.
token: $(VENV)/.installed
	@$(PY) -m cairn_local.tokens --tenant $${TENANT:-dev-tenant} --sub $${SUB:-dev-user} --roles $${ROLES:-agent,admin}

$(SAM_VENV)/.installed: requirements-sam.txt
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet -r requirements-sam.txt
	touch $@

## make validate: sam validate --lint (SAM CLI in its own virtual environment).
validate: $(SAM_VENV)/.installed
	$(SAM_VENV)/bin/sam validate --lint --region us-east-1

## make build: sam build (needs python3.12 on PATH, e.g. `pyenv shell 3.12.1`).
## make lambda-venv: $(LAMBDA_VENV), the layer's pinned dependencies under $(LAMBDA_PYTHON), for `make bench`.
lambda-venv: $(LAMBDA_VENV)/.installed

$(LAMBDA_VENV)/.installed: layers/cairn/requirements.txt
	$(LAMBDA_PYTHON) -m venv $(LAMBDA_VENV)
	$(LAMBDA_VENV)/bin/python -m pip install --quiet -r layers/cairn/requirements.txt
	touch $@

## make build: sam build, then every module of the artifacts compiled to bytecode by the runtime's Python. SAM
## ships none (it unpacks wheels without compiling, and leaves out __pycache__), and Lambda cannot write any, so
## without it every cold start compiles the layer's libraries and our code again: about twice the import time.
## unchecked-hash: the files are used as they are, whatever the source timestamps the zip keeps.
build: $(SAM_VENV)/.installed
	$(SAM_VENV)/bin/sam build
	$(LAMBDA_PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash .aws-sam/build

clean:
	rm -rf $(VENV) $(SAM_VENV) $(LAMBDA_VENV) .aws-sam
