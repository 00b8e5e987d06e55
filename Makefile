# Quartier — the developer's commands. `make run` serves the demo, `make test` proves it.
# Everything installs itself into .venv (and node_modules for the browser tests).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYBABEL := $(BIN)/pybabel
TRANSLATIONS := blueprints/translations
PYTEST_ARGS ?=
LOAD_ARGS ?=

# `make run` always serves the embedded default: SQLite files under instance/,
# jobs in-process, mails in the dev outbox — whatever the shell has exported.
RUN_ENV := env -u DATABASE_URL -u REDIS_URL -u MAIL_URL QUARTIER_ENV=development

.DEFAULT_GOAL := help
.PHONY: help run test faults bench load lint translations compile-translations services chromium wrk install install-test clean

help:
	@echo "make run           install, migrate, load the demo towns, serve http://127.0.0.1:5000"
	@echo "make test          install everything and run the test suite (PostgreSQL, Redis, SQLite, Chromium)"
	@echo "make faults        only the fault runs (tests/faults): Redis, SMTP, PostgreSQL and workers stopped for real"
	@echo "make bench         tenancy benchmarks on PostgreSQL (figures in docs/performance.md)"
	@echo "make load          60 s of mixed traffic at 64 connections (wrk) against gunicorn (docs/performance.md)"
	@echo "make translations  extract German msgids and update the catalogs under $(TRANSLATIONS)"
	@echo "make lint          ruff over the code"

# --- installing ---------------------------------------------------------------

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
	  { echo "Quartier needs Python 3.11 or newer; run e.g. 'make $(MAKECMDGOALS) PYTHON=python3.11'." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The compiled catalogs (.mo) are not committed: build them from the .po files.
compile-translations: $(VENV)/.installed
	@$(PYBABEL) compile -d $(TRANSLATIONS) --statistics

# Re-extract the German msgids from code and templates; new entries appear
# untranslated in every catalog. Translate them, then commit the .po files.
translations: $(VENV)/.installed
	$(PYBABEL) extract -F babel.cfg -k _l --no-location --sort-output \
	  --project Quartier --msgid-bugs-address noreply@localhost -o $(TRANSLATIONS)/messages.pot .
	$(PYBABEL) update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-pot-creation-date
	@$(BIN)/python -c "import sys; from babel.messages.pofile import read_po; \
	  cat = read_po(open('$(TRANSLATIONS)/en/LC_MESSAGES/messages.po', 'rb')); \
	  todo = [m.id for m in cat if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))]; \
	  print(f'{len(todo)} English entries to translate or check (empty or fuzzy).')"

# --- running --------------------------------------------------------------------

run: $(VENV)/.installed compile-translations
	$(RUN_ENV) $(FLASK) db upgrade
	$(RUN_ENV) $(FLASK) tenants migrate --all
	$(RUN_ENV) $(FLASK) demo load
	$(RUN_ENV) $(FLASK) run --host 127.0.0.1 --port 5000

# --- testing --------------------------------------------------------------------

# PostgreSQL and Redis must answer; started here when they don't (fails loudly).
services:
	@.ci/services.sh

# Debian's Chromium drives the browser tests (never a downloaded browser).
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	else echo "Chromium is missing at /usr/bin/chromium: run 'sudo apt-get install -y chromium' and retry." >&2; exit 1; fi

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: $(VENV)/.installed-test compile-translations chromium node_modules/axe-core/axe.min.js services
	$(BIN)/python -m pytest tests --ignore=tests/bench $(PYTEST_ARGS)

# The fault runs alone (make test runs them too): each prints mails expected,
# delivered and doubled and requests failed after recovery (test-artifacts/faults.txt).
faults: $(VENV)/.installed-test compile-translations services
	$(BIN)/python -m pytest tests/faults -m faults $(PYTEST_ARGS)

# Benchmarks are scripts, not tests: tests/bench/bench_*.py, each printing its figures.
bench: $(VENV)/.installed-test compile-translations services
	@set -e; for script in tests/bench/bench_*.py; do \
	  echo "== $$script"; $(BIN)/python -m tests.bench.$$(basename $$script .py); done

# Debian's wrk drives the load run.
wrk:
	@if command -v wrk >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; \
	else echo "wrk is missing: run 'sudo apt-get install -y wrk' and retry." >&2; exit 1; fi

# Not part of make test: a minute of public pages, API reads and form posts (tests/bench/load_mix.py).
load: $(VENV)/.installed-test compile-translations services wrk
	$(BIN)/python -m tests.bench.load_mix $(LOAD_ARGS)

lint: $(VENV)/.installed-test
	@$(BIN)/python -m ruff --version >/dev/null 2>&1 || $(BIN)/python -m pip install --quiet ruff
	$(BIN)/python -m ruff check --select E9,F,B --ignore B008 config tenants blueprints tests wsgi.py

clean:
	rm -rf test-artifacts .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -not -path './node_modules/*' -prune -exec rm -rf {} +
	find $(TRANSLATIONS) -name '*.mo' -delete
